// WAV decoding (to mono float32) and encoding (16-bit PCM mono), for audio a user imports.
//
// A user's file is untrusted, and the popular JS readers are not safe on hostile files (a
// crafted 'cue ' chunk exhausts memory, deep LIST nesting overflows the stack, a data size
// of 0xFFFFFFFF hangs). This parser walks the RIFF chunks in one flat loop — LIST and every
// other chunk but 'fmt ' and 'data' are skipped by their size, never looked into — bounds
// every size it reads by the bytes that are actually there, validates the format chunk
// completely, and allocates its output only after the frame count has been checked against
// the limits. Each refusal is a WavError with its own code:
//
//   empty, not-wav, rifx, rf64, truncated, too-large, missing-fmt, duplicate-fmt,
//   data-before-fmt, missing-data, duplicate-data, bad-fmt, unsupported-format, bad-guid,
//   bad-channels, too-many-channels, bad-sample-rate, unsupported-bits, bad-block-align,
//   bad-byte-rate, partial-frame, non-finite, too-long, bad-limits
//
// Accepted: PCM (tag 1) 8-bit unsigned and 16/24/32-bit signed little-endian; IEEE float
// (tag 3) 32/64-bit; WAVE_FORMAT_EXTENSIBLE (0xFFFE) whose SubFormat is the PCM or float
// GUID; 1..maxChannels channels (averaged to mono); 1..384000 Hz. The RIFF size field is not
// trusted (streaming writers leave it 0 or 0xFFFFFFFF); the chunk walk is bounded by the
// bytes instead. A data size of 0xFFFFFFFF, or any larger than the file, means "to the end
// of the file", accepted only if that is a whole number of frames. Finite float samples
// outside [-1, 1] are clipped; NaN and Infinity are refused.
//
// The header walk (walkWavHeader) asks for the bytes it needs instead of indexing an array,
// so the same code checks a file on disk through a handle, reading only the chunk headers
// and the format chunk (app/node/wav-file.ts): a file's size and duration are known and
// checked before any of its audio is read. decodeWav drives it over bytes in memory;
// decodeWavFrames turns any run of whole frames into mono samples for both.

import { HarkError } from '../errors.js';
import { MAX_SAMPLE_RATE } from './resample.js';

export class WavError extends HarkError {}

export interface WavLimits {
  maxBytes?: number;    // default 256 MiB: larger inputs are refused before parsing
  maxSeconds?: number;  // default 600
  maxChannels?: number; // default 32
}

export interface DecodedWav {
  /** Mono samples in [-1, 1]: the mean of the channels of each frame. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  format: 'pcm' | 'float';
  durationSeconds: number;
}

/** What a WAV file's header says: the format of its audio and where the audio lies. */
export interface WavLayout {
  format: 'pcm' | 'float';
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per frame (all channels of one sample time). */
  blockAlign: number;
  /** Byte offset of the first frame in the file. */
  dataStart: number;
  /** Bytes of audio: a whole number of frames. */
  dataBytes: number;
  frames: number;
  durationSeconds: number;
}

/** A read the header walk needs: `length` bytes at byte `offset` of the file (all within it). */
export interface WavRead {
  offset: number;
  length: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs; bytes 0..1 hold the format tag. */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const KNOWN_FORMATS: Record<number, string> = {
  0: 'unknown (0)', 2: 'Microsoft ADPCM', 6: 'A-law', 7: 'µ-law', 0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10', 0x50: 'MPEG', 0x55: 'MP3', 0xff: 'AAC', 0x2000: 'AC-3', 0xf1ac: 'FLAC',
};

const fail = (code: string, message: string): never => { throw new WavError(code, message); };

const fourCC = (b: Uint8Array, at: number): string => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
const printable = (id: string): string => JSON.stringify(id);

function formatName(tag: number): string {
  return KNOWN_FORMATS[tag] ?? `format 0x${tag.toString(16).padStart(4, '0')}`;
}

function limit(value: number | undefined, fallback: number, name: string, integer: boolean): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) {
    fail('bad-limits', `limit ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(v)}`);
  }
  return v;
}

