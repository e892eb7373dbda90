// WAV files on disk, read through a file handle in bounded memory. The header and chunk
// table are walked by core's walkWavHeader (core/audio/wav.ts), which asks for the few
// bytes it needs, so a file's format, size and duration are known and checked before any
// of its audio is read or a buffer for it allocated: a 2 GiB file offered as a keyword
// clip is refused after reading a few dozen bytes. The audio is then decoded by core's
// decodeWavFrames a block at a time:
//
//   readWavFile     a whole file: refused from its header when longer than limits.maxSeconds,
//                   else decoded into one array;
//   readClipFile    the same for one keyword clip (at most MAX_CLIP_SECONDS), refused with
//                   what to do instead (cut out the word, or make it background noise);
//   readBackgroundFile  the same for one background recording (at most MAX_BACKGROUND_SECONDS);
//   openWavStream   a file of any length (hark listen, background recordings), as mono
//                   blocks, optionally resampled on the fly: memory stays that of a block.

import { open, type FileHandle } from 'node:fs/promises';
import { Resampler } from '../../core/audio/resample.js';
import { decodeWavFrames, walkWavHeader, wavLimits, WavError, type DecodedWav, type WavLayout, type WavLimits } from '../../core/audio/wav.js';
import { MAX_CLIP_SAMPLES, SAMPLE_RATE } from '../shared/protocol.js';
import { BACKGROUND_DIR } from '../../core/kws/labels.js';

/** The longest keyword clip (s): the protocol's limit for one clip. Longer audio is background. */
export const MAX_CLIP_SECONDS = MAX_CLIP_SAMPLES / SAMPLE_RATE;

/** The refusal of audio too long to be one keyword clip, saying what to do with it instead. */
export function clipTooLong(durationSeconds: number): WavError {
  return new WavError('clip-too-long', `the audio is ${durationSeconds.toFixed(1)} s long, too long for one keyword clip (at most ${MAX_CLIP_SECONDS} s): ` +
    `cut out the word, or add the recording as background noise (put it in a ${BACKGROUND_DIR} folder)`);
}

/**
 * The longest background recording (s) an import or a training run takes: 10 minutes of a
 * room's noise is plenty to cut noise windows from, and a run holds every recording's
 * 16 kHz samples in memory (38 MB for 10 minutes). Refused from the header when longer.
 */
export const MAX_BACKGROUND_SECONDS = 600;

/** The refusal of a background recording longer than MAX_BACKGROUND_SECONDS, saying what to do instead. */
export function backgroundTooLong(durationSeconds: number): WavError {
  return new WavError('background-too-long', `the recording is ${durationSeconds.toFixed(1)} s long, too long for background noise (at most ${MAX_BACKGROUND_SECONDS / 60} minutes): ` +
    'cut out a part of it');
}

/** Audio bytes read per block (rounded down to whole frames; at least one frame). */
const BLOCK_BYTES = 1 << 20;

async function readAt(handle: FileHandle, offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
  const buffer = into ?? new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buffer.subarray(0, got);
}

/** Bytes of the file read at a time while walking the header. */
const HEADER_WINDOW = 1 << 16;

/**
 * Walks the header through the handle: only chunk headers and the format chunk are read,
 * through a window of HEADER_WINDOW bytes, so a file of a great many tiny chunks costs one
 * read per window, not one per chunk.
 */
async function layoutOf(handle: FileHandle, limits: WavLimits): Promise<WavLayout> {
  const { size } = await handle.stat();
  const walk = walkWavHeader(size, limits);
  const buffer = new Uint8Array(HEADER_WINDOW); // the walk reads each answer at once and keeps none
  let window: Uint8Array = buffer.subarray(0, 0), windowStart = 0;
  let step = walk.next();
  while (!step.done) {
    const { offset, length } = step.value;
    if (offset < windowStart || offset + length > windowStart + window.length) {
      window = await readAt(handle, offset, Math.min(HEADER_WINDOW, size - offset), buffer);
      windowStart = offset;
    }
    step = walk.next(window.subarray(offset - windowStart, offset - windowStart + length));
  }
  return step.value;
}

/** Frames of `layout` per block of about BLOCK_BYTES. */
const blockFrames = (layout: WavLayout): number => Math.max(1, Math.floor(BLOCK_BYTES / layout.blockAlign));

/** Decodes frames [from, from + count) of the file into out[outOffset…], reading through `scratch`. */
async function decodeRange(handle: FileHandle, layout: WavLayout, from: number, count: number, scratch: Uint8Array, out: Float32Array, outOffset: number): Promise<void> {
  const bytes = await readAt(handle, layout.dataStart + from * layout.blockAlign, count * layout.blockAlign, scratch.subarray(0, count * layout.blockAlign));
  // The header said the audio is there; a shorter file now was cut while we read it.
  if (bytes.length < count * layout.blockAlign) throw new WavError('truncated', `the file ends inside its audio, at frame ${from + Math.floor(bytes.length / layout.blockAlign)} of ${layout.frames}`);
  decodeWavFrames(layout, bytes, from, out, outOffset);
}

/** A WAV file's header, read and checked without reading its audio. Throws WavError (or a file-system error). */
export async function readWavFileLayout(path: string, limits: WavLimits = {}): Promise<WavLayout> {
  const handle = await open(path, 'r');
  try {
    return await layoutOf(handle, limits);
  } finally {
    await handle.close();
  }
}

