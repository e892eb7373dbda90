// The hand-written matrix kernels against a naive triple loop in float64, written here.
// Every shape class the 4x4 micro-kernel distinguishes (full blocks, leftover rows,
// leftover columns, both) is covered by all M, N, K in {1, 2, 3, 4, 5, 7, 8, 9}, plus the
// product's real shapes. Operands sit at non-zero offsets inside larger buffers filled
// with sentinels, so a kernel that reads or writes outside its region is caught.
import { describe, expect, it } from 'vitest';
import { addRowVector, gemm, matmul, matmulAT, matmulBT, sumRows } from '../../../core/tensor/matmul.js';
import type { Vec } from '../../../core/tensor/vec.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const DTYPES: { name: string; Ctor: Ctor; rel: number }[] = [
  { name: 'float32', Ctor: Float32Array, rel: 1e-5 },
  { name: 'float64', Ctor: Float64Array, rel: 1e-12 },
];

const SMALL = [1, 2, 3, 4, 5, 7, 8, 9];
const REAL: [number, number, number][] = [ // [M, K, N]
  [32, 64, 256],
  [1, 13, 256],
  [256, 1568, 64],
];

/** A small LCG of our own, so the test's data does not depend on core's PRNG. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 * 2 - 1; // [-1, 1)
  };
}

const SENTINEL = -12345.5; // exactly representable in float32

/** A buffer of `pre + n + post` values: random in [pre, pre + n), sentinels around it. */
function padded(Ctor: Ctor, n: number, pre: number, post: number, rand: () => number, fillSentinel = true): Vec {
  const buf = new Ctor(pre + n + post);
  for (let i = 0; i < buf.length; i++) buf[i] = i >= pre && i < pre + n ? rand() : (fillSentinel ? SENTINEL : rand());
  return buf;
}

/** Element (r, c) of a row-major matrix with `cols` columns at `off`, in float64. */
const at = (buf: Vec, off: number, cols: number, r: number, c: number): number => buf[off + r * cols + c];

/**
 * out[i, j] = Σ_k A[aOff + i·ai + k·ak] · B[bOff + k·bk + j·bj] in float64, plus the sum
 * of |terms| (the scale of the rounding error) for the tolerance.
 */
function reference(
  M: number, K: number, N: number,
  A: Vec, aOff: number, ai: number, ak: number, B: Vec, bOff: number, bk: number, bj: number,
): { val: Float64Array; mag: Float64Array } {
  const a = Float64Array.from(A), b = Float64Array.from(B);
  const val = new Float64Array(M * N), mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) {
        const p = a[aOff + i * ai + k * ak] * b[bOff + k * bk + j * bj];
        s += p; m += Math.abs(p);
      }
      val[i * N + j] = s; mag[i * N + j] = m;
    }
  }
  return { val, mag };
}

interface Form {
  name: string;
  fn: typeof matmul;
  aLen: (M: number, K: number) => number;
  bLen: (K: number, N: number) => number;
  /** Strides of the logical A (M, K) and B (K, N) in their stored layouts: [ai, ak, bk, bj]. */
  strides: (M: number, K: number, N: number) => [number, number, number, number];
}

const FORMS: Form[] = [
  // A stored (M, K), B stored (K, N)
  { name: 'matmul (A (M,K) · B (K,N))', fn: matmul, aLen: (M, K) => M * K, bLen: (K, N) => K * N, strides: (_M, K, N) => [K, 1, N, 1] },
  // A stored (M, K), B stored (N, K)
  { name: 'matmulBT (A (M,K) · B (N,K)ᵀ)', fn: matmulBT, aLen: (M, K) => M * K, bLen: (K, N) => N * K, strides: (_M, K) => [K, 1, 1, K] },
  // A stored (K, M), B stored (K, N)
  { name: 'matmulAT (A (K,M)ᵀ · B (K,N))', fn: matmulAT, aLen: (M, K) => K * M, bLen: (K, N) => K * N, strides: (M, _K, N) => [1, M, N, 1] },
];

/**
 * Runs `form` on (M, K, N) at offsets inside padded buffers, with and without
 * accumulation, and checks the output region against the reference and every value
 * outside it (and all of A and B) for being untouched. Returns the problems found.
 */
