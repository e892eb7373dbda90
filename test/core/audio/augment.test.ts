// Audio augmentation: bit-identical output per seed and different output across seeds;
// gain exact in dB; the time shift moves a marker impulse by the drawn amount with zeros
// behind it; speed 1.1 shortens a clip to n/1.1 and moves a 1 kHz sine to 1.1 kHz;
// noise mixed at the requested SNR within 0.1 dB (longer, shorter and looped recordings);
// generated white noise flat and pink noise at about −3 dB/octave; and the composed
// augmentation finite and within ±1 for 1000 seeds on a loud clip.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { Random } from '../../../core/tensor/random.js';
import {
  augmentClip, gain, generatedNoise, mixNoise, shiftBy, speedPerturb, timeShift, type NoiseKind,
} from '../../../core/audio/augment.js';

const RATE = 16000;

function sine(freq: number, n: number, amp = 0.5): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / RATE);
  return x;
}

function speechLike(seed: number, n = RATE): Float32Array {
  const rng = new Random(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const env = Math.sin((Math.PI * i) / n);
    x[i] = env * (0.4 * Math.sin((2 * Math.PI * 220 * i) / RATE) + 0.2 * Math.sin((2 * Math.PI * 1330 * i) / RATE) + 0.05 * rng.normal());
  }
  return x;
}

function same(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function energy(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** In-place radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j], re[i]]; [im[i], im[j]] = [im[j], im[i]]; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k), wi = Math.sin(ang * k);
        const ar = re[i + k + len / 2], ai = im[i + k + len / 2];
        const tr = ar * wr - ai * wi, ti = ar * wi + ai * wr;
        re[i + k + len / 2] = re[i + k] - tr; im[i + k + len / 2] = im[i + k] - ti;
        re[i + k] += tr; im[i + k] += ti;
      }
    }
  }
}

/** Welch power spectrum (Hann, 50 % overlap), N/2 + 1 bins. */
function welch(x: Float32Array, N: number): Float64Array {
  const psd = new Float64Array(N / 2 + 1);
  const re = new Float64Array(N), im = new Float64Array(N);
  for (let start = 0; start + N <= x.length; start += N / 2) {
    for (let i = 0; i < N; i++) { re[i] = x[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)); im[i] = 0; }
    fft(re, im);
    for (let k = 0; k <= N / 2; k++) psd[k] += re[k] * re[k] + im[k] * im[k];
  }
  return psd;
}

/** Least-squares slope in dB per octave of band-averaged power over octave bands centred at `centres`. */
function octaveSlope(x: Float32Array, centres: number[]): number {
  const N = 4096;
  const psd = welch(x, N);
  const xs: number[] = [], ys: number[] = [];
  for (const fc of centres) {
    const lo = Math.ceil(((fc / Math.SQRT2) * N) / RATE), hi = Math.floor(((fc * Math.SQRT2) * N) / RATE);
    let s = 0;
    for (let k = lo; k <= hi; k++) s += psd[k];
    xs.push(Math.log2(fc));
    ys.push(10 * Math.log10(s / (hi - lo + 1)));
  }
  const mx = xs.reduce((a, b) => a + b) / xs.length, my = ys.reduce((a, b) => a + b) / ys.length;
  let num = 0, den = 0;
  for (let i = 0; i < xs.length; i++) { num += (xs[i] - mx) * (ys[i] - my); den += (xs[i] - mx) ** 2; }
  return num / den;
}

/** Frequency of the largest DFT magnitude between lo and hi Hz over x[from, from + N), 1 Hz steps. */
function peakHz(x: Float32Array, from: number, N: number, lo: number, hi: number): number {
  let best = 0, bestMag = -1;
  for (let f = lo; f <= hi; f++) {
    const w = (2 * Math.PI * f) / RATE;
    let c = 0, s = 0;
    for (let i = 0; i < N; i++) { c += x[from + i] * Math.cos(w * i); s += x[from + i] * Math.sin(w * i); }
    const mag = c * c + s * s;
    if (mag > bestMag) { bestMag = mag; best = f; }
  }
  return best;
}

