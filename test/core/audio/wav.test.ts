// decodeWav against WAV files written by this test's own small writer (an independent
// reference: a sine is quantised here, written here, decoded by core, and compared with both
// the quantised values and the sine), every supported format × 1/2/6 channels × several
// rates, downmixing, chunk layouts real writers produce, and encodeWav round trips.
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, WavError } from '../../../core/audio/wav.js';
import { Random } from '../../../core/tensor/random.js';

// ---- a minimal WAV writer, independent of core/audio/wav.ts ----
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function chunk(id: string, body: ArrayLike<number>, size = body.length): number[] {
  const out = [...ascii(id), ...u32(size), ...Array.from(body)];
  if (body.length % 2 === 1) out.push(0);
  return out;
}
function riff(chunks: number[][], riffSize?: number): Uint8Array {
  const body = chunks.flat();
  return new Uint8Array([...ascii('RIFF'), ...u32(riffSize ?? body.length + 4), ...ascii('WAVE'), ...body]);
}
type Kind = 'pcm' | 'float';
function fmt(kind: Kind, bits: number, channels: number, rate: number, extensible = false): number[] {
  const align = channels * bits / 8;
  const head = [...u16(extensible ? 0xfffe : kind === 'pcm' ? 1 : 3), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits)];
  if (!extensible) return head;
  return [...head, ...u16(22), ...u16(bits), ...u32((1 << Math.min(channels, 31)) - 1), ...u16(kind === 'pcm' ? 1 : 3), ...GUID_TAIL];
}
/** frames × channels values in [-1, 1] → bytes, and the values a perfect reader must return per channel. */
function encodeFrames(kind: Kind, bits: number, frames: number[][]): { bytes: number[]; exact: number[][] } {
  const bytes: number[] = [];
  const exact = frames.map((frame) => frame.map((v) => {
    const b = new DataView(new ArrayBuffer(8));
    if (kind === 'float') {
      if (bits === 32) { b.setFloat32(0, v, true); bytes.push(...new Uint8Array(b.buffer, 0, 4)); return Math.fround(v); }
      b.setFloat64(0, v, true); bytes.push(...new Uint8Array(b.buffer, 0, 8)); return v;
    }
    const scale = 2 ** (bits - 1);
    const q = Math.max(-scale, Math.min(scale - 1, Math.round(v * scale)));
    if (bits === 8) bytes.push(q + 128);
    else { b.setInt32(0, q, true); bytes.push(...new Uint8Array(b.buffer, 0, bits / 8)); }
    return q / scale;
  }));
  return { bytes, exact };
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function sine(frames: number, channels: number, rate: number): number[][] {
  return Array.from({ length: frames }, (_, i) => Array.from({ length: channels }, (_, c) => 0.8 * Math.sin(2 * Math.PI * 220 * (c + 1) * i / rate + c)));
}
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('decodeWav: every supported format', () => {
  const formats: { kind: Kind; bits: number; extensible: boolean }[] = [
    ...[8, 16, 24, 32].map((bits) => ({ kind: 'pcm' as Kind, bits, extensible: false })),
    ...[32, 64].map((bits) => ({ kind: 'float' as Kind, bits, extensible: false })),
    ...[8, 16, 24, 32].map((bits) => ({ kind: 'pcm' as Kind, bits, extensible: true })),
    ...[32, 64].map((bits) => ({ kind: 'float' as Kind, bits, extensible: true })),
  ];
  const rates = [8000, 11025, 16000, 22050, 44100, 48000, 96000, 192000];
  let r = 0;
  for (const { kind, bits, extensible } of formats) {
    for (const channels of [1, 2, 6]) {
      const rate = rates[r++ % rates.length];
      it(`${extensible ? 'extensible ' : ''}${kind} ${bits}-bit, ${channels} ch, ${rate} Hz`, () => {
        const frames = 257;
        const signal = sine(frames, channels, rate);
        const { bytes, exact } = encodeFrames(kind, bits, signal);
        const file = riff([chunk('fmt ', fmt(kind, bits, channels, rate, extensible)), chunk('data', bytes)]);
        const out = decodeWav(file);
        expect(out).toMatchObject({ sampleRate: rate, channels, bitsPerSample: bits, format: kind });
        expect(out.durationSeconds).toBeCloseTo(frames / rate, 12);
        expect(out.samples).toBeInstanceOf(Float32Array);
        // Against the quantised values this test wrote: float32 rounding only.
        expect(maxDiff(out.samples, exact.map(mean))).toBeLessThanOrEqual(1e-7);
        // Against the sine itself: within half a quantisation step (float: float32 rounding).
        const step = kind === 'float' ? 1e-7 : 2 ** -(bits - 1);
        expect(maxDiff(out.samples, signal.map(mean))).toBeLessThanOrEqual(step / 2 + 1e-7);
      });
    }
  }

  it('reads the extremes of every PCM width', () => {
    const cases: [number, number[], number[]][] = [
      [8, [0, 255, 128], [-1, 127 / 128, 0]],
      [16, [0x00, 0x80, 0xff, 0x7f, 0x00, 0x00], [-1, 32767 / 32768, 0]],
      [24, [0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff], [-1, 8388607 / 8388608, -1 / 8388608]],
      [32, [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f, 1, 0, 0, 0], [-1, 2147483647 / 2147483648, 1 / 2147483648]],
    ];
    for (const [bits, data, expected] of cases) {
      const out = decodeWav(riff([chunk('fmt ', fmt('pcm', bits, 1, 8000)), chunk('data', data)]));
      expect(Array.from(out.samples)).toEqual(expected.map(Math.fround));
    }
  });

  it('clips finite float samples outside [-1, 1]', () => {
    const { bytes } = encodeFrames('float', 32, [[1.5], [-3], [1e30], [0.25]]);
    const out = decodeWav(riff([chunk('fmt ', fmt('float', 32, 1, 8000)), chunk('data', bytes)]));
    expect(Array.from(out.samples)).toEqual([1, -1, 1, 0.25]);
  });
});

describe('decodeWav: downmix', () => {
  it('averages the channels of each frame', () => {
    const { bytes } = encodeFrames('float', 64, [[0.5, -0.25], [1, 1], [-1, 1], [0.1, 0.3]]);
    const out = decodeWav(riff([chunk('fmt ', fmt('float', 64, 2, 8000)), chunk('data', bytes)]));
    expect(Array.from(out.samples)).toEqual([0.125, 1, 0, 0.2].map(Math.fround));
  });
  it('averages six channels, and only within a frame', () => {
    const frames = [[1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, -0.75], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]];
    const { bytes } = encodeFrames('float', 32, frames);
    const out = decodeWav(riff([chunk('fmt ', fmt('float', 32, 6, 48000, true)), chunk('data', bytes)]));
    expect(Array.from(out.samples)).toEqual([1 / 6, -0.125, 0.5].map(Math.fround));
  });
  it('averages 16-bit stereo exactly', () => {
    const out = decodeWav(riff([chunk('fmt ', fmt('pcm', 16, 2, 16000)), chunk('data', [...u16(16384), ...u16(0x10000 - 8192)])]));
    expect(Array.from(out.samples)).toEqual([0.125]);
  });
});