function checkForm(form: Form, Ctor: Ctor, rel: number, M: number, K: number, N: number, seed: number): string[] {
  const rand = lcg(seed);
  const aOff = 3, bOff = 5, outOff = 7;
  const A = padded(Ctor, form.aLen(M, K), aOff, 4, rand, false);
  const B = padded(Ctor, form.bLen(K, N), bOff, 6, rand, false);
  const A0 = Ctor.from(A), B0 = Ctor.from(B);
  const [ai, ak, bk, bj] = form.strides(M, K, N);
  const { val, mag } = reference(M, K, N, A, aOff, ai, ak, B, bOff, bk, bj);
  const problems: string[] = [];
  for (const accumulate of [false, true]) {
    const out = padded(Ctor, M * N, outOff, 9, rand);
    const before = Float64Array.from(out);
    form.fn(out, outOff, A, aOff, B, bOff, M, K, N, accumulate);
    for (let i = 0; i < out.length; i++) {
      const inside = i >= outOff && i < outOff + M * N;
      if (!inside) {
        if (!Object.is(out[i], before[i])) problems.push(`acc=${accumulate}: wrote outside the output at ${i}`);
        continue;
      }
      const e = i - outOff;
      const expected = val[e] + (accumulate ? before[i] : 0);
      const scale = mag[e] + (accumulate ? Math.abs(before[i]) : 0);
      const tol = rel * Math.max(scale, 1e-30);
      if (!(Math.abs(out[i] - expected) <= tol)) problems.push(`acc=${accumulate}: out[${Math.floor(e / N)},${e % N}] = ${out[i]}, expected ${expected}`);
    }
    for (let i = 0; i < A.length; i++) if (!Object.is(A[i], A0[i])) problems.push(`modified A at ${i}`);
    for (let i = 0; i < B.length; i++) if (!Object.is(B[i], B0[i])) problems.push(`modified B at ${i}`);
  }
  return problems;
}