describe('determinism', () => {
  const x = speechLike(1);
  const noise = generatedNoise(3 * RATE, 'pink', new Random(99));
  const cases: [string, (rng: Random) => Float32Array][] = [
    ['timeShift', (r) => timeShift(x, 1600, r)],
    ['gain', (r) => gain(x, -10, 10, r)],
    ['speedPerturb', (r) => speedPerturb(x, 0.9, 1.1, r)],
    ['mixNoise', (r) => mixNoise(x, noise, 10, r)],
    ['generatedNoise white', (r) => generatedNoise(4000, 'white', r)],
    ['generatedNoise pink', (r) => generatedNoise(4000, 'pink', r)],
    ['generatedNoise brown', (r) => generatedNoise(4000, 'brown', r)],
    ['augmentClip', (r) => augmentClip(x, {}, r)],
    ['augmentClip with recordings', (r) => augmentClip(x, { noise: [noise] }, r)],
  ];
  for (const [name, run] of cases) {
    it(`${name}: same seed → bit-identical, other seeds → different`, () => {
      const before = x.slice();
      expect(same(run(new Random(5)), run(new Random(5)))).toBe(true);
      let differs = 0;
      for (let s = 6; s < 10; s++) if (!same(run(new Random(5)), run(new Random(s)))) differs++;
      expect(differs).toBeGreaterThanOrEqual(3); // a shift or speed may repeat by chance, not four times
      expect(same(x, before)).toBe(true); // input untouched
    });
  }
});

describe('gain', () => {
  it('scales by exactly the level in dB (RMS ratio)', () => {
    const x = speechLike(2);
    for (const db of [-20, -6, 0, 3.5, 12]) {
      const y = gain(x, db, db, new Random(1));
      expect(10 * Math.log10(energy(y) / energy(x))).toBeCloseTo(db, 5);
    }
  });

  it('draws levels within the range, spread over it', () => {
    const x = speechLike(3);
    const levels: number[] = [];
    for (let s = 0; s < 200; s++) levels.push(10 * Math.log10(energy(gain(x, -6, 6, new Random(s))) / energy(x)));
    expect(Math.min(...levels)).toBeGreaterThanOrEqual(-6 - 1e-4);
    expect(Math.max(...levels)).toBeLessThan(6 + 1e-4);
    expect(Math.min(...levels)).toBeLessThan(-5);
    expect(Math.max(...levels)).toBeGreaterThan(5);
    expect(() => gain(x, 6, -6, new Random(1))).toThrow(ConfigError);
    expect(() => gain(x, Number.NaN, 1, new Random(1))).toThrow(ConfigError);
  });
});

describe('timeShift', () => {
  it('moves a marker impulse by the drawn amount, zero-filled, within ±max, both ways', () => {
    const n = 8000, at = 4000, max = 1600;
    const x = new Float32Array(n);
    x[at] = 1;
    for (let i = 0; i < n; i++) if (i !== at) x[i] = 0.001 * Math.sin(i); // content around the marker
    const shifts = new Set<number>();
    for (let s = 0; s < 300; s++) {
      const rng = new Random(s), copy = new Random(s);
      const y = timeShift(x, max, rng);
      const drawn = copy.int(2 * max + 1) - max; // the documented draw
      let pos = -1;
      for (let i = 0; i < n; i++) if (y[i] === 1) pos = i;
      expect(pos - at).toBe(drawn);
      expect(Math.abs(drawn)).toBeLessThanOrEqual(max);
      expect(same(y, shiftBy(x, drawn))).toBe(true);
      // zeros where the content moved away from
      if (drawn > 0) expect(y.subarray(0, drawn).every((v) => v === 0)).toBe(true);
      if (drawn < 0) expect(y.subarray(n + drawn).every((v) => v === 0)).toBe(true);
      shifts.add(Math.sign(drawn));
    }
    expect(shifts.has(1) && shifts.has(-1)).toBe(true);
  });

  it('shiftBy handles shifts beyond the clip and refuses fractions', () => {
    const x = new Float32Array([1, 2, 3]);
    expect(Array.from(shiftBy(x, 1))).toEqual([0, 1, 2]);
    expect(Array.from(shiftBy(x, -2))).toEqual([3, 0, 0]);
    expect(Array.from(shiftBy(x, 5))).toEqual([0, 0, 0]);
    expect(Array.from(shiftBy(x, -5))).toEqual([0, 0, 0]);
    expect(() => shiftBy(x, 0.5)).toThrow(ConfigError);
    expect(() => timeShift(x, -1, new Random(1))).toThrow(ConfigError);
    expect(Array.from(timeShift(x, 0, new Random(1)))).toEqual([1, 2, 3]);
  });
});