describe('decodeWav: chunk layouts', () => {
  const { bytes, exact } = encodeFrames('pcm', 16, sine(101, 2, 16000));
  const expected = exact.map(mean);
  const f = chunk('fmt ', fmt('pcm', 16, 2, 16000));
  const list = chunk('LIST', [...ascii('INFO'), ...chunk('INAM', ascii('a name\0'))]);

  it('skips odd-sized chunks before the data, with their pad byte', () => {
    for (const size of [1, 3, 5, 13]) {
      const file = riff([chunk('junk', new Array(size).fill(0x41)), f, chunk('odd ', [7]), chunk('data', bytes)]);
      expect(maxDiff(decodeWav(file).samples, expected)).toBeLessThanOrEqual(1e-7);
    }
  });
  it('reads odd-sized data (8-bit, odd frame count) followed by a pad byte and more chunks', () => {
    const odd = encodeFrames('pcm', 8, sine(77, 1, 8000));
    const file = riff([chunk('fmt ', fmt('pcm', 8, 1, 8000)), chunk('data', odd.bytes), list]);
    expect(maxDiff(decodeWav(file).samples, odd.exact.map(mean))).toBeLessThanOrEqual(1e-7);
    // and tolerates the pad byte missing at the very end of the file
    const noPad = riff([chunk('fmt ', fmt('pcm', 8, 1, 8000)), chunk('data', odd.bytes)]).slice(0, -1);
    expect(decodeWav(noPad).samples.length).toBe(77);
  });
  it('skips LIST chunks before and after the data', () => {
    for (const chunks of [[list, f, chunk('data', bytes)], [f, list, chunk('data', bytes)], [f, chunk('data', bytes), list], [list, f, list, chunk('data', bytes), list, list]]) {
      expect(maxDiff(decodeWav(riff(chunks)).samples, expected)).toBeLessThanOrEqual(1e-7);
    }
  });
  it('reads a data size of 0xFFFFFFFF (streaming writers) to the end of the file', () => {
    for (const riffSize of [undefined, 0, 0xffffffff]) {
      const file = riff([f, chunk('data', bytes, 0xffffffff)], riffSize);
      const out = decodeWav(file);
      expect(out.samples.length).toBe(101);
      expect(maxDiff(out.samples, expected)).toBeLessThanOrEqual(1e-7);
    }
  });
  it('reads a data size larger than the file, to the end of the file', () => {
    const out = decodeWav(riff([f, chunk('data', bytes, bytes.length * 10)]));
    expect(maxDiff(out.samples, expected)).toBeLessThanOrEqual(1e-7);
  });
  it('reads an empty data chunk as no samples', () => {
    expect(decodeWav(riff([f, chunk('data', [])]))).toMatchObject({ samples: new Float32Array(0), durationSeconds: 0 });
  });
  it('reads a Uint8Array view into a larger buffer', () => {
    const file = riff([f, chunk('data', bytes)]);
    const big = new Uint8Array(file.length + 10);
    big.set(file, 5);
    expect(maxDiff(decodeWav(big.subarray(5, 5 + file.length)).samples, expected)).toBeLessThanOrEqual(1e-7);
  });
});

