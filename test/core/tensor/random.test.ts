// The seeded PRNG: determinism, resumable state, validation, distributions, and a
// known-answer check of xoshiro128** against an independent BigInt implementation.
import { describe, expect, it } from 'vitest';
import { Random, type RandomState } from '../../../core/tensor/random.js';

/**
 * xoshiro128** (Blackman & Vigna, 2018) written from the paper's reference C code in
 * BigInt arithmetic with explicit 32-bit masking: a different formulation from core's
 * Math.imul / >>> version.
 */
function referenceXoshiro128ss(state: readonly number[], count: number): number[] {
  const MASK = 0xffffffffn;
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & MASK;
  let [s0, s1, s2, s3] = state.map(BigInt);
  const out: number[] = [];
  for (let n = 0; n < count; n++) {
    const result = (rotl((s1 * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (s1 << 9n) & MASK;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11n);
    out.push(Number(result));
  }
  return out;
}

const draw = (rng: Random, n: number): number[] => Array.from({ length: n }, () => rng.nextUint32());

describe('xoshiro128** known answers', () => {
  it('the reference itself gives the hand-computed outputs for state [1, 2, 3, 4]', () => {
    // By hand: out1 = rotl(2·5, 7)·9 = 1280·9; then s = [7, 0, 1026, 12288] so out2 = 0;
    // then s = [12295, 1029, 1029, 25165824] so out3 = rotl(1029·5, 7)·9 = 658560·9.
    expect(referenceXoshiro128ss([1, 2, 3, 4], 3)).toEqual([11520, 0, 5927040]);
  });

  it.each<RandomState>([
    [1, 2, 3, 4],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0x9e3779b9, 0x7f4a7c15, 0xf39cc060, 0x5ced8d1b],
    [0, 0, 0, 1],
    [0x80000000, 0, 0x00000001, 0xdeadbeef],
  ])('the first 20 outputs from state %j match the BigInt reference', (...state) => {
    const rng = new Random(123);
    rng.setState(state);
    const got = draw(rng, 20);
    expect(got).toEqual(referenceXoshiro128ss(state, 20));
    for (const u of got) expect(Number.isInteger(u) && u >= 0 && u <= 0xffffffff).toBe(true);
  });

  it('a seeded generator continues the reference stream from its own state', () => {
    const rng = new Random(2024);
    draw(rng, 7);
    const state = rng.getState();
    expect(draw(rng, 20)).toEqual(referenceXoshiro128ss(state, 20));
  });

  it('next() is nextUint32 / 2^32 of the same stream', () => {
    const state: RandomState = [5, 6, 7, 8];
    const rng = new Random(0);
    rng.setState(state);
    const ref = referenceXoshiro128ss(state, 10);
    for (const u of ref) expect(rng.next()).toBe(u / 4294967296);
  });
});

describe('determinism', () => {
  it('the same seed gives the same stream', () => {
    for (const seed of [0, 1, 42, 0xffffffff, -1, 123456789]) {
      expect(draw(new Random(seed), 100)).toEqual(draw(new Random(seed), 100));
    }
  });

  it('different seeds give different streams, even adjacent ones', () => {
    const firsts = new Set<string>();
    for (let seed = 0; seed < 200; seed++) firsts.add(draw(new Random(seed), 4).join(','));
    expect(firsts.size).toBe(200);
    // adjacent seeds are unrelated: about half the bits of the first outputs differ
    let differing = 0, total = 0;
    for (let seed = 0; seed < 200; seed++) {
      const a = draw(new Random(seed), 8), b = draw(new Random(seed + 1), 8);
      for (let i = 0; i < 8; i++) {
        let x = (a[i] ^ b[i]) >>> 0;
        while (x) { differing += x & 1; x >>>= 1; }
        total += 32;
      }
    }
    expect(differing / total).toBeGreaterThan(0.45);
    expect(differing / total).toBeLessThan(0.55);
  });

  it('seed() restarts the stream of that seed', () => {
    const rng = new Random(1);
    draw(rng, 33);
    rng.seed(9);
    expect(draw(rng, 50)).toEqual(draw(new Random(9), 50));
  });

  it('no seed yields the all-zero state (a fixed point)', () => {
    for (let seed = 0; seed < 1000; seed++) {
      const s = new Random(seed).getState();
      expect(s.some((w) => w !== 0)).toBe(true);
    }
  });
});

describe('getState / setState', () => {
  it('resumes the exact stream, in the same or another instance', () => {
    const a = new Random(77);
    draw(a, 13);
    a.normal(); a.int(10); a.next();
    const state = a.getState();
    expect(state).toHaveLength(4);
    const expected = draw(a, 100);
    const b = new Random(999);
    b.setState(state);
    expect(draw(b, 100)).toEqual(expected);
    a.setState(state);
    expect(draw(a, 100)).toEqual(expected);
  });

  it('a state survives a JSON round trip (how checkpoints store it)', () => {
    const a = new Random(5);
    draw(a, 3);
    const json = JSON.stringify(a.getState());
    const expected = draw(a, 20);
    const b = new Random(0);
    b.setState(JSON.parse(json));
    expect(draw(b, 20)).toEqual(expected);
  });

  it('getState returns a copy and setState copies its argument', () => {
    const a = new Random(3);
    const s = a.getState();
    const expected = draw(new Random(3), 10);
    s[0] ^= 1; // mutating the returned array does not touch the generator
    expect(draw(a, 10)).toEqual(expected);

    const given: RandomState = [1, 2, 3, 4];
    const b = new Random(0);
    b.setState(given);
    given[1] = 99;
    expect(draw(b, 5)).toEqual(referenceXoshiro128ss([1, 2, 3, 4], 5));
  });

  it.each<[string, number[]]>([
    ['too short', [1, 2, 3]],
    ['too long', [1, 2, 3, 4, 5]],
    ['empty', []],
    ['a fraction', [1, 2.5, 3, 4]],
    ['NaN', [1, 2, NaN, 4]],
    ['Infinity', [1, 2, 3, Infinity]],
    ['negative', [-1, 2, 3, 4]],
    ['above 2^32 - 1', [0x100000000, 2, 3, 4]],
    ['all zero', [0, 0, 0, 0]],
  ])('rejects a state that is %s with RangeError and keeps its stream', (_name, bad) => {
    const rng = new Random(8);
    draw(rng, 2);
    const expected = draw(new Random(8), 12).slice(2);
    expect(() => rng.setState(bad)).toThrow(RangeError);
    expect(draw(rng, 10)).toEqual(expected);
  });
});

describe('distributions', () => {
  const N = 100_000;

  it('next() is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Random(11);
    let sum = 0, sq = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < N; i++) {
      const u = rng.next();
      sum += u; sq += (u - 0.5) ** 2;
      if (u < min) min = u;
      if (u > max) max = u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // 5 standard errors: SE(mean) = √(1/12/N), SE(var) = √((1/80 - 1/144)/N)
    expect(Math.abs(sum / N - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N));
    expect(Math.abs(sq / N - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
  });

  it('uniform(lo, hi) stays in [lo, hi) with the right mean', () => {
    const rng = new Random(12);
    let sum = 0, outside = 0;
    for (let i = 0; i < N; i++) {
      const u = rng.uniform(-3, 5);
      if (!(u >= -3 && u < 5)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / N - 1)).toBeLessThan(5 * 8 * Math.sqrt(1 / 12 / N));
  });

  it('normal() has mean 0, variance 1 and Gaussian tails', () => {
    const rng = new Random(13);
    let sum = 0, sq = 0, tail = 0, nonFinite = 0;
    for (let i = 0; i < N; i++) {
      const z = rng.normal();
      if (!Number.isFinite(z)) nonFinite++;
      sum += z; sq += z * z;
      if (Math.abs(z) > 1.959964) tail++;
    }
    expect(nonFinite).toBe(0);
    expect(Math.abs(sum / N)).toBeLessThan(5 * Math.sqrt(1 / N));
    expect(Math.abs(sq / N - 1)).toBeLessThan(5 * Math.sqrt(2 / N)); // Var(z²) = 2
    expect(Math.abs(tail / N - 0.05)).toBeLessThan(5 * Math.sqrt(0.05 * 0.95 / N));
  });

  it('fillUniform and fillNormal fill every element from the same stream', () => {
    const a = new Random(14), b = new Random(14);
    const u = new Float64Array(50);
    a.fillUniform(u, 2, 3);
    for (let i = 0; i < u.length; i++) expect(u[i]).toBe(b.uniform(2, 3));
    const z = new Float64Array(50);
    a.fillNormal(z, 0.5);
    for (let i = 0; i < z.length; i++) expect(z[i]).toBe(0.5 * b.normal());
  });
});

describe('int(n)', () => {
  it.each([1, 2, 3, 5, 7, 10, 16, 100])('int(%i) stays in [0, n), is an integer and hits every value about equally', (n) => {
    const rng = new Random(n);
    const draws = 2000 * n;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < draws; i++) {
      const k = rng.int(n);
      if (!(Number.isInteger(k) && k >= 0 && k < n)) throw new Error(`int(${n}) gave ${k}`);
      counts[k]++;
    }
    // every value hit, each within 5 binomial standard errors of draws / n
    const p = 1 / n, se = Math.sqrt(draws * p * (1 - p));
    for (const c of counts) expect(Math.abs(c - draws * p)).toBeLessThanOrEqual(5 * se);
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('works at the extremes 2^31 + 1 and 2^32', () => {
    const rng = new Random(3);
    for (const n of [0x80000001, 0x100000000]) {
      for (let i = 0; i < 1000; i++) {
        const k = rng.int(n);
        expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
      }
    }
    // int(2^32) is the raw stream
    const a = new Random(4), b = new Random(4);
    for (let i = 0; i < 10; i++) expect(a.int(0x100000000)).toBe(b.nextUint32());
  });

  it.each([0, -1, 0.5, 0x100000001, NaN, Infinity])('rejects n = %d with RangeError', (n) => {
    expect(() => new Random(1).int(n)).toThrow(RangeError);
  });

  it('a non-integer n throws RangeError or yields integers', () => {
    // "Uniform integer in [0, n)": int(2.5) must never return 0.5 or 1.5.
    const fractional: string[] = [];
    for (const n of [1.5, 2.5, 7.25]) {
      const rng = new Random(1);
      try {
        for (let i = 0; i < 200; i++) {
          const k = rng.int(n);
          if (!Number.isInteger(k)) { fractional.push(`int(${n}) = ${k}`); break; }
        }
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
      }
    }
    expect(fractional).toEqual([]);
  });
});

describe('shuffle', () => {
  const isPermutation = (a: ArrayLike<number>, n: number): boolean => {
    const seen = new Uint8Array(n);
    for (let i = 0; i < a.length; i++) { if (a[i] < 0 || a[i] >= n || seen[a[i]]) return false; seen[a[i]] = 1; }
    return a.length === n;
  };

  it('is a permutation, for arrays and typed arrays of many lengths', () => {
    const rng = new Random(21);
    for (const n of [0, 1, 2, 3, 10, 97, 1000]) {
      const arr = Array.from({ length: n }, (_, i) => i);
      rng.shuffle(arr);
      expect(isPermutation(arr, n)).toBe(true);
      const i32 = Int32Array.from({ length: n }, (_, i) => i);
      rng.shuffle(i32);
      expect(isPermutation(i32, n)).toBe(true);
      const u32 = Uint32Array.from({ length: n }, (_, i) => i);
      rng.shuffle(u32);
      expect(isPermutation(u32, n)).toBe(true);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const run = (seed: number): number[] => {
      const a = Array.from({ length: 50 }, (_, i) => i);
      new Random(seed).shuffle(a);
      return a;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    expect(run(5)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gives all 6 orders of 3 items equally often (a correct Fisher-Yates)', () => {
    const rng = new Random(22);
    const counts = new Map<string, number>();
    const draws = 60_000;
    for (let i = 0; i < draws; i++) {
      const a = [0, 1, 2];
      rng.shuffle(a);
      const key = a.join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const p = 1 / 6, se = Math.sqrt(draws * p * (1 - p));
    for (const c of counts.values()) expect(Math.abs(c - draws * p)).toBeLessThan(5 * se);
  });
});