describe('speedPerturb', () => {
  it('factor 1.1 gives n/1.1 ± 1 samples and moves 1 kHz to 1.1 kHz', () => {
    const n = RATE;
    const y = speedPerturb(sine(1000, n), 1.1, 1.1, new Random(1));
    expect(Math.abs(y.length - n / 1.1)).toBeLessThanOrEqual(1);
    expect(peakHz(y, 2000, 8000, 900, 1300)).toBe(1100);
  });

  it('factor 0.9 lengthens to n/0.9 and moves 1 kHz to 900 Hz; drawn factors stay in range', () => {
    const n = RATE;
    const y = speedPerturb(sine(1000, n), 0.9, 0.9, new Random(1));
    expect(Math.abs(y.length - n / 0.9)).toBeLessThanOrEqual(1);
    expect(peakHz(y, 2000, 8000, 700, 1100)).toBe(900);
    const lengths = new Set<number>();
    for (let s = 0; s < 50; s++) {
      const z = speedPerturb(new Float32Array(n), 0.9, 1.1, new Random(s));
      expect(z.length).toBeGreaterThanOrEqual(Math.floor(n / 1.1));
      expect(z.length).toBeLessThanOrEqual(Math.ceil(n / 0.9));
      lengths.add(z.length);
    }
    expect(lengths.size).toBeGreaterThan(10);
    expect(() => speedPerturb(y, 0.3, 1, new Random(1))).toThrow(ConfigError);
    expect(() => speedPerturb(y, 1.1, 0.9, new Random(1))).toThrow(ConfigError);
  });
});

describe('mixNoise', () => {
  const clean = speechLike(4);
  const measured = (y: Float32Array): number => {
    let d = 0;
    for (let i = 0; i < y.length; i++) d += (y[i] - clean[i]) ** 2;
    return 10 * Math.log10(energy(clean) / d);
  };

  it('achieves the requested SNR within 0.1 dB for longer, equal and shorter (looped) recordings', () => {
    for (const len of [5 * RATE, RATE, 3000, 1]) {
      for (const kind of ['white', 'pink', 'brown'] as NoiseKind[]) {
        const noise = generatedNoise(len, kind, new Random(len));
        if (len === 1) noise[0] = 0.3; // a single sample: normalisation leaves it 0
        for (const snr of [-5, 0, 5, 20, 40]) {
          const y = mixNoise(clean, noise, snr, new Random(snr + 100));
          expect(Math.abs(measured(y) - snr), `${kind} ${len} at ${snr} dB`).toBeLessThan(0.1);
        }
      }
    }
  });

  it('takes the recording from a random offset', () => {
    const noise = generatedNoise(4 * RATE, 'white', new Random(1));
    const a = mixNoise(clean, noise, 10, new Random(1)), b = mixNoise(clean, noise, 10, new Random(2));
    expect(same(a, b)).toBe(false);
  });

  it('returns a silent clip unchanged, and refuses an empty recording', () => {
    const silent = new Float32Array(1000);
    const y = mixNoise(silent, generatedNoise(2000, 'white', new Random(1)), 10, new Random(1));
    expect(y.every((v) => v === 0)).toBe(true);
    expect(y).not.toBe(silent);
    expect(same(mixNoise(clean, new Float32Array(100), 10, new Random(1)), clean)).toBe(true);
    expect(() => mixNoise(clean, new Float32Array(0), 10, new Random(1))).toThrow(ConfigError);
  });
});