describe('encodeWav', () => {
  it('writes a canonical 44-byte header', () => {
    const out = encodeWav(new Float32Array([0, 0.5, -0.5]), 16000);
    expect(out.length).toBe(50);
    expect(Array.from(out.subarray(0, 44))).toEqual([
      ...ascii('RIFF'), ...u32(42), ...ascii('WAVE'), ...ascii('fmt '), ...u32(16), ...u16(1), ...u16(1),
      ...u32(16000), ...u32(32000), ...u16(2), ...u16(16), ...ascii('data'), ...u32(6),
    ]);
    expect(Array.from(out.subarray(44))).toEqual([...u16(0), ...u16(16384), ...u16(0x10000 - 16384)]);
  });
  it('round trips within 1/32768 at several rates and lengths', () => {
    const rng = new Random(7);
    for (const [rate, n] of [[8000, 0], [8000, 1], [16000, 1000], [22050, 4097], [44100, 12345], [384000, 10], [1, 3]]) {
      const x = new Float32Array(n);
      rng.fillUniform(x, -1, 1);
      if (n > 2) { x[0] = 1; x[1] = -1; }
      const out = decodeWav(encodeWav(x, rate));
      expect(out).toMatchObject({ sampleRate: rate, channels: 1, bitsPerSample: 16, format: 'pcm' });
      expect(maxDiff(out.samples, x)).toBeLessThanOrEqual(1 / 32768);
    }
  });
  it('clips and rounds', () => {
    const out = decodeWav(encodeWav(new Float32Array([2, -2, 1, -1, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768]), 8000));
    expect(Array.from(out.samples)).toEqual([32767, -32768, 32767, -32768, 0, 1, -1].map((v) => v / 32768));
  });
  it('refuses bad sample rates and non-finite samples with a WavError', () => {
    for (const rate of [0, -1, 1.5, NaN, 384001]) {
      expect(() => encodeWav(new Float32Array(1), rate)).toThrow(expect.objectContaining({ code: 'bad-sample-rate' }));
    }
    for (const v of [NaN, Infinity, -Infinity]) {
      const err = (() => { try { encodeWav(new Float32Array([0, v]), 8000); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(WavError);
      expect((err as WavError).code).toBe('non-finite');
    }
  });
});
