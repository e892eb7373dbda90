// The WebAssembly SIMD path of the matrix products (kernel in gemm.wat): for float32
// products big enough to pay for the copy in and out of the module's memory, which is
// every product of a training step and batched inference. Scalar JS tops out near 1.5
// GMAC/s here; 128-bit SIMD with register blocking does several times that.
//
// The operands are gathered into the module's memory as contiguous, padded matrices
// (M up to a multiple of 4, N up to a multiple of 8), so the kernel has one simple shape and
// the caller's strides (transposes included) cost one pass over each operand. Padding
// rows and columns are left as they are: they only reach output rows and columns that are
// never read back.
//
// Where WebAssembly SIMD is missing (very old runtimes) `wasmGemm` returns false and the
// caller uses the JS kernel: same results up to float32 rounding.

import { GEMM_WASM_BASE64 } from './gemm-wasm.js';
import { compileWasm } from '../wasm-module.js';
import type { Vec } from './vec.js';

interface GemmExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gemm(out: number, a: number, b: number, M: number, K: number, N: number, acc: number): void;
  gemm_at(out: number, a: number, b: number, M: number, K: number, N: number, acc: number): void;
  gemv(out: number, a: number, b: number, K: number, N: number): void;
}

/** Smallest product (M·K·N multiply-adds, at least 4 rows) worth the trip through the module's memory. */
export const WASM_GEMM_MIN_WORK = 16 * 1024;

/**
 * Operands at least this big are copied with one TypedArray.set (a view object per call);
 * only whole-sequence operands (T·B rows) are, never a per-step one (B·H ≤ 64·512).
 */
const BULK_COPY = 65536;

/** Depth rows per gemm_at call (see run). */
const DEPTH_CHUNK = 256;

let kernel: GemmExports | null = null;
let heap = new Float32Array(0);
// The module's memory, in floats: [0, pinnedTop) holds pinned right-hand operands (a
// stack), the per-call operands go above.
let pinnedTop = 0;

function load(): GemmExports | null {
  try {
    return (compileWasm(GEMM_WASM_BASE64)?.instantiate().exports as GemmExports | undefined) ?? null;
  } catch {
    return null; // no SIMD support: the JS kernel serves
  }
}

kernel = load();
let enabled = kernel !== null;

/** Whether the SIMD kernel is in use (false: unsupported, or turned off for a comparison). */
export function wasmGemmEnabled(): boolean {
  return enabled;
}

/** Turn the SIMD path off or on (tests and benchmarks compare both; on by default when supported). */
export function setWasmGemmEnabled(on: boolean): void {
  enabled = on && kernel !== null;
}

function ensureHeap(floats: number): Float32Array {
  const k = kernel as GemmExports;
  const bytes = floats * 4;
  if (k.memory.buffer.byteLength < bytes) k.memory.grow(Math.ceil((bytes - k.memory.buffer.byteLength) / 65536));
  if (heap.buffer !== k.memory.buffer) heap = new Float32Array(k.memory.buffer); // growth replaced the buffer
  return heap;
}

/**
 * dst[dOff + r·dStride + c] = src[sOff + r·rs + c·cs] for r < rows, c < cols. One bulk copy
 * when both sides are contiguous and big; plain loops otherwise (no views allocated, as
 * this runs inside time-step loops).
 */
function copyIn(h: Float32Array, dOff: number, dStride: number, src: Float32Array, sOff: number, rs: number, cs: number, rows: number, cols: number): void {
  if (cs === 1 && rs === cols && dStride === cols && rows * cols >= BULK_COPY) {
    h.set(src.subarray(sOff, sOff + rows * cols), dOff);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const d = dOff + r * dStride;
    let s = sOff + r * rs;
    if (cs === 1) for (let c = 0; c < cols; c++) h[d + c] = src[s + c];
    else for (let c = 0; c < cols; c++, s += cs) h[d + c] = src[s];
  }
}

/** A right-hand operand b (K, N) laid out once in the module's memory for many products. */
export interface PinnedOperand {
  readonly ptr: number; // float offset of b (K, N8)
  readonly K: number;
  readonly N: number;
  readonly N8: number;
}

/**
 * Lay out b[k, j] = B[bOff + j·bj + k·bk] (K, N) in the module's memory until unpinned, so
 * that products over many time steps reuse it (the recurrent weights) instead of copying
 * it each step. Returns null without SIMD. Pins are a stack: unpin in reverse order.
 */
