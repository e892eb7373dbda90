import { describe, expect, it } from 'vitest';
import { Random } from '../../../core/tensor/random.js';
import { decodeFrame, encodeFrame, WireCodecError } from '../../../app/shared/wire-codec.js';

/** A frame with this header (written as given, however wrong) and buffer area. */
function frame(header: unknown, tail = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = (8 + json.length + 7) & ~7;
  const out = new Uint8Array(start + tail.length);
  out.set([0x48, 0x52, 0x4b, 0x31]);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(tail, start);
  return out;
}

/** Bytes of all typed arrays in a decoded value, counted once per place they appear. */
function decodedBytes(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce((sum: number, v) => sum + decodedBytes(v), 0);
}

describe('wire codec (WebSocket frames)', () => {
  it('round-trips messages with Float32Array and Uint8Array (Buffer included) exactly', () => {
    const samples = new Float32Array([0, -1, 1, 0.5, Number.MIN_VALUE, 3.4e38]);
    const offset = new Float32Array(new ArrayBuffer(64), 12, 3).fill(0.25); // a view at an odd offset
    const message = { t: 'q', i: 'x1', m: 'dataset.addClip', a: [{ label: 'yes', samples, nested: [offset, { bytes: Buffer.from([1, 2, 3]) }] }], n: null };
    const decoded = decodeFrame(encodeFrame(message)) as typeof message;
    expect(decoded.a[0].samples).toBeInstanceOf(Float32Array);
    expect(decoded.a[0].samples).toEqual(samples);
    expect(decoded.a[0].nested[0]).toEqual(offset);
    const bytes = (decoded.a[0].nested[1] as { bytes: Uint8Array }).bytes;
    expect(bytes.constructor).toBe(Uint8Array);
    expect([...bytes]).toEqual([1, 2, 3]);
    expect(decoded.n).toBeNull();
    expect(decodeFrame(encodeFrame('plain'))).toBe('plain');
  });

  it('refuses other typed arrays and the reserved key', () => {
    expect(() => encodeFrame({ x: new Float64Array(2) })).toThrow(WireCodecError);
    expect(() => encodeFrame({ $bin: 0 })).toThrow(/reserved/);
  });

  it('refuses forged buffer references and bad layouts with WireCodecError', () => {
    const bad = [
      frame({ m: { $bin: 0 }, b: [] }),
      frame({ m: { $bin: 0, x: 1 }, b: [['u8', 0, 1]] }, new Uint8Array(8)),
      frame({ m: 1, b: [['f64', 0, 1]] }, new Uint8Array(8)),
      frame({ m: 1, b: [['f32', 0, 1e9]] }, new Uint8Array(8)),
      frame({ m: 1, b: [['f32', 4, 1]] }, new Uint8Array(16)),
      frame({ m: 1, b: [['u8', -8, 1]] }, new Uint8Array(8)),
      frame({ b: [] }),
      frame({ m: 1, b: {} }),
      new Uint8Array([0x48, 0x52, 0x4b, 0x31, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([1, 2, 3]),
    ];
    for (const f of bad) expect(() => decodeFrame(f)).toThrow(WireCodecError);
  });

  it('never decodes a frame into more bytes than it carries: overlapping, out-of-order and shared buffers are refused', () => {
    // Issue 14: 1024 table entries over the same 1 MB decoded to 1 GB (each entry is a copy).
    const area = 64 * 1024;
    const overlapping = frame({ m: Array.from({ length: 1024 }, (_, i) => ({ $bin: i })), b: Array.from({ length: 1024 }, () => ['u8', 0, area]) }, new Uint8Array(area));
    expect(() => decodeFrame(overlapping)).toThrow(WireCodecError);
    expect(() => decodeFrame(overlapping)).toThrow(/overlap/);
    const bad = [
      // Two entries sharing bytes: [0, 16) and [8, 24).
      frame({ m: [{ $bin: 0 }, { $bin: 1 }], b: [['u8', 0, 16], ['u8', 8, 16]] }, new Uint8Array(24)),
      // An f32 entry whose bytes run into the next one's.
      frame({ m: [{ $bin: 0 }, { $bin: 1 }], b: [['f32', 0, 3], ['u8', 8, 1]] }, new Uint8Array(16)),
      // Out of order (the encoder writes them in order).
      frame({ m: [{ $bin: 0 }, { $bin: 1 }], b: [['u8', 8, 1], ['u8', 0, 1]] }, new Uint8Array(16)),
      // One buffer placed in the message twice, or not at all.
      frame({ m: [{ $bin: 0 }, { $bin: 0 }], b: [['u8', 0, 8]] }, new Uint8Array(8)),
      frame({ m: 1, b: [['u8', 0, 8]] }, new Uint8Array(8)),
    ];
    for (const f of bad) expect(() => decodeFrame(f)).toThrow(WireCodecError);
    // What the encoder writes, empty buffers included, still decodes.
    const message = { a: new Uint8Array(0), b: new Float32Array(3).fill(2), c: new Uint8Array(0), d: Uint8Array.of(9) };
    expect(decodeFrame(encodeFrame(message))).toEqual(message);
  });

  it('turns 5,000 random and mutated frames into a value no bigger than the frame or a WireCodecError, never anything else', () => {
    const rng = new Random(7);
    const good = encodeFrame({ t: 'q', i: 'a', m: 'live.pushAudio', a: [{ samples: new Float32Array(32).fill(0.5) }] });
    for (let n = 0; n < 5000; n++) {
      let bytes: Uint8Array;
      if (n % 2 === 0) {
        bytes = good.slice(0, rng.int(good.length + 1));
        for (let k = rng.int(6); k > 0; k--) bytes[rng.int(Math.max(1, bytes.length))] = rng.int(256);
      } else {
        bytes = new Uint8Array(rng.int(64));
        for (let k = 0; k < bytes.length; k++) bytes[k] = rng.int(256);
        if (rng.int(2)) bytes.set([0x48, 0x52, 0x4b, 0x31].slice(0, bytes.length));
      }
      let decoded: unknown;
      try {
        decoded = decodeFrame(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(WireCodecError);
        continue;
      }
      expect(decodedBytes(decoded)).toBeLessThanOrEqual(bytes.length);
    }
  });
});
