// Backpropagation through time against central finite differences, in float64 so the
// comparison is tight (1e-7 absolute, 1e-5 relative). Every parameter of every tensor and
// every input value is checked, for each cell, with and without peepholes, for several
// shapes, stacking, dropout, both poolings, class weights and label smoothing.
import { describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/index.js';
import { Random } from '../../../core/tensor/random.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';

interface Case {
  name: string;
  T: number; B: number; F: number; H: number; C: number; layers: number;
  pooling: 'last' | 'mean'; dropout: number; smoothing: number; weights: number[] | null; normalized: boolean;
}

const cases: Case[] = [
  { name: 'one layer, last step', T: 5, B: 2, F: 4, H: 3, C: 3, layers: 1, pooling: 'last', dropout: 0, smoothing: 0, weights: null, normalized: false },
  { name: 'two layers, mean pooling, dropout, smoothing, class weights, normalised input', T: 4, B: 3, F: 3, H: 4, C: 4, layers: 2, pooling: 'mean', dropout: 0.3, smoothing: 0.1, weights: [1, 2, 0.5, 1.5], normalized: true },
  { name: 'three layers, one step, batch 1', T: 1, B: 1, F: 2, H: 5, C: 2, layers: 3, pooling: 'last', dropout: 0, smoothing: 0, weights: null, normalized: false },
  { name: 'odd sizes, long sequence', T: 9, B: 5, F: 7, H: 6, C: 5, layers: 1, pooling: 'last', dropout: 0, smoothing: 0.05, weights: null, normalized: false },
];

/** The loss recomputed independently from the model's probabilities. */
function referenceLoss(probs: Float64Array, labels: number[], C: number, smoothing: number, weights: number[] | null): number {
  let total = 0, wsum = 0;
  labels.forEach((y, b) => {
    const w = weights ? weights[y] : 1;
    let row = 0;
    for (let c = 0; c < C; c++) {
      const q = (c === y ? 1 - smoothing : 0) + smoothing / C;
      row -= q * Math.log(probs[b * C + c]);
    }
    total += w * row; wsum += w;
  });
  return total / wsum;
}

describe.each(CELL_KINDS)('%s gradients match finite differences', (cell) => {
  it.each(cases)('$name', (c) => {
    const config: ClassifierConfig = { cell, inputSize: c.F, hiddenSize: c.H, layers: c.layers, classes: c.C, dropout: c.dropout, pooling: c.pooling };
    const model = new SequenceClassifier(config, { dtype: 'float64', seed: 11 });
    const rng = new Random(5);
    // Perturb every parameter (including biases and the CIFG forget block is kept at zero
    // by the cell) so that no gradient is trivially zero by symmetry.
    for (const t of model.tensors()) for (let i = 0; i < t.data.length; i++) t.data[i] += 0.3 * rng.normal();
    if (c.normalized) model.setNormalization({ mean: Array.from({ length: c.F }, () => rng.normal()), std: Array.from({ length: c.F }, () => 0.5 + rng.next()) });
    const x = new Float64Array(c.T * c.B * c.F).map(() => rng.normal());
    const labels = Array.from({ length: c.B }, () => rng.int(c.C));
    const lossOpts = { labelSmoothing: c.smoothing, classWeights: c.weights };
    const dropoutSeed = 99;
    const lossAt = (): number => {
      const probs = model.forward(x, c.T, c.B, { training: true, rng: new Random(dropoutSeed) }) as Float64Array;
      return referenceLoss(probs, labels, c.C, c.smoothing, c.weights);
    };

    const inputGrad = new Float64Array(x.length);
    const { loss } = model.lossAndGrad(x, labels, c.T, c.B, { ...lossOpts, rng: new Random(dropoutSeed), inputGrad });
    expect(loss).toBeCloseTo(lossAt(), 12);
    const grads = Float64Array.from(model.grads);

    const eps = 1e-6;
    const check = (name: string, data: Float64Array | Float32Array, analytic: ArrayLike<number>, base: number): void => {
      let worst = 0, worstAt = -1;
      for (let i = 0; i < data.length; i++) {
        const saved = data[i];
        data[i] = saved + eps; const up = lossAt();
        data[i] = saved - eps; const down = lossAt();
        data[i] = saved;
        const numeric = (up - down) / (2 * eps);
        const a = analytic[base + i];
        const err = Math.abs(a - numeric) / (1e-2 + Math.abs(numeric));
        if (Math.abs(a - numeric) > 1e-7 && err > worst) { worst = err; worstAt = i; }
      }
      expect(worst, `${name}[${worstAt}] relative error`).toBeLessThan(1e-5);
    };
    let offset = 0;
    let checkedNonZero = 0;
    for (const t of model.tensors()) {
      check(t.name, t.data, grads, offset);
      for (let i = 0; i < t.data.length; i++) if (grads[offset + i] !== 0) checkedNonZero++;
      offset += t.data.length;
    }
    expect(offset).toBe(model.paramCount);
    // The check compared real gradients (with T = 1 and h_0 = 0, R legitimately gets none).
    expect(checkedNonZero).toBeGreaterThan(model.paramCount / 4);
    check('input', x, inputGrad, 0);
  });
});

describe('CIFG keeps its unused forget block at zero', () => {
  it('has zero forget-gate weights and gradients', () => {
    const model = new SequenceClassifier({ cell: 'cifg', inputSize: 3, hiddenSize: 4, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
    const rng = new Random(2);
    const x = new Float32Array(6 * 2 * 3).map(() => rng.normal());
    model.lossAndGrad(x, [0, 1], 6, 2);
    const [W, R, B] = model.layers[0].tensors();
    const [dW, dR, dB] = model.layers[0].gradTensors();
    const H = 4, I = 3, F_BLOCK = 2;
    const block = (v: ArrayLike<number>, width: number) => Array.from(v).slice(F_BLOCK * H * width, (F_BLOCK + 1) * H * width);
    expect(block(W.data, I).every((v) => v === 0)).toBe(true);
    expect(block(R.data, H).every((v) => v === 0)).toBe(true);
    expect(block(dW.data, I).every((v) => v === 0)).toBe(true);
    expect(block(dR.data, H).every((v) => v === 0)).toBe(true);
    expect(Array.from(dB.data).slice(F_BLOCK * H, (F_BLOCK + 1) * H).every((v) => v === 0)).toBe(true);
    expect(Array.from(B.data).slice(F_BLOCK * H, (F_BLOCK + 1) * H).every((v) => v === 0)).toBe(true);
    // and the other blocks do learn
    expect(Array.from(dW.data).some((v) => v !== 0)).toBe(true);
  });
});
