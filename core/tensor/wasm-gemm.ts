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
import type { Vec } from './vec.js';

interface GemmExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  gemm(out: number, a: number, b: number, M: number, K: number, N: number): void;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** Smallest product (M·K·N multiply-adds, at least 4 rows) worth the trip through the module's memory. */
export const WASM_GEMM_MIN_WORK = 16 * 1024;

let kernel: GemmExports | null = null;
let heap = new Float32Array(0);

function load(): GemmExports | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
    if (!wasm) return null;
    const instance = new wasm.Instance(new wasm.Module(decodeBase64(GEMM_WASM_BASE64)), {});
    return instance.exports as GemmExports;
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
  const M4 = (M + 3) & ~3, N8 = (N + 7) & ~7;
  const pA = 0, pB = M4 * K, pO = pB + K * N8; // float offsets: a (M4, K) | b (K, N8) | out (M4, N8)
  const h = ensureHeap(pO + M4 * N8);
  // a (M4, K) ← A
  for (let i = 0; i < M; i++) {
    const dst = pA + i * K;
    let src = aOff + i * ai;
    if (ak === 1) h.set(A.subarray(src, src + K), dst);
    else for (let k = 0; k < K; k++, src += ak) h[dst + k] = A[src];
  }
  // b (K, N8) ← B
  if (bj === 1) {
    for (let k = 0; k < K; k++) { const src = bOff + k * bk; h.set(B.subarray(src, src + N), pB + k * N8); }
  } else {
    for (let k = 0; k < K; k++) {
      const dst = pB + k * N8;
      let src = bOff + k * bk;
      for (let j = 0; j < N; j++, src += bj) h[dst + j] = B[src];
    }
  }
  (kernel as GemmExports).gemm(pO * 4, pA * 4, pB * 4, M4, K, N8);
  for (let i = 0; i < M; i++) {
    const src = pO + i * N8, dst = outOff + i * N;
    if (accumulate) for (let j = 0; j < N; j++) out[dst + j] += h[src + j];
    else out.set(h.subarray(src, src + N), dst);
  }
  return true;
}

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0, value = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    value = (value << 6) | alphabet.indexOf(clean[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (value >> bits) & 0xff; }
  }
  return out;
}
