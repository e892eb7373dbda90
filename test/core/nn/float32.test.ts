// The float32 production path against the float64 path (which the gradient checks verify
// against finite differences): with the same weights, at the product's shape (T = 49
// frames, 13 MFCCs, H = 32), probabilities agree to 1e-5 and gradients to 1e-3 of their
// largest magnitude. A float32 kernel bug (or one that only shows with rounding) shows here.
import { describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { Random } from '../../../core/tensor/random.js';

const T = 49, B = 4, F = 13, H = 32, C = 6;

describe.each(CELL_KINDS)('%s: float32 matches float64', (cell) => {
  it.each([
    { layers: 1, pooling: 'last' as const, normalized: false },
    { layers: 2, pooling: 'mean' as const, normalized: true },
  ])('$layers layer(s), $pooling pooling, normalised $normalized', ({ layers, pooling, normalized }) => {
    const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: H, layers, classes: C, dropout: 0, pooling };
    const m32 = new SequenceClassifier(config, { seed: 7 });
    const m64 = new SequenceClassifier(config, { dtype: 'float64', seed: 999 });
    expect(m32.params).toBeInstanceOf(Float32Array);
    expect(m64.params).toBeInstanceOf(Float64Array);
    const rng = new Random(8);
    // Perturb so that gates are not all near their init and gradients are sizeable.
    for (let i = 0; i < m32.paramCount; i++) m32.params[i] += 0.15 * rng.normal();
    m64.params.set(m32.params); // float32 values are exact in float64: identical weights
    expect(Array.from(m64.params)).toEqual(Array.from(m32.params));
    if (normalized) {
      const norm = { mean: Array.from({ length: F }, () => rng.normal()), std: Array.from({ length: F }, () => 0.5 + rng.next()) };
      m32.setNormalization(norm);
      m64.setNormalization(norm);
    }
    // MFCC-like inputs: float32 values, so both models see exactly the same numbers
    const x32 = new Float32Array(T * B * F).map(() => 2 * rng.normal());
    const x64 = Float64Array.from(x32);
    const labels = Array.from({ length: B }, (_, b) => b % C);

    const p32 = Float64Array.from(m32.forward(x32, T, B));
    const p64 = Float64Array.from(m64.forward(x64, T, B));
    let worstP = 0;
    for (let i = 0; i < B * C; i++) worstP = Math.max(worstP, Math.abs(p32[i] - p64[i]));
    expect(worstP).toBeLessThan(1e-5);
    // the probabilities are not degenerate (a uniform or one-hot output would hide errors)
    expect(Math.max(...p64)).toBeLessThan(0.99);
    expect(Math.max(...p64) - Math.min(...p64)).toBeGreaterThan(1e-3);

    const r32 = m32.lossAndGrad(x32, labels, T, B);
    const r64 = m64.lossAndGrad(x64, labels, T, B);
    expect(Math.abs(r32.loss - r64.loss)).toBeLessThan(1e-5 * Math.max(1, r64.loss));

    // per tensor, relative to that tensor's largest gradient
    let offset = 0;
    for (const t of m64.tensors()) {
      const n = t.data.length;
      let maxAbs = 0, worst = 0, worstAt = -1;
      for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(m64.grads[offset + i]));
      for (let i = 0; i < n; i++) {
        const d = Math.abs(m32.grads[offset + i] - m64.grads[offset + i]);
        if (!(d <= worst)) { worst = d; worstAt = i; }
      }
      if (maxAbs > 0) expect(worst / maxAbs, `${t.name}[${worstAt}] (max |g| ${maxAbs.toExponential(2)})`).toBeLessThan(1e-3);
      else expect(worst, `${t.name} float32 gradient where float64 has none`).toBe(0);
      offset += n;
    }
    expect(offset).toBe(m64.paramCount);
    // and overall, most gradients are non-zero (the comparison is about real numbers)
    let nonZero = 0;
    for (let i = 0; i < m64.paramCount; i++) if (m64.grads[i] !== 0) nonZero++;
    expect(nonZero).toBeGreaterThan(m64.paramCount / 2);
  });
});
