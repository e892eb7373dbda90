// The resampler: output length, a 1 kHz sine kept in frequency and amplitude from every
// common rate, anti-aliasing above the output Nyquist, DC, chunked streaming bit for bit
// equal to one shot, identity, and refused rates; the WebAssembly kernel and the JS loop
// giving the same bits.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { readFileSync } from 'node:fs';
import { Resampler, resample, resamplerWasmEnabled, setResamplerWasmEnabled } from '../../../core/audio/resample.js';
import { buildWasmModule } from '../../../scripts/build-wasm.js';

const RATES = [8000, 11025, 22050, 44100, 48000, 96000];

function sine(rate: number, freq: number, seconds: number, amp = 1): Float32Array {
  const n = Math.round(rate * seconds);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** Least-squares amplitude of a sinusoid at `freq` (with an offset) over x[from, to). */
function fitAmplitude(x: Float32Array, rate: number, freq: number, from: number, to: number): number {
  // normal equations for [sin, cos, 1]
  const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], b = [0, 0, 0];
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * freq * i) / rate;
    const v = [Math.sin(w), Math.cos(w), 1];
    for (let r = 0; r < 3; r++) { b[r] += v[r] * x[i]; for (let c = 0; c < 3; c++) A[r][c] += v[r] * v[c]; }
  }
  // Gaussian elimination
  for (let k = 0; k < 3; k++) {
    for (let r = k + 1; r < 3; r++) {
      const f = A[r][k] / A[k][k];
      for (let c = k; c < 3; c++) A[r][c] -= f * A[k][c];
      b[r] -= f * b[k];
    }
  }
  const s = [0, 0, 0];
  for (let k = 2; k >= 0; k--) {
    let v = b[k];
    for (let c = k + 1; c < 3; c++) v -= A[k][c] * s[c];
    s[k] = v / A[k][k];
  }
  return Math.hypot(s[0], s[1]);
}

/** Index of the largest DFT magnitude bin (1 .. N/2 − 1) of x[from, from + N). */
function peakBin(x: Float32Array, from: number, N: number): number {
  let best = 0, bestMag = -1;
  for (let k = 1; k < N / 2; k++) {
    // Goertzel
    const coeff = 2 * Math.cos((2 * Math.PI * k) / N);
    let s1 = 0, s2 = 0;
    for (let i = 0; i < N; i++) { const s0 = x[from + i] + coeff * s1 - s2; s2 = s1; s1 = s0; }
    const mag = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if (mag > bestMag) { bestMag = mag; best = k; }
  }
  return best;
}

function meanSquare(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return s / (to - from);
}

