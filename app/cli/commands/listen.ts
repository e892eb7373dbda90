// hark listen <model-file> <audio.wav>: the file streamed through the keyword detector
// (core/kws/detector.ts) in 100 ms chunks, as a microphone would deliver it, one line per
// detection as it happens. The file is read a block at a time (app/engine/wav-file.ts), so
// a recording of any length is heard in the same small memory. The file is followed by
// 1 s of silence so that a word at its very end is still heard. The audio goes in unchanged, as the app's microphone path
// would give it (the recipe's background class includes digital silence, so stretches of
// exact zeros in edited or synthesised files are heard as background).

import { DEFAULT_MAX_TRAILING_SILENCE_MS, DEFAULT_REFRACTORY_MS, DEFAULT_THRESHOLD } from '../../../core/kws/decision.js';
import { DEFAULT_HOP_MS, DEFAULT_SMOOTHING_MS, KeywordDetector, type Detection } from '../../../core/kws/detector.js';
import { intOption, numberOption, type Command } from '../command.js';
import { WavError } from '../../../core/audio/wav.js';
import { HarkError } from '../../../core/errors.js';
import { CancelledError, CliError, EXIT_OK, UsageError } from '../errors.js';
import { out } from '../io.js';
import { openEngine, parseEngine, readModelFile } from '../model-io.js';
import { SAMPLE_RATE } from '../../engine/dataset/store.js';
import { openWavStream, type WavStream } from '../../engine/wav-file.js';

const CHUNK = SAMPLE_RATE / 10; // 100 ms
const TAIL_SECONDS = 1;

export function detectionLine(d: Detection): string {
  return `${d.startTime.toFixed(2).padStart(7)}–${d.endTime.toFixed(2)} s  ${d.label}  (score ${d.score.toFixed(2)}, decided at ${d.time.toFixed(2)} s)`;
}

export const listen: Command = {
  name: 'listen',
  summary: 'stream a WAV file through the detector and print each keyword it hears',
  usage: 'hark listen <model-file> <audio.wav> [--threshold P] [--engine ts|onnx] [--json]',
  help: [
    `  --threshold P    a word fires when its smoothed probability reaches P (0.5–1; default ${DEFAULT_THRESHOLD})`,
    `  --refractory MS  no other detection for this long after one (default ${DEFAULT_REFRACTORY_MS})`,
    `  --smoothing MS   posteriors averaged over this span (default ${DEFAULT_SMOOTHING_MS})`,
    `  --hop MS         time between decisions, a multiple of 10 up to 100 (default ${DEFAULT_HOP_MS})`,
    `  --word-end MS    a word fires only if speech was heard this recently (default ${DEFAULT_MAX_TRAILING_SILENCE_MS}; 1000 turns it off)`,
    '  --engine E       ts (default) or onnx',
    '  --json           one JSON object per line: {label, score, startTime, endTime, time} (seconds)',
  ].join('\n'),
  options: {
    threshold: { type: 'string' }, refractory: { type: 'string' }, smoothing: { type: 'string' }, hop: { type: 'string' },
    'word-end': { type: 'string' }, engine: { type: 'string' }, json: { type: 'boolean' },
  },
  positionals: ['model-file', 'audio.wav'],
  async run(ctx) {
    const { io, values } = ctx;
    const choice = parseEngine(values.engine as string | undefined, this.usage);
    const threshold = numberOption(this, values, 'threshold', 0.5, 1, DEFAULT_THRESHOLD) as number;
    const refractoryMs = intOption(this, values, 'refractory', 0, 60000, DEFAULT_REFRACTORY_MS);
    const smoothingMs = intOption(this, values, 'smoothing', 0, 2000, DEFAULT_SMOOTHING_MS);
    const hopMs = intOption(this, values, 'hop', 10, 100, DEFAULT_HOP_MS);
    if (hopMs % 10 !== 0) throw new UsageError('--hop must be a multiple of 10 ms', this.usage);
    const maxTrailingSilenceMs = intOption(this, values, 'word-end', 0, 1000, DEFAULT_MAX_TRAILING_SILENCE_MS);
    const json = values.json === true;
    const m = await readModelFile(ctx.path(ctx.positionals[0]));
    const audioPath = ctx.path(ctx.positionals[1]);
    // A file that is not usable audio is named with the reason; a missing one is reportError's.
    const named = (err: unknown): unknown => (err instanceof HarkError ? new CliError(`${audioPath}: ${err.message}`, { cause: err }) : err);
    let audio: WavStream;
    try {
      audio = await openWavStream(audioPath, { sampleRate: SAMPLE_RATE });
    } catch (err) {
      throw named(err); // a bad header, or a rate the resampler cannot convert
    }
    let count = 0, samples = 0;
    try {
      const engine = await openEngine(choice, m);
      try {
        const detector = new KeywordDetector(engine, m, { threshold, refractoryMs, smoothingMs, hopMs, maxTrailingSilenceMs });
        // Pushes of exactly CHUNK samples, the file's and then the silence after it.
        const chunk = new Float32Array(CHUNK);
        let filled = 0;
        const push = async (x: Float32Array): Promise<void> => {
          for (const d of await detector.pushAudio(x)) {
            count++;
            out(io, json ? JSON.stringify({ label: d.label, score: d.score, startTime: d.startTime, endTime: d.endTime, time: d.time }) : detectionLine(d));
          }
        };
        const feed = async (x: Float32Array): Promise<void> => {
          for (let at = 0; at < x.length;) {
            const take = Math.min(CHUNK - filled, x.length - at);
            chunk.set(x.subarray(at, at + take), filled);
            filled += take;
            at += take;
            if (filled === CHUNK) {
              if (io.signal?.aborted) throw new CancelledError();
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
        await engine.dispose();
      }
    } finally {
      await audio.close();
    }
    if (!json) io.stderr.write(`${count} detection${count === 1 ? '' : 's'} in ${(samples / SAMPLE_RATE).toFixed(2)} s of audio\n`);
    return EXIT_OK;
  },
};