describe.each(DTYPES)('$name', ({ Ctor, rel }) => {
  describe.each(FORMS)('$name', (form) => {
    it('matches the naive product for every M, K, N in {1,2,3,4,5,7,8,9}, at offsets, with and without accumulate', () => {
      const problems: string[] = [];
      let seed = 1;
      for (const M of SMALL) for (const K of SMALL) for (const N of SMALL) {
        for (const p of checkForm(form, Ctor, rel, M, K, N, seed++)) problems.push(`M=${M} K=${K} N=${N}: ${p}`);
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it.each(REAL)('matches on the product shape M=%i K=%i N=%i', (M, K, N) => {
      expect(checkForm(form, Ctor, rel, M, K, N, M * 7 + K * 3 + N).slice(0, 10)).toEqual([]);
    });
  });

  it('gemm with arbitrary strides (A and B both transposed) matches the reference', () => {
    const problems: string[] = [];
    for (const [M, K, N] of [[5, 7, 6], [4, 4, 4], [9, 3, 1], [1, 9, 8], [8, 1, 9]] as const) {
      const rand = lcg(M * 100 + K * 10 + N);
      const aOff = 2, bOff = 4, outOff = 1;
      // A stored (K, M): row i of the logical A is column i, ai = 1, ak = M.
      // B stored (N, K): column j of the logical B is row j, bj = K, bk = 1.
      const A = padded(Ctor, K * M, aOff, 3, rand, false);
      const B = padded(Ctor, N * K, bOff, 3, rand, false);
      const { val, mag } = reference(M, K, N, A, aOff, 1, M, B, bOff, 1, K);
      for (const accumulate of [false, true]) {
        const out = padded(Ctor, M * N, outOff, 5, rand);
        const before = Float64Array.from(out);
        gemm(out, outOff, A, aOff, 1, M, B, bOff, K, 1, M, K, N, accumulate);
        for (let i = 0; i < out.length; i++) {
          const e = i - outOff;
          if (e < 0 || e >= M * N) { if (out[i] !== before[i]) problems.push(`wrote outside at ${i}`); continue; }
          const expected = val[e] + (accumulate ? before[i] : 0);
          if (!(Math.abs(out[i] - expected) <= rel * (mag[e] + (accumulate ? Math.abs(before[i]) : 0)))) problems.push(`M=${M} K=${K} N=${N} acc=${accumulate} [${e}]: ${out[i]} vs ${expected}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('accumulate=false overwrites NaN garbage in the output (it never reads it)', () => {
    const rand = lcg(3);
    for (const [M, K, N] of [[4, 3, 4], [5, 2, 7], [1, 1, 1]] as const) {
      const A = padded(Ctor, M * K, 0, 0, rand), B = padded(Ctor, K * N, 0, 0, rand);
      const out = new Ctor(M * N).fill(NaN);
      matmul(out, 0, A, 0, B, 0, M, K, N, false);
      expect(Array.from(out).every(Number.isFinite)).toBe(true);
    }
  });

  it('addRowVector adds the bias to every row, only inside the region', () => {
    for (const [M, N] of [[1, 1], [3, 5], [7, 9], [32, 256]] as const) {
      const rand = lcg(M * 31 + N);
      const outOff = 6, biasOff = 2;
      const out = padded(Ctor, M * N, outOff, 4, rand);
      const bias = padded(Ctor, N, biasOff, 3, rand);
      const before = Float64Array.from(out);
      const bias0 = Ctor.from(bias);
      addRowVector(out, outOff, bias, biasOff, M, N);
      const problems: string[] = [];
      for (let i = 0; i < out.length; i++) {
        const e = i - outOff;
        if (e < 0 || e >= M * N) { if (out[i] !== before[i]) problems.push(`wrote outside at ${i}`); continue; }
        const bj = bias[biasOff + (e % N)];
        const expected = before[i] + bj;
        if (!(Math.abs(out[i] - expected) <= rel * (Math.abs(before[i]) + Math.abs(bj)))) problems.push(`M=${M} N=${N} [${e}]: ${out[i]} vs ${expected}`);
      }
      expect(problems).toEqual([]);
      expect(Array.from(bias)).toEqual(Array.from(bias0));
    }
  });

  it('sumRows sums the columns of A, overwriting or accumulating, only inside the region', () => {
    for (const [M, N] of [[1, 1], [1, 7], [4, 3], [9, 5], [256, 64]] as const) {
      const rand = lcg(M * 17 + N);
      const aOff = 5, outOff = 3;
      const A = padded(Ctor, M * N, aOff, 2, rand);
      for (const accumulate of [false, true]) {
        const out = padded(Ctor, N, outOff, 4, rand);
        const before = Float64Array.from(out);
        sumRows(out, outOff, A, aOff, M, N, accumulate);
        for (let i = 0; i < out.length; i++) {
          const j = i - outOff;
          if (j < 0 || j >= N) { expect(out[i]).toBe(before[i]); continue; }
          let s = accumulate ? before[i] : 0, m = Math.abs(s);
          for (let r = 0; r < M; r++) { s += at(A, aOff, N, r, j); m += Math.abs(at(A, aOff, N, r, j)); }
          // summation in storage precision rounds once per row
          expect(Math.abs(out[i] - s), `M=${M} N=${N} acc=${accumulate} j=${j}`).toBeLessThanOrEqual(rel * m * Math.max(1, M / 16));
        }
      }
    }
  });
});

describe('self-check of the reference', () => {
  it('the reference product of known 2x3 · 3x2 matrices is right', () => {
    const A = Float64Array.of(1, 2, 3, 4, 5, 6);     // (2, 3)
    const B = Float64Array.of(7, 8, 9, 10, 11, 12);  // (3, 2)
    const { val } = reference(2, 3, 2, A, 0, 3, 1, B, 0, 2, 1);
    expect(Array.from(val)).toEqual([58, 64, 139, 154]);
    const out = new Float64Array(4);
    matmul(out, 0, A, 0, B, 0, 2, 3, 2, false);
    expect(Array.from(out)).toEqual([58, 64, 139, 154]);
  });

  it('the checker reports a wrong kernel (so it can fail)', () => {
    const broken: Form = { ...FORMS[0], fn: (out, outOff, A, aOff, B, bOff, M, K, N, acc) => { matmul(out, outOff, A, aOff, B, bOff, M, K, N, acc); out[outOff + M * N] = 0; } };
    expect(checkForm(broken, Float64Array, 1e-12, 3, 2, 5, 1).some((p) => p.includes('outside'))).toBe(true);
    const transposed: Form = { ...FORMS[0], fn: matmulBT };
    expect(checkForm(transposed, Float64Array, 1e-12, 3, 3, 3, 1).length).toBeGreaterThan(0);
  });
});
