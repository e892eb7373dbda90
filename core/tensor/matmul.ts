// Matrix products, the three forms backpropagation needs, over flat row-major buffers
// with explicit offsets (so callers never allocate a subarray view inside a loop).
//
//   matmul   : out (M, N) (+)= A (M, K) · B (K, N)      forward of x·W, backward dX = dY·W
//   matmulBT : out (M, N) (+)= A (M, K) · B (N, K)ᵀ     forward with ONNX-layout weights (rows = outputs)
//   matmulAT : out (M, N) (+)= A (K, M)ᵀ · B (K, N)     weight gradients dW = dYᵀ·X over all time steps
//
// Hand-written because this is the product's heart and the shapes are tiny (M = batch
// 1-64 or T·B, K and N = 13-512): a BLAS binding would cost more per call than the work,
// and tfjs kernels are the peer we measure against. All three forms share one register-
// blocked 4x4 micro-kernel with arbitrary strides: 16 multiply-adds per 8 loads and no
// stores in the inner loop, which measured ~3x the naive dot-product loop on these
// shapes. Accumulation happens in JS doubles, rounding once per output element.
// Float32 products of training size go to the WebAssembly SIMD kernel instead
// (wasm-gemm.ts), which accumulates in float32.

import type { Vec } from './vec.js';
import { WASM_GEMM_MIN_WORK, pinOperand, unpinOperand, wasmGemm, wasmGemmPinned, type PinnedOperand } from './wasm-gemm.js';

/** out (M, N) (+)= A (M, K) · B (K, N) */
export function matmul(
  out: Vec, outOff: number, A: Vec, aOff: number, B: Vec, bOff: number,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  gemm(out, outOff, A, aOff, K, 1, B, bOff, 1, N, M, K, N, accumulate);
}

/** out (M, N) (+)= A (M, K) · B (N, K)ᵀ */
export function matmulBT(
  out: Vec, outOff: number, A: Vec, aOff: number, B: Vec, bOff: number,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  gemm(out, outOff, A, aOff, K, 1, B, bOff, K, 1, M, K, N, accumulate);
}

/** out (M, N) (+)= A (K, M)ᵀ · B (K, N) */
export function matmulAT(
  out: Vec, outOff: number, A: Vec, aOff: number, B: Vec, bOff: number,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  gemm(out, outOff, A, aOff, 1, M, B, bOff, 1, N, M, K, N, accumulate);
}

/**
 * out[i, j] (+)= Σ_k A[aOff + i·ai + k·ak] · B[bOff + j·bj + k·bk], out row-major (M, N).
 * ai/ak and bj/bk are the strides of A's rows/depth and B's columns/depth.
 */
export function gemm(
  out: Vec, outOff: number,
  A: Vec, aOff: number, ai: number, ak: number,
  B: Vec, bOff: number, bj: number, bk: number,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  if (M >= 4 && M * K * N >= WASM_GEMM_MIN_WORK && wasmGemm(out, outOff, A, aOff, ai, ak, B, bOff, bj, bk, M, K, N, accumulate)) return;
  gemmJs(out, outOff, A, aOff, ai, ak, B, bOff, bj, bk, M, K, N, accumulate);
}

/** The scalar kernel: float64 buffers, small products, and runtimes without WebAssembly SIMD. */
export function gemmJs(
  out: Vec, outOff: number,
  A: Vec, aOff: number, ai: number, ak: number,
  B: Vec, bOff: number, bj: number, bk: number,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  const ai2 = 2 * ai, ai3 = 3 * ai, bj2 = 2 * bj, bj3 = 3 * bj;
  for (let i = 0; i < M4; i += 4) {
    for (let j = 0; j < N4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
      let pa = aOff + i * ai, pb = bOff + j * bj;
      for (let k = 0; k < K; k++) {
        const a0 = A[pa], a1 = A[pa + ai], a2 = A[pa + ai2], a3 = A[pa + ai3];
        const b0 = B[pb], b1 = B[pb + bj], b2 = B[pb + bj2], b3 = B[pb + bj3];
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
        s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
        s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
        pa += ak; pb += bk;
      }
      const o0 = outOff + i * N + j, o1 = o0 + N, o2 = o1 + N, o3 = o2 + N;
      if (accumulate) {
        out[o0] += s00; out[o0 + 1] += s01; out[o0 + 2] += s02; out[o0 + 3] += s03;
        out[o1] += s10; out[o1 + 1] += s11; out[o1 + 2] += s12; out[o1 + 3] += s13;
        out[o2] += s20; out[o2 + 1] += s21; out[o2 + 2] += s22; out[o2 + 3] += s23;
        out[o3] += s30; out[o3 + 1] += s31; out[o3 + 2] += s32; out[o3 + 3] += s33;
      } else {
        out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
        out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
        out[o2] = s20; out[o2 + 1] = s21; out[o2 + 2] = s22; out[o2 + 3] = s23;
        out[o3] = s30; out[o3 + 1] = s31; out[o3 + 2] = s32; out[o3 + 3] = s33;
      }
    }
    if (N4 < N) gemmEdge(out, outOff, A, aOff, ai, ak, B, bOff, bj, bk, i, i + 4, N4, N, K, N, accumulate);
  }
  // Leftover rows (M % 4; all of them at batch 1): one row against four columns at a time.
  for (let i = M4; i < M; i++) {
    for (let j = 0; j < N4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = aOff + i * ai, pb = bOff + j * bj;
      for (let k = 0; k < K; k++) {
        const a = A[pa];
        s0 += a * B[pb]; s1 += a * B[pb + bj]; s2 += a * B[pb + bj2]; s3 += a * B[pb + bj3];
        pa += ak; pb += bk;
      }
      const o = outOff + i * N + j;
      if (accumulate) { out[o] += s0; out[o + 1] += s1; out[o + 2] += s2; out[o + 3] += s3; }
      else { out[o] = s0; out[o + 1] = s1; out[o + 2] = s2; out[o + 3] = s3; }
    }
    if (N4 < N) gemmEdge(out, outOff, A, aOff, ai, ak, B, bOff, bj, bk, i, i + 1, N4, N, K, N, accumulate);
  }
}