describe('generatedNoise', () => {
  const centres = [62.5, 125, 250, 500, 1000, 2000, 4000];

  it('is zero-mean with RMS 1', () => {
    for (const kind of ['white', 'pink', 'brown'] as NoiseKind[]) {
      const x = generatedNoise(20000, kind, new Random(3));
      let m = 0;
      for (const v of x) m += v;
      expect(Math.abs(m / x.length)).toBeLessThan(1e-5);
      expect(Math.sqrt(energy(x) / x.length)).toBeCloseTo(1, 4);
    }
    expect(generatedNoise(0, 'pink', new Random(1))).toHaveLength(0);
    expect(() => generatedNoise(-1, 'white', new Random(1))).toThrow(ConfigError);
    expect(() => generatedNoise(10, 'blue' as NoiseKind, new Random(1))).toThrow(ConfigError);
  });

  it('white is flat, pink falls about 3 dB and brown about 6 dB per octave', () => {
    const n = 1 << 19;
    const white = octaveSlope(generatedNoise(n, 'white', new Random(11)), centres);
    const pink = octaveSlope(generatedNoise(n, 'pink', new Random(12)), centres);
    const brown = octaveSlope(generatedNoise(n, 'brown', new Random(13)), centres.slice(0, 6));
    expect(Math.abs(white)).toBeLessThan(0.3);
    expect(pink).toBeGreaterThan(-3.7);
    expect(pink).toBeLessThan(-2.3);
    expect(brown).toBeGreaterThan(-6.8);
    expect(brown).toBeLessThan(-5);
  });
});

describe('augmentClip', () => {
  it('keeps the length, stays finite and within ±1 for 1000 seeds on a loud clip', () => {
    const n = RATE;
    const loud = new Float32Array(n);
    for (let i = 0; i < n; i++) loud[i] = 0.99 * Math.sign(Math.sin((2 * Math.PI * 300 * i) / RATE)) || 0.99; // full-scale square
    loud[100] = 1;
    const recordings = [generatedNoise(3 * RATE, 'brown', new Random(1)), generatedNoise(5000, 'white', new Random(2))];
    let limited = 0;
    for (let s = 0; s < 1000; s++) {
      const y = augmentClip(loud, s % 2 === 0 ? { maxGainDb: 12 } : { noise: recordings, maxGainDb: 12 }, new Random(s));
      expect(y.length).toBe(n);
      let peak = 0, finite = true;
      for (let i = 0; i < n; i++) { if (!Number.isFinite(y[i])) finite = false; peak = Math.max(peak, Math.abs(y[i])); }
      expect(finite, `seed ${s}`).toBe(true);
      expect(peak, `seed ${s}`).toBeLessThanOrEqual(1);
      if (peak === 1) limited++;
    }
    expect(limited).toBeGreaterThan(100); // the limiter was exercised
  });

  it('treats non-finite input as silence, keeps every step optional, and refuses bad probabilities', () => {
    const x = speechLike(5);
    x[10] = Number.NaN; x[20] = Number.POSITIVE_INFINITY;
    const y = augmentClip(x, {}, new Random(1));
    expect(y.every((v) => Number.isFinite(v))).toBe(true);
    const off = { speedProbability: 0, shiftProbability: 0, noiseProbability: 0, gainProbability: 0 };
    const clean = speechLike(5);
    expect(same(augmentClip(clean, off, new Random(1)), clean)).toBe(true);
    expect(() => augmentClip(clean, { noiseProbability: 1.5 }, new Random(1))).toThrow(ConfigError);
    expect(augmentClip(new Float32Array(0), {}, new Random(1))).toHaveLength(0);
  });
});
