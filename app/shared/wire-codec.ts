// Binary-safe encoding of protocol messages for the WebSocket host. MessagePorts clone
// typed arrays natively; a WebSocket carries bytes, and both ends (Node and the browser)
// must read them, so Node's v8.serialize is out. JSON alone would turn a Float32Array
// into an object of numbered keys (slow and large), so typed arrays travel as raw bytes.
//
// Frame layout (little-endian):
//   'HRK1' | u32 headerLength | header (UTF-8 JSON) | zero padding to 8 | buffer bytes ...
// The header is the message with every typed array replaced by {"$bin": i}, plus
// { "b": [[kind, byteOffset, length], ...] } describing buffer i; offsets are relative to
// the start of the buffer area, each 8-aligned, in order and without overlapping, and each
// buffer is placed in the message exactly once. Only Float32Array and Uint8Array are used
// by the protocol, so only those are encoded.
//
// Decoding treats the frame as hostile: every length and offset is bounded, and anything
// that does not fit is a WireCodecError, never a crash or a huge allocation. Each buffer
// is a copy, so a table whose entries overlapped (or a buffer placed twice) would let a
// small frame demand many times its size (issue 14: 1 MB took the host and the engine past
// 1 GB each); with the rules above, the typed arrays of a decoded message hold at most the
// bytes its frame carried, and MAX_FRAME_BYTES bounds both.
//
// Shared by the Node host and the renderer: no Node or DOM imports (TextEncoder is ES).

import { HarkError } from '../../core/errors.js';

export class WireCodecError extends HarkError {
  constructor(message: string) {
    super('bad-message', message);
  }
}

const MAGIC = [0x48, 0x52, 0x4b, 0x31]; // 'HRK1'
const BIN_KEY = '$bin';
/**
 * Bigger frames are refused (also the WebSocket server's maxPayload), and no frame decodes
 * to typed arrays of more bytes than it carries: this bounds what one frame may allocate.
 */
export const MAX_FRAME_BYTES = 80 * 1024 * 1024;
/** The JSON header's share; objects cost more than their JSON (4 MB of `{}` is ~90 MB of heap). */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;
const MAX_BUFFERS = 1024;
const MAX_DEPTH = 64;

type Kind = 'f32' | 'u8';
const BYTES_PER: Record<Kind, number> = { f32: 4, u8: 1 };

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeFrame(message: unknown): Uint8Array {
  const buffers: Array<Float32Array | Uint8Array> = [];
  const layout: Array<[Kind, number, number]> = [];
  const placeholders = new WeakSet<object>();
  let area = 0;
  const header = JSON.stringify({
    m: message,
    b: layout,
  }, function replacer(this: unknown, key: string, converted: unknown) {
    // The value before any toJSON (Node's Buffer, a Uint8Array, has one).
    const value: unknown = key === '' ? converted : (this as Record<string, unknown>)[key];
    if (value instanceof Float32Array || value instanceof Uint8Array) {
      const kind: Kind = value instanceof Float32Array ? 'f32' : 'u8';
      layout.push([kind, area, value.length]);
      area = align8(area + value.byteLength);
      buffers.push(value);
      const placeholder = { [BIN_KEY]: buffers.length - 1 };
      placeholders.add(placeholder);
      return placeholder;
    }
    if (ArrayBuffer.isView(value)) throw new WireCodecError(`cannot encode ${value.constructor.name} (only Float32Array and Uint8Array)`);
    if (key === BIN_KEY && !placeholders.has(this as object)) throw new WireCodecError(`"${BIN_KEY}" is reserved in messages`);
    return converted;
  });
  // JSON.stringify writes `m` before `b`, so `layout` is complete when it is written.
  const headerBytes = new TextEncoder().encode(header);
  const start = align8(8 + headerBytes.length);
  const frame = new Uint8Array(start + area);
  frame.set(MAGIC, 0);
  new DataView(frame.buffer).setUint32(4, headerBytes.length, true);
  frame.set(headerBytes, 8);
  buffers.forEach((b, i) => frame.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), start + layout[i][1]));
  if (frame.length > MAX_FRAME_BYTES) throw new WireCodecError(`message of ${frame.length} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
  return frame;
}

export function decodeFrame(input: Uint8Array): unknown {
  if (!(input instanceof Uint8Array)) throw new WireCodecError('a frame must be bytes');
  if (input.length > MAX_FRAME_BYTES) throw new WireCodecError(`frame of ${input.length} bytes is over the ${MAX_FRAME_BYTES}-byte limit`);
  if (input.length < 8 || MAGIC.some((b, i) => input[i] !== b)) throw new WireCodecError('not a Hark frame (bad magic)');
  const headerLength = new DataView(input.buffer, input.byteOffset, input.byteLength).getUint32(4, true);
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > input.length) throw new WireCodecError('bad header length');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input.subarray(8, 8 + headerLength)));
  } catch {
    throw new WireCodecError('header is not valid UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || !('m' in parsed) || !Array.isArray((parsed as { b?: unknown }).b)) {
    throw new WireCodecError('header lacks its message or buffer list');
  }
  const layout = (parsed as unknown as { b: unknown[] }).b;
  if (layout.length > MAX_BUFFERS) throw new WireCodecError('too many buffers');
  const start = align8(8 + headerLength);
  // Where the next buffer may begin: past the end of the one before, so none overlap.
  let free = start;
  const arrays = layout.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 3) throw new WireCodecError('bad buffer entry');
    const [kind, offset, length] = entry as [unknown, unknown, unknown];
    if (kind !== 'f32' && kind !== 'u8') throw new WireCodecError('bad buffer kind');
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0) {
      throw new WireCodecError('bad buffer offset or length');
    }
    const begin = start + (offset as number);
    const end = begin + (length as number) * BYTES_PER[kind];
    if ((offset as number) % 8 !== 0 || end > input.length) throw new WireCodecError('buffer outside the frame');
    if (begin < free) throw new WireCodecError(`buffer ${i} overlaps the one before it or is out of order`);
    free = end;
    // Copy out: the result must not alias the frame (and Float32Array needs alignment).
    const bytes = input.slice(begin, end);
    return kind === 'f32' ? new Float32Array(bytes.buffer, 0, length as number) : bytes;
  });
  const placed = new Array<boolean>(arrays.length).fill(false);
  const message = revive((parsed as { m: unknown }).m, arrays, placed, 0);
  if (placed.includes(false)) throw new WireCodecError(`buffer ${placed.indexOf(false)} is not used by the message`);
  return message;
}

function revive(value: unknown, arrays: Array<Float32Array | Uint8Array>, placed: boolean[], depth: number): unknown {
  if (depth > MAX_DEPTH) throw new WireCodecError('message nested too deeply');
  if (Array.isArray(value)) return value.map((v) => revive(v, arrays, placed, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  if (keys.includes(BIN_KEY)) {
    const index = (value as Record<string, unknown>)[BIN_KEY];
    if (keys.length !== 1 || typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= arrays.length) {
      throw new WireCodecError('bad buffer reference');
    }
    if (placed[index]) throw new WireCodecError(`buffer ${index} is placed twice in the message`);
    placed[index] = true;
    return arrays[index];
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    // JSON.parse can produce an own "__proto__" key; keep it a plain data property.
    Object.defineProperty(out, key, { value: revive((value as Record<string, unknown>)[key], arrays, placed, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
