// Streaming inference: feeding frames one at a time through step() must give, after every
// frame, what forward() gives over all frames so far; and each recurrent layer's single
// step must equal its sequence forward (including from a non-zero initial state).
import { describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig, type Pooling } from '../../../core/nn/classifier.js';
import { createRecurrentLayer } from '../../../core/nn/create-layer.js';
import { CELL_KINDS, type CellKind } from '../../../core/nn/layer.js';
import { Random } from '../../../core/tensor/random.js';
import type { DType, Vec } from '../../../core/tensor/vec.js';

const T = 12, F = 5, H = 7, C = 4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return Number.isNaN(worst) ? Infinity : worst;
}

interface Case { cell: CellKind; layers: number; pooling: Pooling; B: number; normalized: boolean }

const cases: Case[] = [];
let k = 0;
for (const cell of CELL_KINDS) for (const layers of [1, 2]) for (const pooling of ['last', 'mean'] as const) for (const B of [1, 3]) {
  cases.push({ cell, layers, pooling, B, normalized: k++ % 2 === 1 }); // normalisation in every other case
}

describe('SequenceClassifier.step agrees with forward over the frames so far', () => {
  it.each(cases)('$cell, $layers layer(s), $pooling pooling, batch $B, normalised $normalized', ({ cell, layers, pooling, B, normalized }) => {
    const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: H, layers, classes: C, dropout: 0.25, pooling };
    const model = new SequenceClassifier(config, { seed: 17 });
    const rng = new Random(31);
    // Larger-than-init weights and non-zero biases so the state matters and probabilities vary.
    for (const t of model.tensors()) for (let i = 0; i < t.data.length; i++) t.data[i] += 0.2 * rng.normal();
    if (normalized) {
      model.setNormalization({
        mean: Array.from({ length: F }, () => 2 * rng.normal()),
        std: Array.from({ length: F }, () => 0.3 + 2 * rng.next()),
      });
    }
    const x = new Float32Array(T * B * F).map(() => (normalized ? 3 : 1) * rng.normal() + (normalized ? 1 : 0));
    const state = model.createStreamState(B);
    expect(state.steps).toBe(0);

    const streamed: Float64Array[] = [];
    for (let t = 0; t < T; t++) {
      const probs = model.step(x.subarray(t * B * F, (t + 1) * B * F), state);
      expect(state.steps).toBe(t + 1);
      expect(probs).toBe(state.probs);
      streamed.push(Float64Array.from(probs.subarray(0, B * C)));
    }
    const distinct = new Set<number>();
    for (let t = 0; t < T; t++) {
      const whole = model.forward(x.subarray(0, (t + 1) * B * F), t + 1, B);
      expect(maxAbsDiff(streamed[t], whole, B * C), `after frame ${t}`).toBeLessThan(1e-6);
      for (let b = 0; b < B; b++) {
        let sum = 0;
        for (let c = 0; c < C; c++) sum += streamed[t][b * C + c];
        expect(sum).toBeCloseTo(1, 5);
      }
      distinct.add(Math.round(streamed[t][0] * 1e6));
    }
    // the probabilities really change from frame to frame (the comparison is not vacuous)
    expect(distinct.size).toBeGreaterThan(T / 2);

    // resetStreamState brings the stream back to the start
    model.resetStreamState(state);
    expect(state.steps).toBe(0);
    expect(Array.from(state.meanSum).every((v) => v === 0)).toBe(true);
    for (const h of state.h) expect(Array.from(h).every((v) => v === 0)).toBe(true);
    for (const c of state.c) if (c) expect(Array.from(c).every((v) => v === 0)).toBe(true);
    for (let t = 0; t < 3; t++) {
      const probs = model.step(x.subarray(t * B * F, (t + 1) * B * F), state);
      expect(maxAbsDiff(probs, streamed[t], B * C), `after reset, frame ${t}`).toBe(0);
    }
    // and it matches a fresh state
    const fresh = model.createStreamState(B);
    for (let t = 0; t < 3; t++) model.step(x.subarray(t * B * F, (t + 1) * B * F), fresh);
    expect(Array.from(fresh.probs)).toEqual(Array.from(state.probs));
  });

  it('streams of a batch are independent: one stream of a batch of 3 equals that stream alone', () => {
    const model = new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize: H, layers: 2, classes: C, dropout: 0, pooling: 'mean' }, { seed: 3 });
    const rng = new Random(4);
    const B = 3;
    const x = new Float32Array(T * B * F).map(() => rng.normal());
    const batch = model.createStreamState(B);
    const single = model.createStreamState(1);
    for (let t = 0; t < T; t++) {
      const pb = Float64Array.from(model.step(x.subarray(t * B * F, (t + 1) * B * F), batch));
      const ps = model.step(x.subarray(t * B * F + 1 * F, t * B * F + 2 * F), single); // stream b = 1
      expect(maxAbsDiff(pb.subarray(C, 2 * C), ps, C)).toBeLessThan(1e-6);
    }
  });

  it('two states of one model do not interfere', () => {
    const model = new SequenceClassifier({ cell: 'gru', inputSize: F, hiddenSize: H, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 3 });
    const rng = new Random(5);
    const xa = new Float32Array(T * F).map(() => rng.normal());
    const xb = new Float32Array(T * F).map(() => rng.normal());
    const a = model.createStreamState(1), b = model.createStreamState(1);
    for (let t = 0; t < T; t++) {
      model.step(xa.subarray(t * F, (t + 1) * F), a);
      model.step(xb.subarray(t * F, (t + 1) * F), b);
    }
    expect(maxAbsDiff(a.probs, model.forward(xa, T, 1), C)).toBeLessThan(1e-6);
    expect(maxAbsDiff(b.probs, model.forward(xb, T, 1), C)).toBeLessThan(1e-6);
  });
});

