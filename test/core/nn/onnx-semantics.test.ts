// The cells' forward against a direct transcription of the ONNX operator definitions
// (onnx/docs/Operators.md, LSTM and GRU, one forward direction, default activations),
// reading the weights by ONNX's gate order from the layer's own ONNX-layout tensors.
// The gradient checks prove backward matches forward; this proves forward means what
// ONNX means (gate order, peepholes, input_forget, linear_before_reset), so that export
// can copy weights without permuting them.
import { describe, expect, it } from 'vitest';
import { createRecurrentLayer } from '../../../core/nn/create-layer.js';
import type { CellKind } from '../../../core/nn/layer.js';
import { Random } from '../../../core/tensor/random.js';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** ONNX LSTM, layout 0, X (T, B, I), W [1, 4H, I] (iofc), R [1, 4H, H], B [1, 8H], P [1, 3H] (iof). */
function onnxLstm(X: Float64Array, T: number, Bn: number, I: number, H: number, W: Float64Array, R: Float64Array, Bias: Float64Array, P: Float64Array | null, inputForget: boolean): Float64Array {
  const Y = new Float64Array(T * Bn * H);
  const h = new Float64Array(Bn * H), c = new Float64Array(Bn * H);
  const row = (gate: number, j: number) => gate * H + j; // gate index in iofc order
  for (let t = 0; t < T; t++) {
    const hPrev = h.slice(), cPrev = c.slice();
    for (let b = 0; b < Bn; b++) {
      for (let j = 0; j < H; j++) {
        const pre = (gate: number) => {
          let s = Bias[row(gate, j)] + Bias[4 * H + row(gate, j)];
          for (let k = 0; k < I; k++) s += W[row(gate, j) * I + k] * X[(t * Bn + b) * I + k];
          for (let k = 0; k < H; k++) s += R[row(gate, j) * H + k] * hPrev[b * H + k];
          return s;
        };
        const ct1 = cPrev[b * H + j];
        const pi = P ? P[j] : 0, po = P ? P[H + j] : 0, pf = P ? P[2 * H + j] : 0;
        const it = sig(pre(0) + pi * ct1);
        const ft = inputForget ? 1 - it : sig(pre(2) + pf * ct1);
        const ctilde = Math.tanh(pre(3));
        const ct = ft * ct1 + it * ctilde;
        const ot = sig(pre(1) + po * ct);
        c[b * H + j] = ct;
        h[b * H + j] = ot * Math.tanh(ct);
      }
    }
    Y.set(h, t * Bn * H);
  }
  return Y;
}

/** ONNX GRU, linear_before_reset = 1, W [1, 3H, I] (zrh), R [1, 3H, H], B [1, 6H]. */
function onnxGru(X: Float64Array, T: number, Bn: number, I: number, H: number, W: Float64Array, R: Float64Array, Bias: Float64Array): Float64Array {
  const Y = new Float64Array(T * Bn * H);
  const h = new Float64Array(Bn * H);
  for (let t = 0; t < T; t++) {
    const hPrev = h.slice();
    for (let b = 0; b < Bn; b++) {
      for (let j = 0; j < H; j++) {
        const xw = (gate: number) => { let s = Bias[gate * H + j]; for (let k = 0; k < I; k++) s += W[(gate * H + j) * I + k] * X[(t * Bn + b) * I + k]; return s; };
        const hr = (gate: number) => { let s = Bias[3 * H + gate * H + j]; for (let k = 0; k < H; k++) s += R[(gate * H + j) * H + k] * hPrev[b * H + k]; return s; };
        const zt = sig(xw(0) + hr(0));
        const rt = sig(xw(1) + hr(1));
        const ht = Math.tanh(xw(2) + rt * hr(2)); // linear_before_reset: r ⊙ (R_h h + Rb_h)
        h[b * H + j] = (1 - zt) * ht + zt * hPrev[b * H + j];
      }
    }
    Y.set(h, t * Bn * H);
  }
  return Y;
}

describe.each(['lstm', 'peephole', 'cifg', 'gru'] as CellKind[])('%s forward equals the ONNX operator definition', (cell) => {
  it.each([{ T: 1, B: 1, I: 3, H: 2 }, { T: 7, B: 3, I: 5, H: 4 }, { T: 20, B: 2, I: 13, H: 9 }])('T=$T B=$B I=$I H=$H', ({ T, B, I, H }) => {
    const layer = createRecurrentLayer(cell, I, H, 'float64');
    const params = new Float64Array(layer.paramCount);
    layer.bind(params, null, 0);
    const rng = new Random(T * 100 + H);
    // Random values everywhere, biases and (for CIFG) the unused forget block included:
    // ONNX ignores that block with input_forget = 1, so must we.
    for (let i = 0; i < params.length; i++) params[i] = rng.uniform(-0.8, 0.8);
    const x = new Float64Array(T * B * I).map(() => rng.normal());
    layer.forward(x, 0, T, B, null, null);
    const { buf, off } = layer.output();
    const ours = buf.subarray(off, off + T * B * H);
    const t = Object.fromEntries(layer.tensors().map((n) => [n.name, n.data as Float64Array]));
    const expected = cell === 'gru'
      ? onnxGru(x, T, B, I, H, t.W, t.R, t.B)
      : onnxLstm(x, T, B, I, H, t.W, t.R, t.B, t.P ?? null, cell === 'cifg');
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(ours[i] - expected[i]));
    expect(worst).toBeLessThan(1e-12);
    expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0.05); // not trivially zero
  });
});