/** The limits with their defaults, checked (maxSeconds may be Infinity: a stream of any length). */
export function wavLimits(limits: WavLimits = {}): Required<WavLimits> {
  return {
    maxBytes: limit(limits.maxBytes, 256 * 1024 * 1024, 'maxBytes', true),
    maxSeconds: limit(limits.maxSeconds, 600, 'maxSeconds', false),
    maxChannels: limit(limits.maxChannels, 32, 'maxChannels', true),
  };
}

interface Format {
  format: 'pcm' | 'float';
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function parseFmt(view: DataView, bytes: Uint8Array, at: number, size: number, maxChannels: number): Format {
  if (size < 16) fail('bad-fmt', `the 'fmt ' chunk is ${size} bytes; at least 16 are required`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const byteRate = view.getUint32(at + 8, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);

  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) fail('bad-fmt', `an extensible 'fmt ' chunk is ${size} bytes; 40 are required`);
    const cbSize = view.getUint16(at + 16, true);
    if (cbSize < 22) fail('bad-fmt', `an extensible 'fmt ' chunk declares ${cbSize} extension bytes; 22 are required`);
    const validBits = view.getUint16(at + 18, true);
    if (validBits > bitsPerSample) fail('bad-fmt', `${validBits} valid bits do not fit in ${bitsPerSample}-bit samples`);
    const sub = view.getUint16(at + 24, true);
    for (let i = 0; i < GUID_TAIL.length; i++) {
      if (bytes[at + 26 + i] !== GUID_TAIL[i]) fail('bad-guid', 'the extensible SubFormat GUID is not a standard KSDATAFORMAT_SUBTYPE GUID');
    }
    if (sub === WAVE_FORMAT_EXTENSIBLE) fail('bad-guid', 'the extensible SubFormat names the extensible format itself');
    tag = sub;
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    fail('unsupported-format', `${formatName(tag)} audio is not supported; use PCM or IEEE float WAV`);
  }
  const format = tag === WAVE_FORMAT_PCM ? 'pcm' : 'float';
  if (channels === 0) fail('bad-channels', 'the file declares 0 channels');
  if (channels > maxChannels) fail('too-many-channels', `the file has ${channels} channels; at most ${maxChannels} are accepted`);
  if (sampleRate === 0 || sampleRate > MAX_SAMPLE_RATE) fail('bad-sample-rate', `a sample rate of ${sampleRate} Hz is not supported (1-${MAX_SAMPLE_RATE})`);
  const supported = format === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!supported.includes(bitsPerSample)) {
    fail('unsupported-bits', `${bitsPerSample}-bit ${format === 'pcm' ? 'PCM' : 'float'} is not supported (${supported.join(', ')})`);
  }
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) fail('bad-block-align', `block align is ${blockAlign}; ${channels} channel(s) of ${bitsPerSample} bits need ${expectedAlign}`);
  if (byteRate !== sampleRate * blockAlign) fail('bad-byte-rate', `byte rate is ${byteRate}; ${sampleRate} Hz × ${blockAlign} bytes needs ${sampleRate * blockAlign}`);
  return { format, channels, sampleRate, bitsPerSample, blockAlign };
}

/** Bytes of the 'fmt ' chunk parseFmt reads (the extensible form; the plain one is 16). */
const FMT_READ = 40;

/** Asks for `length` bytes at `offset`; a short answer (the file changed under us) is a truncation. */
function* read(offset: number, length: number): Generator<WavRead, Uint8Array, Uint8Array> {
  const got = yield { offset, length };
  if (!(got instanceof Uint8Array) || got.length < length) fail('truncated', `the file ends at byte ${offset + (got?.length ?? 0)}, inside its header`);
  return got;
}

/**
 * Walks the RIFF header and chunk table of a WAV file of `fileLength` bytes and checks them,
 * yielding each read it needs (chunk headers, the format chunk; never the audio) and
 * receiving those bytes. Returns where the audio is; throws WavError as decodeWav does.
 * The duration is checked against limits.maxSeconds here, before anyone reads the audio.
 */
