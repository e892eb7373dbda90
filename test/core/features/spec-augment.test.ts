// SpecAugment: determinism per seed, every mask within its bounds and of at most its
// maximum width, exactly the masked cells filled (zero or the per-coefficient mean) and
// every other cell untouched, out-of-place leaving the input alone, and refused options.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { Random } from '../../../core/tensor/random.js';
import { specAugment, type SpecAugmentMask, type SpecAugmentOptions } from '../../../core/features/spec-augment.js';

const T = 98, F = 40;

function features(seed: number): Float32Array {
  const rng = new Random(seed);
  const x = new Float32Array(T * F); // (T, F)
  for (let i = 0; i < x.length; i++) x[i] = 1 + rng.normal(); // no accidental zeros
  return x;
}

function covered(masks: SpecAugmentMask[]): Uint8Array {
  const c = new Uint8Array(T * F);
  for (const m of masks) {
    for (let t = 0; t < T; t++) {
      for (let f = 0; f < F; f++) {
        const k = m.axis === 'time' ? t : f;
        if (k >= m.start && k < m.start + m.width) c[t * F + f] = 1;
      }
    }
  }
  return c;
}

const OPTS: SpecAugmentOptions = { timeMasks: 2, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 8, fill: 'zero' };

describe('specAugment', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = features(1), b = features(1), c = features(1);
    specAugment(a, T, F, OPTS, new Random(7));
    specAugment(b, T, F, OPTS, new Random(7));
    specAugment(c, T, F, OPTS, new Random(8));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  for (const fill of ['zero', 'mean'] as const) {
    it(`masks exactly the drawn cells with the ${fill} fill and leaves the rest untouched`, () => {
      const widths = { time: new Set<number>(), freq: new Set<number>() };
      for (let seed = 0; seed < 200; seed++) {
        const x = features(seed);
        const mean = new Float64Array(F);
        for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) mean[f] += x[t * F + f];
        const out = new Float32Array(T * F);
        const before = x.slice();
        const masks = specAugment(x, T, F, { ...OPTS, fill }, new Random(seed), out);
        expect(x).toEqual(before); // out of place: input untouched
        expect(masks.filter((m) => m.axis === 'time')).toHaveLength(2);
        expect(masks.filter((m) => m.axis === 'freq')).toHaveLength(2);
        for (const m of masks) {
          const [dim, max] = m.axis === 'time' ? [T, 10] : [F, 8];
          expect(m.width).toBeGreaterThanOrEqual(0);
          expect(m.width).toBeLessThanOrEqual(max);
          expect(m.start).toBeGreaterThanOrEqual(0);
          expect(m.start + m.width).toBeLessThanOrEqual(dim);
          widths[m.axis].add(m.width);
        }
        const c = covered(masks);
        let wrong = 0;
        for (let t = 0; t < T; t++) {
          for (let f = 0; f < F; f++) {
            const i = t * F + f;
            const want = c[i] ? (fill === 'zero' ? 0 : Math.fround(mean[f] / T)) : x[i];
            if (!Object.is(out[i], want)) wrong++;
          }
        }
        expect(wrong, `seed ${seed}`).toBe(0);
      }
      // every width from 0 to the maximum turns up
      expect(widths.time.size).toBe(11);
      expect(widths.freq.size).toBe(9);
    });
  }

  it('works in place, clamps widths to the matrix, and does nothing with no masks', () => {
    const x = features(3);
    const masks = specAugment(x, T, F, { ...OPTS, maxTimeWidth: 1000, maxFreqWidth: 1000 }, new Random(3));
    for (const m of masks) expect(m.start + m.width).toBeLessThanOrEqual(m.axis === 'time' ? T : F);
    const c = covered(masks);
    const orig = features(3);
    let wrong = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== (c[i] ? 0 : orig[i])) wrong++;
    expect(wrong).toBe(0);
    expect(c.some((v) => v === 1)).toBe(true);
    const y = features(4);
    expect(specAugment(y, T, F, { ...OPTS, timeMasks: 0, freqMasks: 0 }, new Random(1))).toEqual([]);
    expect(y).toEqual(features(4));
  });

  it('refuses bad shapes and options', () => {
    const x = features(1);
    expect(() => specAugment(x, T + 1, F, OPTS, new Random(1))).toThrow(ConfigError);
    expect(() => specAugment(x, T, F, { ...OPTS, timeMasks: -1 }, new Random(1))).toThrow(ConfigError);
    expect(() => specAugment(x, T, F, { ...OPTS, maxFreqWidth: 1.5 }, new Random(1))).toThrow(ConfigError);
    expect(() => specAugment(x, T, F, { ...OPTS, fill: 'max' as 'zero' }, new Random(1))).toThrow(ConfigError);
    expect(() => specAugment(x, T, F, OPTS, new Random(1), new Float32Array(3))).toThrow(ConfigError);
  });
});