function gemmEdge(
  out: Vec, outOff: number, A: Vec, aOff: number, ai: number, ak: number,
  B: Vec, bOff: number, bj: number, bk: number,
  i0: number, i1: number, j0: number, j1: number, K: number, N: number, accumulate: boolean,
): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j++) {
      let s = 0;
      let pa = aOff + i * ai, pb = bOff + j * bj;
      for (let k = 0; k < K; k++) { s += A[pa] * B[pb]; pa += ak; pb += bk; }
      const o = outOff + i * N + j;
      out[o] = accumulate ? out[o] + s : s;
    }
  }
}

/**
 * A right-hand operand B (K, N), element (k, j) at B[bOff + j·bj + k·bk], prepared once for
 * many products with different left-hand sides — the recurrent weights across the time
 * steps of a sequence. On the SIMD path it stays laid out in the kernel's memory until
 * released; elsewhere it is just the strides.
 */
export interface RightOperand {
  readonly B: Vec; readonly bOff: number; readonly bj: number; readonly bk: number;
  readonly K: number; readonly N: number;
  readonly pinned: PinnedOperand | null;
}

/**
 * Prepare B for `uses` products with M-row left operands; release it (in reverse order)
 * when done. Laying B out costs about one product, so a single use is not pinned.
 */
export function prepareRight(B: Vec, bOff: number, bj: number, bk: number, K: number, N: number, M: number, uses: number): RightOperand {
  const worth = uses > 1 && M * K * N >= WASM_GEMM_MIN_WORK / 4 && B instanceof Float32Array;
  return { B, bOff, bj, bk, K, N, pinned: worth ? pinOperand(B as Float32Array, bOff, bj, bk, K, N) : null };
}

/** A row-major (N, K) matrix, e.g. ONNX-layout weights (rows = outputs), as the right operand Wᵀ (K, N). */
export function prepareTransposed(W: Vec, K: number, N: number, M: number, uses: number): RightOperand {
  return prepareRight(W, 0, K, 1, K, N, M, uses);
}

export function releaseRight(r: RightOperand): void {
  if (r.pinned) unpinOperand(r.pinned);
}

/** out (M, N) (+)= A · r, A's element (i, k) at A[aOff + i·ai + k·ak]. */
export function gemmRight(out: Vec, outOff: number, A: Vec, aOff: number, ai: number, ak: number, r: RightOperand, M: number, accumulate: boolean): void {
  if (r.pinned && wasmGemmPinned(out, outOff, A, aOff, ai, ak, r.pinned, M, accumulate)) return;
  gemm(out, outOff, A, aOff, ai, ak, r.B, r.bOff, r.bj, r.bk, M, r.K, r.N, accumulate);
}

/** out (M, N) (+)= bias (N) broadcast over rows. */
export function addRowVector(out: Vec, outOff: number, bias: Vec, biasOff: number, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const o = outOff + i * N;
    for (let j = 0; j < N; j++) out[o + j] += bias[biasOff + j];
  }
}

/** out (N) (+)= Σ_rows A (M, N): the gradient of a broadcast bias. */
export function sumRows(out: Vec, outOff: number, A: Vec, aOff: number, M: number, N: number, accumulate: boolean): void {
  if (!accumulate) for (let j = 0; j < N; j++) out[outOff + j] = 0;
  for (let i = 0; i < M; i++) {
    const a = aOff + i * N;
    for (let j = 0; j < N; j++) out[outOff + j] += A[a + j];
  }
}