export function* walkWavHeader(fileLength: number, limits: WavLimits = {}): Generator<WavRead, WavLayout, Uint8Array> {
  const { maxSeconds, maxChannels } = wavLimits(limits);
  const length = fileLength;
  if (!(Number.isSafeInteger(length) && length >= 0)) fail('bad-limits', `a file length must be a whole number of bytes, got ${String(length)}`);
  if (length === 0) fail('empty', 'the file is empty');

  // Header: 'RIFF' <size> 'WAVE'.
  const head = yield* read(0, Math.min(12, length));
  if (length < 4) {
    const start = String.fromCharCode(...head);
    return 'RIFF'.startsWith(start) ? fail('truncated', `the file ends after ${length} byte(s), inside the RIFF header`) : fail('not-wav', 'the file is not a WAV file');
  }
  const magic = fourCC(head, 0);
  if (magic === 'RIFX') fail('rifx', 'big-endian WAV (RIFX) is not supported');
  if (magic === 'RF64' || magic === 'BW64') fail('rf64', `${magic} (64-bit WAV) is not supported`);
  if (magic !== 'RIFF') fail('not-wav', 'the file is not a WAV file (no RIFF header)');
  if (length < 12) fail('truncated', `the file ends after ${length} bytes, inside the RIFF header`);
  if (fourCC(head, 8) !== 'WAVE') fail('not-wav', `the RIFF file holds ${printable(fourCC(head, 8))}, not WAVE audio`);

  // Chunks, in one flat loop: each step moves forward by at least 8 bytes.
  let fmt: Format | undefined;
  let dataStart = -1;
  let dataBytes = 0;
  let offset = 12;
  while (offset < length) {
    const remaining = length - offset;
    if (remaining < 8) {
      if (dataStart >= 0) break; // a stray pad or trailer after the audio: nothing more to read
      fail('truncated', `the file ends inside a chunk header at byte ${offset}`);
    }
    const header = yield* read(offset, 8);
    const id = fourCC(header, 0);
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, true);
    const body = offset + 8;
    const available = length - body;
    if (id === 'data') {
      if (!fmt) fail('data-before-fmt', "the 'data' chunk comes before the 'fmt ' chunk");
      if (dataStart >= 0) fail('duplicate-data', "the file has more than one 'data' chunk");
      dataStart = body;
      if (size === 0xffffffff || size > available) {
        // A streaming writer's placeholder or a cut-off file: the audio runs to the end.
        dataBytes = available;
        break;
      }
      dataBytes = size;
    } else {
      if (size > available) fail('truncated', `chunk ${printable(id)} at byte ${offset} declares ${size} bytes; only ${available} remain`);
      if (id === 'fmt ') {
        if (fmt) fail('duplicate-fmt', "the file has more than one 'fmt ' chunk");
        const chunk = yield* read(body, Math.min(size, FMT_READ));
        fmt = parseFmt(new DataView(chunk.buffer, chunk.byteOffset, chunk.length), chunk, 0, size, maxChannels);
      }
    }
    // Odd sizes are followed by a pad byte; a missing pad at the very end is tolerated.
    offset = Math.min(length, body + size + (size & 1));
  }
  if (!fmt) return fail('missing-fmt', "the file has no 'fmt ' chunk");
  if (dataStart < 0) fail('missing-data', "the file has no 'data' chunk");

  const { blockAlign, sampleRate } = fmt;
  if (dataBytes % blockAlign !== 0) {
    fail('partial-frame', `the audio data is ${dataBytes} bytes, not a whole number of ${blockAlign}-byte frames`);
  }
  const frames = dataBytes / blockAlign;
  const durationSeconds = frames / sampleRate;
  if (durationSeconds > maxSeconds) fail('too-long', `the audio is ${durationSeconds.toFixed(1)} s long; at most ${maxSeconds} s are accepted`);
  return { ...fmt, dataStart, dataBytes, frames, durationSeconds };
}