describe('RecurrentLayer.step equals forward + finalState', () => {
  const dtypes: DType[] = ['float64', 'float32'];
  const layerCases = CELL_KINDS.flatMap((cell) => dtypes.flatMap((dtype) => [1, 3].map((B) => ({ cell, dtype, B }))));

  it.each(layerCases)('$cell, $dtype, batch $B, from a non-zero initial state', ({ cell, dtype, B }) => {
    const I = 6, Hl = 5, Tl = 9;
    const tol = dtype === 'float64' ? 1e-12 : 1e-6;
    const layer = createRecurrentLayer(cell, I, Hl, dtype);
    const alloc = (n: number): Vec => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
    // bind at an offset inside a larger buffer, as the classifier does for layer 1+
    const pad = 11;
    const params = alloc(pad + layer.paramCount + 4);
    const grads = alloc(params.length);
    layer.bind(params, grads, pad);
    layer.init(new Random(41));
    const rng = new Random(42);
    for (const t of layer.tensors()) for (let i = 0; i < t.data.length; i++) t.data[i] += 0.3 * rng.normal();
    const xOff = 3;
    const x = alloc(xOff + Tl * B * I).map(() => rng.normal());
    const h0 = alloc(B * Hl).map(() => 0.8 * rng.normal());
    const c0 = layer.hasCellState ? alloc(B * Hl).map(() => rng.normal()) : null;
    expect(layer.hasCellState).toBe(cell !== 'gru');

    layer.forward(x, xOff, Tl, B, h0, c0);
    const out = layer.output();
    const seq = Float64Array.from(out.buf.subarray(out.off, out.off + Tl * B * Hl));
    const fin = layer.finalState();
    const hT = Float64Array.from(fin.h.subarray(fin.hOff, fin.hOff + B * Hl));
    const cT = fin.c ? Float64Array.from(fin.c.subarray(fin.cOff, fin.cOff + B * Hl)) : null;
    expect(fin.c === null).toBe(!layer.hasCellState);
    // the last output is the final h
    expect(maxAbsDiff(seq.subarray((Tl - 1) * B * Hl), hT)).toBe(0);

    // step in place (out aliases in), one frame at a time, from the same h0/c0
    const h = Float64Array.from(h0), hBuf = alloc(B * Hl); hBuf.set(h);
    const cBuf = c0 ? alloc(B * Hl) : null; if (cBuf && c0) cBuf.set(c0);
    for (let t = 0; t < Tl; t++) {
      layer.step(x, xOff + t * B * I, hBuf, cBuf, hBuf, cBuf, B);
      expect(maxAbsDiff(hBuf, seq.subarray(t * B * Hl, (t + 1) * B * Hl)), `h after step ${t}`).toBeLessThanOrEqual(tol);
    }
    expect(maxAbsDiff(hBuf, hT)).toBeLessThanOrEqual(tol);
    if (cT && cBuf) expect(maxAbsDiff(cBuf, cT)).toBeLessThanOrEqual(tol);
    // the state really moved away from h0 (so the comparison is not vacuous)
    expect(maxAbsDiff(hBuf, h)).toBeGreaterThan(1e-3);

    // stepping into separate output buffers leaves the inputs untouched and gives the same
    const hIn = alloc(B * Hl); hIn.set(h0);
    const cIn = c0 ? alloc(B * Hl) : null; if (cIn && c0) cIn.set(c0);
    const hOut = alloc(B * Hl), cOut = c0 ? alloc(B * Hl) : null;
    layer.step(x, xOff, hIn, cIn, hOut, cOut, B);
    expect(Array.from(hIn)).toEqual(Array.from(h0));
    if (cIn && c0) expect(Array.from(cIn)).toEqual(Array.from(c0));
    expect(maxAbsDiff(hOut, seq.subarray(0, B * Hl))).toBeLessThanOrEqual(tol);

    // a non-zero h0 matters: forward from zeros gives a different first output
    layer.forward(x, xOff, Tl, B, null, null);
    const z = layer.output();
    expect(maxAbsDiff(z.buf.subarray(z.off, z.off + B * Hl), seq.subarray(0, B * Hl))).toBeGreaterThan(1e-3);
  });
});