export function pinOperand(B: Float32Array, bOff: number, bj: number, bk: number, K: number, N: number): PinnedOperand | null {
  if (!enabled) return null;
  const N8 = (N + 7) & ~7;
  const ptr = pinnedTop;
  const h = ensureHeap(ptr + K * N8);
  copyIn(h, ptr, N8, B, bOff, bk, bj, K, N);
  pinnedTop = ptr + K * N8;
  return { ptr, K, N, N8 };
}

export function unpinOperand(p: PinnedOperand): void {
  if (p.ptr + p.K * p.N8 !== pinnedTop) throw new Error('pinned operands must be released in reverse order');
  pinnedTop = p.ptr;
}

/**
 * out[i, j] (+)= Σ_k A[aOff + i·ai + k·ak] · B[bOff + j·bj + k·bk], out row-major (M, N) at
 * outOff — gemm()'s contract. Returns false (doing nothing) when the SIMD path does not
 * apply: float64 buffers, or no SIMD support. gemm() sends only products of at least
 * WASM_GEMM_MIN_WORK here.
 */
export function wasmGemm(
  out: Vec, outOff: number,
  A: Vec, aOff: number, ai: number, ak: number,
  B: Vec, bOff: number, bj: number, bk: number,
  M: number, K: number, N: number, accumulate: boolean,
): boolean {
  if (!enabled) return false;
  if (!(out instanceof Float32Array && A instanceof Float32Array && B instanceof Float32Array)) return false;
  const N8 = (N + 7) & ~7;
  const pB = pinnedTop;
  copyIn(ensureHeap(pB + K * N8), pB, N8, B, bOff, bk, bj, K, N);
  return run(out, outOff, A, aOff, ai, ak, pB, M, K, N, N8, accumulate, pB + K * N8);
}

/** wasmGemm with a pinned right-hand operand. */
export function wasmGemmPinned(out: Vec, outOff: number, A: Vec, aOff: number, ai: number, ak: number, p: PinnedOperand, M: number, accumulate: boolean): boolean {
  if (!enabled || !(out instanceof Float32Array && A instanceof Float32Array)) return false;
  return run(out, outOff, A, aOff, ai, ak, p.ptr, M, p.K, p.N, p.N8, accumulate, pinnedTop);
}

function run(
  out: Float32Array, outOff: number, A: Float32Array, aOff: number, ai: number, ak: number,
  pB: number, M: number, K: number, N: number, N8: number, accumulate: boolean, free: number,
): boolean {
  const k = kernel as GemmExports;
  if (M < 4) {
    // One row at a time with the matrix-vector kernel (batch 1 inference, streaming).
    const pA = free, pO = pA + K;
    const h = ensureHeap(pO + N8);
    for (let i = 0; i < M; i++) {
      copyIn(h, pA, K, A, aOff + i * ai, 0, ak, 1, K);
      k.gemv(pO * 4, pA * 4, pB * 4, K, N8);
      const dst = outOff + i * N;
      if (accumulate) for (let j = 0; j < N; j++) out[dst + j] += h[pO + j];
      else for (let j = 0; j < N; j++) out[dst + j] = h[pO + j];
    }
    return true;
  }
  const M4 = (M + 3) & ~3;
  const pA = free, pO = pA + M4 * K; // a (M4, K) or (K, M4) | out (M4, N8)
  const h = ensureHeap(pO + M4 * N8);
  if (ai === 1 && ak !== 1) {
    // A is stored transposed, (K, M): lay it out as (K, M4) and let the kernel read it so.
    copyIn(h, pA, M4, A, aOff, ak, 1, K, M);
    // Depth in chunks, so that a (KC, 4) strip stays in L1 across the column blocks it
    // meets: the weight gradients have K = T·B ≈ 1,600.
    for (let k0 = 0; k0 < K; k0 += DEPTH_CHUNK) {
      k.gemm_at(pO * 4, (pA + k0 * M4) * 4, (pB + k0 * N8) * 4, M4, Math.min(DEPTH_CHUNK, K - k0), N8, k0 > 0 ? 1 : 0);
    }
  } else {
    copyIn(h, pA, K, A, aOff, ai, ak, M, K);
    k.gemm(pO * 4, pA * 4, pB * 4, M4, K, N8, 0);
  }
  if (!accumulate && N === N8 && M * N >= BULK_COPY) {
    out.set(h.subarray(pO, pO + M * N), outOff);
  } else {
    for (let i = 0; i < M; i++) {
      const src = pO + i * N8, dst = outOff + i * N;
      if (accumulate) for (let j = 0; j < N; j++) out[dst + j] += h[src + j];
      else for (let j = 0; j < N; j++) out[dst + j] = h[src + j];
    }
  }
  return true;
}