/** walkWavHeader over bytes in memory: the layout of a whole file without decoding its audio. */
export function wavLayoutOf(bytes: Uint8Array, limits: WavLimits = {}): WavLayout {
  const walk = walkWavHeader(bytes.length, limits);
  let step = walk.next();
  while (!step.done) step = walk.next(bytes.subarray(step.value.offset, step.value.offset + step.value.length));
  return step.value;
}

/**
 * Decodes whole frames of a file of this layout (`bytes`, a multiple of blockAlign long;
 * `firstFrame` is the number of its first frame in the file, for errors) into mono samples
 * at out[outOffset…]: the mean of the channels, clipped to [-1, 1]. Returns the frame count.
 */
export function decodeWavFrames(layout: WavLayout, bytes: Uint8Array, firstFrame: number, out: Float32Array, outOffset = 0): number {
  const { format, channels, bitsPerSample, blockAlign } = layout;
  if (bytes.length % blockAlign !== 0) fail('partial-frame', `${bytes.length} bytes are not a whole number of ${blockAlign}-byte frames`);
  const frames = bytes.length / blockAlign;
  if (outOffset + frames > out.length) throw new RangeError(`out holds ${out.length - outOffset} samples from ${outOffset}, ${frames} needed`);
  const bytesPerSample = bitsPerSample / 8;
  const get = reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), format, bitsPerSample);
  let at = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, at += bytesPerSample) {
      const v = get(at);
      if (!Number.isFinite(v)) fail('non-finite', `sample ${firstFrame + f} of channel ${c} is ${v}`);
      sum += v;
    }
    const mean = sum / channels;
    out[outOffset + f] = mean > 1 ? 1 : mean < -1 ? -1 : mean;
  }
  return frames;
}

export function decodeWav(bytes: Uint8Array, limits: WavLimits = {}): DecodedWav {
  const { maxBytes, maxSeconds, maxChannels } = wavLimits(limits);
  if (!(bytes instanceof Uint8Array)) fail('not-wav', 'the input is not a byte array');
  const length = bytes.length;
  if (length === 0) fail('empty', 'the file is empty');
  if (length > maxBytes) fail('too-large', `the file is ${length} bytes; WAV files up to ${maxBytes} are accepted`);
  const layout = wavLayoutOf(bytes, { maxBytes, maxSeconds, maxChannels });
  // Allocated only now: the frame count has been checked against the limits.
  const samples = new Float32Array(layout.frames);
  decodeWavFrames(layout, bytes.subarray(layout.dataStart, layout.dataStart + layout.dataBytes), 0, samples);
  const { sampleRate, channels, bitsPerSample, format, durationSeconds } = layout;
  return { samples, sampleRate, channels, bitsPerSample, format, durationSeconds };
}

function reader(view: DataView, format: 'pcm' | 'float', bits: number): (at: number) => number {
  if (format === 'float') return bits === 32 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  switch (bits) {
    case 8: return (at) => (view.getUint8(at) - 128) / 128;
    case 16: return (at) => view.getInt16(at, true) / 32768;
    case 24: return (at) => (((view.getUint8(at + 2) << 24) >> 8) | view.getUint16(at, true)) / 8388608;
    default: return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/** 16-bit PCM mono WAV with a canonical 44-byte header; samples are clipped to [-1, 1]. */
export function encodeWav(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE) {
    fail('bad-sample-rate', `a sample rate of ${sampleRate} Hz is not supported (1-${MAX_SAMPLE_RATE})`);
  }
  const dataBytes = samples.length * 2;
  if (dataBytes > 0xffffffff - 36) fail('too-large', `${samples.length} samples do not fit in a WAV file`);
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    if (!Number.isFinite(x)) fail('non-finite', `sample ${i} is ${x}`);
    const v = Math.round(x * 32768);
    view.setInt16(44 + 2 * i, v > 32767 ? 32767 : v < -32768 ? -32768 : v, true);
  }
  return out;
}
