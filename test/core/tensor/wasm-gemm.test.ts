// The WebAssembly SIMD kernel against the scalar JS kernel (itself checked against a naive
// reference in matmul.test.ts): every padding case of rows (M mod 4) and columns (N mod 8),
// all three stride patterns (A·B, A·Bᵀ, Aᵀ·B), offsets, accumulation; and the committed
// module bytes against their source.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gemmJs } from '../../../core/tensor/matmul.js';
import { pinOperand, setWasmGemmEnabled, unpinOperand, wasmGemm, wasmGemmEnabled, wasmGemmPinned } from '../../../core/tensor/wasm-gemm.js';
import { Random } from '../../../core/tensor/random.js';
import { buildWasmModule } from '../../../scripts/build-wasm.js';

type Form = 'AB' | 'ABt' | 'AtB';
function strides(form: Form, M: number, K: number, N: number) {
  switch (form) {
    case 'AB': return { ai: K, ak: 1, bj: 1, bk: N };
    case 'ABt': return { ai: K, ak: 1, bj: K, bk: 1 };
    case 'AtB': return { ai: 1, ak: M, bj: 1, bk: N };
  }
}

describe('WebAssembly SIMD gemm', () => {
  it('is available in this runtime (else training silently runs on the slow path)', () => {
    expect(wasmGemmEnabled()).toBe(true);
  });

  const shapes: [number, number, number][] = [];
  for (const M of [1, 2, 3, 4, 5, 6, 7, 8, 13]) for (const N of [1, 3, 7, 8, 9, 15, 16, 17]) for (const K of [1, 2, 13]) shapes.push([M, K, N]);
  shapes.push([32, 64, 256], [256, 1568, 64], [1568, 13, 256], [32, 256, 64], [33, 65, 257]);

  it.each(shapes.flatMap((s) => (['AB', 'ABt', 'AtB'] as Form[]).map((form) => [form, ...s] as const)))('%s M=%i K=%i N=%i', (form, M, K, N) => {
    const rng = new Random(M * 1000 + K * 10 + N);
    const aOff = 3, bOff = 5, outOff = 7;
    const A = new Float32Array(aOff + M * K + 4).map(() => rng.normal());
    const B = new Float32Array(bOff + K * N + 4).map(() => rng.normal());
    const { ai, ak, bj, bk } = strides(form, M, K, N);
    for (const accumulate of [false, true]) {
      const init = new Float32Array(outOff + M * N + 9).map(() => rng.normal());
      const ours = Float32Array.from(init), ref = Float32Array.from(init);
      expect(wasmGemm(ours, outOff, A, aOff, ai, ak, B, bOff, bj, bk, M, K, N, accumulate)).toBe(true);
      gemmJs(ref, outOff, A, aOff, ai, ak, B, bOff, bj, bk, M, K, N, accumulate);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) {
        const inside = i >= outOff && i < outOff + M * N;
        if (!inside) expect(ours[i]).toBe(init[i]); // nothing outside the output is touched
        worst = Math.max(worst, Math.abs(ours[i] - ref[i]) / (1 + Math.abs(ref[i])));
      }
      // float32 accumulation over K terms of unit-variance products
      expect(worst).toBeLessThan(2e-6 * Math.sqrt(K) + 1e-6);
    }
  });

  it('pinned operands give the same products, nest as a stack, and refuse out-of-order release', () => {
    const rng = new Random(4);
    const H = 24, G = 96, B = 5;
    const R = new Float32Array(G * H).map(() => rng.normal());  // (G, H), used as Rᵀ (H, G)
    const R2 = new Float32Array(H * G).map(() => rng.normal()); // (H, G) as it is
    const outer = pinOperand(R, 0, H, 1, H, G);
    const inner = pinOperand(R2, 0, 1, G, H, G);
    if (!outer || !inner) throw new Error('SIMD path unavailable');
    expect(() => unpinOperand(outer)).toThrow();
    for (const [M, p, Bm, bj, bk] of [[B, outer, R, H, 1], [1, outer, R, H, 1], [3, inner, R2, 1, G]] as const) {
      const h = new Float32Array(M * H).map(() => rng.normal());
      const ours = new Float32Array(M * G).fill(0.5), ref = new Float32Array(M * G).fill(0.5);
      expect(wasmGemmPinned(ours, 0, h, 0, H, 1, p, M, true)).toBe(true);
      gemmJs(ref, 0, h, 0, H, 1, Bm, 0, bj, bk, M, H, G, true);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(ours[i] - ref[i])).toBeLessThan(1e-5 * (1 + Math.abs(ref[i])));
    }
    unpinOperand(inner);
    unpinOperand(outer);
    // after release, a fresh pin reuses the bottom of the stack
    const again = pinOperand(R, 0, H, 1, H, G);
    expect(again?.ptr).toBe(outer.ptr);
    if (again) unpinOperand(again);
  });

  it('refuses float64 buffers (they stay on the exact JS path)', () => {
    const a = new Float64Array(64), b = new Float64Array(64), out = new Float64Array(16);
    expect(wasmGemm(out, 0, a, 0, 16, 1, b, 0, 1, 4, 4, 16, 4, false)).toBe(false);
  });

  it('can be turned off and on', () => {
    const a = new Float32Array(64), b = new Float32Array(64), out = new Float32Array(16);
    setWasmGemmEnabled(false);
    try {
      expect(wasmGemmEnabled()).toBe(false);
      expect(wasmGemm(out, 0, a, 0, 16, 1, b, 0, 1, 4, 4, 16, 4, false)).toBe(false);
    } finally {
      setWasmGemmEnabled(true);
    }
    expect(wasmGemm(out, 0, a, 0, 16, 1, b, 0, 1, 4, 4, 16, 4, false)).toBe(true);
  });

  it('the committed module is built from gemm.wat', async () => {
    const committed = readFileSync(new URL('../../../core/tensor/gemm-wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await buildWasmModule('gemm'));
  });
});
