import { describe, expect, it } from 'vitest';
import { Random } from '../../../core/tensor/random.js';
import { decodeFrame, encodeFrame, WireCodecError } from '../../../app/shared/wire-codec.js';

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
    const frame = (header: unknown, tail = new Uint8Array(0)) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const start = (8 + json.length + 7) & ~7;
      const out = new Uint8Array(start + tail.length);
      out.set([0x48, 0x52, 0x4b, 0x31]);
      new DataView(out.buffer).setUint32(4, json.length, true);
      out.set(json, 8);
      out.set(tail, start);
      return out;
    };
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

  it('turns 5,000 random and mutated frames into a value or a WireCodecError, never anything else', () => {
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
      try {
        decodeFrame(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(WireCodecError);
      }
    }
  });
});
