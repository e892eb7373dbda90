// What every recurrent layer offers the classifier, the exporters and the streaming
// runtime. Layers own no parameters: they are bound to a range of the model's flat
// parameter and gradient buffers, so the optimizer, clipping and checkpoints see one
// array each.
//
// Dimension legend (used in every file of core/nn):
//   T  time steps          B  batch size        I  input size (features or the layer below's H)
//   H  hidden size         G  gate width (4H for the LSTMs, 3H for the GRU)
//
// Sequences are sequence-major, (T, B, I), as ONNX's recurrent operators with layout = 0.

import type { Random } from '../tensor/random.js';
import type { Vec } from '../tensor/vec.js';

export type CellKind = 'lstm' | 'peephole' | 'cifg' | 'gru';
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'peephole', 'cifg', 'gru'];

/** One parameter tensor of a layer, by its ONNX name, as a view into the flat buffer. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Vec;
}

export interface RecurrentLayer {
  readonly cell: CellKind;
  readonly inputSize: number; // I
  readonly hiddenSize: number; // H
  readonly paramCount: number;
  /** Whether the layer carries a cell state c besides h (the LSTMs do, the GRU does not). */
  readonly hasCellState: boolean;

  /** Point the layer's views at [offset, offset + paramCount) of the flat buffers. */
  bind(params: Vec, grads: Vec | null, offset: number): void;
  /** Fresh random weights (the layer's own scheme, e.g. forget-gate bias 1). */
  init(rng: Random): void;
  /** Parameter views in ONNX's layout and gate order (W, R, B, and P for peepholes). */
  tensors(): NamedTensor[];
  /** Gradient views, same names and shapes as tensors(). */
  gradTensors(): NamedTensor[];

  /**
   * x (T, B, I) → h_1..h_T (T, B, H), keeping what backward needs. h0/c0 (B, H) or null
   * for zeros. The result is read with output() and stays valid until the next forward.
   */
  forward(x: Vec, xOff: number, T: number, B: number, h0: Vec | null, c0: Vec | null): void;
  /** The last forward's h_1..h_T (T, B, H) as buffer + offset. */
  output(): { buf: Vec; off: number };
  /** The last forward's final state h_T, c_T (B, H) as buffer + offset (c: null for the GRU). */
  finalState(): { h: Vec; hOff: number; c: Vec | null; cOff: number };
  /**
   * Backpropagation through the last forward: dy (T, B, H) is dLoss/dh_t. Accumulates
   * parameter gradients into the bound gradient buffer; writes dLoss/dx (T, B, I) into dx
   * when given (null skips that product, e.g. for the first layer).
   */
  backward(dy: Vec, dyOff: number, dx: Vec | null, dxOff: number): void;

  /**
   * One streaming step: x (B, I), state in (B, H) → state out (B, H). Runs the same cell
   * code as forward. Out may alias in. c buffers are ignored by the GRU.
   */
  step(x: Vec, xOff: number, hIn: Vec, cIn: Vec | null, hOut: Vec, cOut: Vec | null, B: number): void;
}