function streamed(x: Float32Array, from: number, to: number, sizes: number[]): Float32Array {
  const r = new Resampler({ fromRate: from, toRate: to });
  const parts: Float32Array[] = [];
  let i = 0, k = 0;
  while (i < x.length) {
    const size = Math.min(sizes[k++ % sizes.length], x.length - i);
    parts.push(r.process(x.subarray(i, i + size)));
    i += size;
  }
  parts.push(r.flush());
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe('resample: the signal', () => {
  it('gives round(n·to/from) ± 1 samples', () => {
    for (const from of [...RATES, 16000, 44101, 44100.5]) {
      for (const n of [0, 1, 2, 100, 441, 12345]) {
        const y = resample(new Float32Array(n).fill(0.25), from, 16000);
        expect(Math.abs(y.length - Math.round((n * 16000) / from)), `${from} Hz, ${n} samples`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps a 1 kHz sine at 1 kHz and its amplitude within 0.1 dB from every input rate', () => {
    for (const from of [...RATES, 44101, 44100.5]) {
      const y = resample(sine(from, 1000, 1, 0.5), from, 16000);
      // 8000 samples in the middle (away from the zero-padded edges): 2 Hz bins, 1 kHz is bin 500
      expect(peakBin(y, 4000, 8000), `${from} Hz`).toBe(500);
      const amp = fitAmplitude(y, 16000, 1000, 4000, 12000);
      const errDb = 20 * Math.log10(amp / 0.5);
      expect(Math.abs(errDb), `${from} Hz: ${errDb.toFixed(5)} dB`).toBeLessThan(0.1);
      expect(Math.abs(errDb), `${from} Hz: ${errDb.toFixed(5)} dB`).toBeLessThan(0.01); // what the filter actually does
    }
  });

  it('attenuates tones above the output Nyquist by at least 60 dB', () => {
    const cases: Array<[number, number]> = [[48000, 9000], [48000, 15000], [48000, 8600], [44100, 9000], [96000, 20000], [22050, 10000], [22050, 8600]];
    for (const [from, freq] of cases) {
      const y = resample(sine(from, freq, 1), from, 16000);
      const ratioDb = 10 * Math.log10(meanSquare(y, 2000, 14000) / 0.5);
      expect(ratioDb, `${freq} Hz from ${from} Hz: ${ratioDb.toFixed(1)} dB`).toBeLessThan(-60);
    }
  });

  it('suppresses the images when upsampling 8000 → 16000 by at least 60 dB', () => {
    const y = resample(sine(8000, 3000, 1, 0.5), 8000, 16000);
    // remove the 3 kHz tone by least squares; what remains is the 13 kHz image and noise
    const amp = fitAmplitude(y, 16000, 3000, 2000, 14000);
    const residualDb = 10 * Math.log10(Math.max(1e-20, meanSquare(y, 2000, 14000) - (amp * amp) / 2) / (0.5 * 0.5 / 2));
    expect(residualDb).toBeLessThan(-60);
  });

  it('preserves DC, down and up', () => {
    for (const from of [...RATES, 44101]) {
      const y = resample(new Float32Array(from).fill(0.7), from, 16000);
      let worst = 0;
      for (let i = 1000; i < 15000; i++) worst = Math.max(worst, Math.abs(y[i] - 0.7));
      expect(worst, `${from} Hz`).toBeLessThan(1e-6);
    }
  });
});

describe('Resampler: streaming, buffers and arguments', () => {
  it('streams bit for bit as one shot whatever the chunking', () => {
    // a signal with content everywhere in band: two tones and a chirp-ish ramp
    const patterns = [[1], [128], [7, 13, 1000], [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], [4096]];
    for (const [from, to] of [[48000, 16000], [44100, 16000], [8000, 16000], [11025, 16000], [44101, 16000], [16000, 48000]]) {
      const x = new Float32Array(Math.round(from * 0.3));
      for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin(i * 0.05) + 0.2 * Math.sin(i * i * 1e-5) + 0.1 * Math.cos(i * 1.3);
      const whole = resample(x, from, to);
      for (const sizes of patterns) {
        const y = streamed(x, from, to, sizes);
        expect(y.length, `${from}→${to} ${sizes.join(',')}`).toBe(whole.length);
        // compare the bit patterns, not the values
        expect(new Uint32Array(y.buffer, y.byteOffset, y.length), `${from}→${to} ${sizes.join(',')}`)
          .toEqual(new Uint32Array(whole.buffer, whole.byteOffset, whole.length));
      }
    }
  });

  it('writes into a caller\'s buffer and can be reused after flush', () => {
    const r = new Resampler({ fromRate: 48000, toRate: 16000 });
    const x = sine(48000, 440, 0.1);
    const out = new Float32Array(r.maxOutputLength(128) + 8);
    const collected: number[] = [];
    for (let round = 0; round < 2; round++) {
      collected.length = 0;
      for (let i = 0; i < x.length; i += 128) {
        const count = r.processInto(x.subarray(i, i + 128), out, 0);
        for (let k = 0; k < count; k++) collected.push(out[k]);
      }
      const tail = new Float32Array(r.maxFlushLength());
      const count = r.flushInto(tail, 0);
      for (let k = 0; k < count; k++) collected.push(tail[k]);
      expect(Float32Array.from(collected)).toEqual(resample(x, 48000, 16000));
    }
    expect(() => r.processInto(x.subarray(0, 1024), new Float32Array(10))).toThrow(ConfigError);
  });

  it('passes samples through at 16000 → 16000', () => {
    const x = sine(16000, 1234, 0.2);
    expect(resample(x, 16000, 16000)).toEqual(x);
    const r = new Resampler({ fromRate: 16000, toRate: 16000 });
    expect(r.process(x.subarray(0, 100))).toEqual(x.subarray(0, 100));
    expect(r.flush().length).toBe(0);
  });

  it('refuses rates that are not rates', () => {
    for (const bad of [0, -16000, NaN, Infinity, 400000, 384001]) {
      expect(() => new Resampler({ fromRate: bad, toRate: 16000 }), String(bad)).toThrow(ConfigError);
      expect(() => new Resampler({ fromRate: 16000, toRate: bad }), String(bad)).toThrow(ConfigError);
      expect(() => resample(new Float32Array(10), bad, 16000), String(bad)).toThrow(ConfigError);
    }
    expect(() => new Resampler({ fromRate: 384000, toRate: 16000 })).not.toThrow();
    expect(() => new Resampler({ fromRate: 384000, toRate: 1000 })).toThrow(ConfigError); // ratio > 64
  });
});

describe('Resampler: the WebAssembly kernel', () => {
  it('gives the same bits with the WebAssembly kernel and with the JS loop, one shot and streamed', () => {
    expect(resamplerWasmEnabled()).toBe(true); // Node has WebAssembly SIMD: the kernel is what runs here
    expect(new Resampler({ fromRate: 44100, toRate: 16000 }).accelerated).toBe(true);
    const sizes = [128, 7, 1000, 3];
    try {
      for (const [from, to] of [[48000, 16000], [44100, 16000], [8000, 16000], [22050, 16000], [16000, 44100]]) {
        const x = new Float32Array(Math.round(from * 0.5));
        for (let i = 0; i < x.length; i++) x[i] = 0.4 * Math.sin(i * 0.031) + 0.3 * Math.sin(i * i * 3e-6) + 0.05 * Math.cos(i * 2.1);
        setResamplerWasmEnabled(true);
        const wasmWhole = resample(x, from, to), wasmStreamed = streamed(x, from, to, sizes);
        setResamplerWasmEnabled(false);
        expect(resamplerWasmEnabled()).toBe(false);
        expect(new Resampler({ fromRate: from, toRate: to }).accelerated).toBe(false);
        const jsWhole = resample(x, from, to), jsStreamed = streamed(x, from, to, sizes);
        const bits = (y: Float32Array): Uint32Array => new Uint32Array(y.buffer, y.byteOffset, y.length);
        expect(bits(wasmWhole), `${from}→${to}`).toEqual(bits(jsWhole));
        expect(bits(wasmStreamed), `${from}→${to} streamed`).toEqual(bits(jsStreamed));
        expect(bits(wasmStreamed), `${from}→${to} streamed vs whole`).toEqual(bits(wasmWhole));
      }
    } finally {
      setResamplerWasmEnabled(true);
    }
  });

  it('grows the kernel\'s staging memory for a chunk larger than any before, with the JS loop\'s bits', () => {
    const x = sine(44100, 440, 3); // one 3 s chunk: several wasm pages more than the start
    const run = (): Float32Array => {
      const r = new Resampler({ fromRate: 44100, toRate: 16000 });
      const parts = [r.process(x.subarray(0, 1000)), r.process(x.subarray(1000)), r.flush()];
      const y = new Float32Array(parts.reduce((n, q) => n + q.length, 0));
      let o = 0;
      for (const q of parts) { y.set(q, o); o += q.length; }
      return y;
    };
    const withKernel = run();
    setResamplerWasmEnabled(false);
    try {
      const withJs = run();
      expect(new Uint32Array(withKernel.buffer)).toEqual(new Uint32Array(withJs.buffer));
    } finally {
      setResamplerWasmEnabled(true);
    }
    expect(withKernel).toEqual(resample(x, 44100, 16000));
  });

  it('the committed kernel is built from fir.wat', async () => {
    const committed = readFileSync(new URL('../../../core/audio/fir-wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await buildWasmModule('fir'));
  });
});