/** Decodes all of the file's audio (already checked against its limits) into one array. */
async function decodeAll(handle: FileHandle, layout: WavLayout, maxBytes: number): Promise<DecodedWav> {
  if (layout.dataBytes > maxBytes) throw new WavError('too-large', `the audio is ${layout.dataBytes} bytes; up to ${maxBytes} are accepted`);
  const samples = new Float32Array(layout.frames);
  const step = blockFrames(layout);
  const scratch = new Uint8Array(Math.min(layout.dataBytes, step * layout.blockAlign));
  for (let f = 0; f < layout.frames; f += step) await decodeRange(handle, layout, f, Math.min(step, layout.frames - f), scratch, samples, f);
  const { sampleRate, channels, bitsPerSample, format, durationSeconds } = layout;
  return { samples, sampleRate, channels, bitsPerSample, format, durationSeconds };
}

/**
 * A whole WAV file decoded to mono, like core's decodeWav, but its size (limits.maxBytes,
 * of the audio) and duration (limits.maxSeconds) are checked from the header before the
 * audio is read or any buffer for it allocated.
 */
export async function readWavFile(path: string, limits: WavLimits = {}): Promise<DecodedWav> {
  const { maxBytes } = wavLimits(limits);
  const handle = await open(path, 'r');
  try {
    return await decodeAll(handle, await layoutOf(handle, limits), maxBytes);
  } finally {
    await handle.close();
  }
}

export interface WavFileOptions extends Omit<WavLimits, 'maxSeconds'> {
  /**
   * Refuse a file whose 'data' chunk declares more audio than the file holds ('truncated'):
   * a recording or copy that was interrupted, which would give a fraction of a word. (The
   * decoder reads such a file to its end, as it must for a streaming writer's placeholder
   * size 0xFFFFFFFF, which stays accepted.)
   */
  refuseCutOff?: boolean;
}

/** Refuses a cut-off file (see WavFileOptions.refuseCutOff): reads the 'data' chunk's declared size. */
async function checkNotCutOff(handle: FileHandle, layout: WavLayout): Promise<void> {
  const field = await readAt(handle, layout.dataStart - 4, 4);
  if (field.length < 4) throw new WavError('truncated', 'the file ends inside its header');
  const declared = new DataView(field.buffer, field.byteOffset, 4).getUint32(0, true);
  if (declared !== 0xffffffff && declared > layout.dataBytes) {
    throw new WavError('truncated', `the file is cut off: its audio should be ${declared} bytes, but only ${layout.dataBytes} are there (an interrupted recording or copy?)`);
  }
}

/** readWavFile with its own limit on the duration (and refusal when over it), checked from the header. */
async function readUpTo(path: string, options: WavFileOptions, maxSeconds: number, tooLong: (seconds: number) => WavError): Promise<DecodedWav> {
  const { refuseCutOff = false, ...limits } = options;
  const { maxBytes } = wavLimits(limits);
  const handle = await open(path, 'r');
  try {
    const layout = await layoutOf(handle, { ...limits, maxSeconds: Infinity });
    if (refuseCutOff) await checkNotCutOff(handle, layout);
    if (layout.durationSeconds > maxSeconds) throw tooLong(layout.durationSeconds);
    return await decodeAll(handle, layout, maxBytes);
  } finally {
    await handle.close();
  }
}

/** One keyword clip: readWavFile, refused from the header if longer than MAX_CLIP_SECONDS (clipTooLong). */
export function readClipFile(path: string, options: WavFileOptions = {}): Promise<DecodedWav> {
  return readUpTo(path, options, MAX_CLIP_SECONDS, clipTooLong);
}

/** One background recording: readWavFile, refused from the header if longer than MAX_BACKGROUND_SECONDS (backgroundTooLong). */
export function readBackgroundFile(path: string, options: WavFileOptions = {}): Promise<DecodedWav> {
  return readUpTo(path, options, MAX_BACKGROUND_SECONDS, backgroundTooLong);
}

export interface WavStreamOptions {
  /** Resample to this rate (default: the file's own). */
  sampleRate?: number;
  maxChannels?: number;
}

export interface WavStream {
  /** The file's header (its own rate, channels, duration). */
  layout: WavLayout;
  /** Rate of the blocks. */
  sampleRate: number;
  /** Mono blocks in order, each a fresh array; the whole file once, then the resampler's tail. */
  blocks(): AsyncGenerator<Float32Array, void, undefined>;
  close(): Promise<void>;
}

/** A WAV file of any length as mono blocks (about 1 MiB of the file each), in bounded memory. Close it when done. */
export async function openWavStream(path: string, options: WavStreamOptions = {}): Promise<WavStream> {
  const handle = await open(path, 'r');
  let layout: WavLayout;
  let resampler: Resampler | null;
  try {
    layout = await layoutOf(handle, { maxSeconds: Infinity, maxChannels: options.maxChannels });
    const rate = options.sampleRate ?? layout.sampleRate;
    resampler = rate === layout.sampleRate ? null : new Resampler({ fromRate: layout.sampleRate, toRate: rate });
  } catch (err) {
    await handle.close();
    throw err;
  }
  const step = blockFrames(layout);
  return {
    layout,
    sampleRate: options.sampleRate ?? layout.sampleRate,
    async *blocks() {
      const scratch = new Uint8Array(Math.min(layout.dataBytes, step * layout.blockAlign));
      for (let f = 0; f < layout.frames; f += step) {
        const count = Math.min(step, layout.frames - f);
        const block = new Float32Array(count);
        await decodeRange(handle, layout, f, count, scratch, block, 0);
        yield resampler ? resampler.process(block) : block;
      }
      if (resampler) yield resampler.flush();
    },
    close: () => handle.close(),
  };
}
