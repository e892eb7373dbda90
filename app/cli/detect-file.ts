// A WAV file of any length through a keyword detector, as a microphone would deliver it:
// read a block at a time (app/node/wav-file.ts), pushed in exact 100 ms chunks, then
// 1 s of silence so that a word at its very end is still heard. `hark listen` prints what
// it hears; `hark mine` keeps the audio that made it fire.

import { WavError } from '../../core/audio/wav.js';
import { HarkError } from '../../core/errors.js';
import type { Detection, KeywordDetector } from '../../core/kws/detector.js';
import { SAMPLE_RATE } from '../node/dataset/store.js';
import { openWavStream, type WavStream } from '../node/wav-file.js';
import { CancelledError, CliError } from './errors.js';

const CHUNK = SAMPLE_RATE / 10; // 100 ms
const TAIL_SECONDS = 1;

export interface DetectFileOptions {
  signal?: AbortSignal;
  /** Each detection, as it happens. */
  onDetection: (d: Detection) => void | Promise<void>;
  /** Every chunk of audio, before the detector hears it (the silence after the file too). */
  onAudio?: (chunk: Float32Array) => void;
}

/** Runs `detector` over the file at `path`; returns the file's length in samples (16 kHz). */
export async function detectFile(path: string, detector: KeywordDetector, options: DetectFileOptions): Promise<number> {
  // A file that is not usable audio is named with the reason; a missing one is reportError's.
  const named = (err: unknown): unknown => (err instanceof HarkError ? new CliError(`${path}: ${err.message}`, { cause: err }) : err);
  let audio: WavStream;
  try {
    audio = await openWavStream(path, { sampleRate: SAMPLE_RATE });
  } catch (err) {
    throw named(err); // a bad header, or a rate the resampler cannot convert
  }
  let samples = 0;
  try {
    const chunk = new Float32Array(CHUNK);
    let filled = 0;
    const push = async (x: Float32Array): Promise<void> => {
      options.onAudio?.(x);
      for (const d of await detector.pushAudio(x)) await options.onDetection(d);
    };
    const feed = async (x: Float32Array): Promise<void> => {
      for (let at = 0; at < x.length;) {
        const take = Math.min(CHUNK - filled, x.length - at);
        chunk.set(x.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled === CHUNK) {
          if (options.signal?.aborted) throw new CancelledError();
          await push(chunk);
          filled = 0;
        }
      }
    };
    try {
      for await (const block of audio.blocks()) {
        samples += block.length;
        await feed(block);
      }
    } catch (err) {
      throw err instanceof WavError ? named(err) : err; // bad audio further in, or cut while read
    }
    await feed(new Float32Array(TAIL_SECONDS * SAMPLE_RATE));
    if (filled > 0) await push(chunk.subarray(0, filled));
  } finally {
    await audio.close();
  }
  return samples;
}
