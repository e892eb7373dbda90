// The GRU in ONNX's conventions with linear_before_reset = 1 (what cuDNN, PyTorch and
// Keras' reset_after train), ../shared/docs/recurrent-cells.md:
//
//   z_t = σ(W_z x_t + R_z h_{t-1} + Wb_z + Rb_z)          update gate (z keeps the OLD state)
//   r_t = σ(W_r x_t + R_r h_{t-1} + Wb_r + Rb_r)          reset gate
//   n_t = tanh(W_h x_t + Wb_h + r_t ⊙ (R_h h_{t-1} + Rb_h))
//   h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}
//
// Dimensions: T steps, B batch, I input, H hidden, G = 3H. Gate blocks in ONNX's order
// z, r, h. Because Rb_h sits inside r ⊙ (...), the input projection carries only Wb and the
// recurrent projection carries Rb.

import { gemmRight, matmul, matmulAT, matmulBT, addRowVector, prepareRight, prepareTransposed, releaseRight, sumRows, type RightOperand } from '../tensor/matmul.js';
import { sigmoid, sigmoidGradFromOutput, tanhGradFromOutput } from '../tensor/activations.js';
import type { Random } from '../tensor/random.js';
import { allocVec, ensureVec, type DType, type Vec } from '../tensor/vec.js';
import type { NamedTensor, RecurrentLayer } from './layer.js';

const GATE_Z = 0, GATE_R = 1, GATE_H = 2;

export class GruLayer implements RecurrentLayer {
  readonly cell = 'gru' as const;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly paramCount: number;
  readonly hasCellState = false;
  private readonly dtype: DType;

  private W!: Vec;  // (3H, I)
  private R!: Vec;  // (3H, H)
  private Bw!: Vec; // (3H) Wb
  private Br!: Vec; // (3H) Rb
  private Bfull!: Vec; // (6H) ONNX B
  private dW: Vec | null = null;  // (3H, I)
  private dR: Vec | null = null;  // (3H, H)
  private dBw: Vec | null = null; // (3H)
  private dBr: Vec | null = null; // (3H)
  private dBfull: Vec | null = null; // (6H)

  private x: Vec | null = null;     // (T, B, I) by reference
  private xOff = 0;
  private gates: Vec | null = null; // (T, B, 3H) input projection on entry; z, r, n after forward
  private recH: Vec | null = null;  // (T, B, H) R_h h_{t-1} + Rb_h, kept for backward
  private h: Vec | null = null;     // (T+1, B, H) h_0 .. h_T
  private rec: Vec;                 // (B, 3H) per-step recurrent projection scratch
  private T = 0;
  private B = 0;
  private dGx: Vec | null = null;   // (T, B, 3H) dLoss/d(input-side pre-activations)
  private dGr: Vec | null = null;   // (T, B, 3H) dLoss/d(recurrent-side pre-activations)
  private dhRec: Vec | null = null; // (B, H) dLoss/dh_{t-1}
  private RtStream!: RightOperand;  // Rᵀ for single streaming steps: strides only, never pinned
  private stepGates: Vec;           // (B, 3H) streaming scratch
  private stepRecH: Vec;            // (B, H) streaming scratch

  constructor(inputSize: number, hiddenSize: number, dtype: DType) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.dtype = dtype;
    const G = 3 * hiddenSize;
    this.paramCount = G * inputSize + G * hiddenSize + 2 * G;
    this.rec = allocVec(dtype, G);
    this.stepGates = allocVec(dtype, G);
    this.stepRecH = allocVec(dtype, hiddenSize);
  }

  bind(params: Vec, grads: Vec | null, offset: number): void {
    const H = this.hiddenSize, I = this.inputSize, G = 3 * H;
    const oW = offset, oR = oW + G * I, oB = oR + G * H, end = oB + 2 * G;
    this.W = params.subarray(oW, oR);
    this.R = params.subarray(oR, oB);
    this.RtStream = prepareTransposed(this.R, H, G, 1, 1);
    this.Bfull = params.subarray(oB, end);
    this.Bw = params.subarray(oB, oB + G);
    this.Br = params.subarray(oB + G, end);
    if (grads) {
      this.dW = grads.subarray(oW, oR);
      this.dR = grads.subarray(oR, oB);
      this.dBfull = grads.subarray(oB, end);
      this.dBw = grads.subarray(oB, oB + G);
      this.dBr = grads.subarray(oB + G, end);
    }
  }

  init(rng: Random): void {
    const k = 1 / Math.sqrt(this.hiddenSize);
    rng.fillUniform(this.W, -k, k);
    rng.fillUniform(this.R, -k, k);
    this.Bfull.fill(0);
  }

  tensors(): NamedTensor[] {
    return this.named(this.W, this.R, this.Bfull);
  }

  gradTensors(): NamedTensor[] {
    if (!this.dW || !this.dR || !this.dBfull) throw new Error('layer has no gradient buffer bound');
    return this.named(this.dW, this.dR, this.dBfull);
  }

  private named(W: Vec, R: Vec, B: Vec): NamedTensor[] {
    const H = this.hiddenSize, I = this.inputSize;
    return [
      { name: 'W', shape: [1, 3 * H, I], data: W },
      { name: 'R', shape: [1, 3 * H, H], data: R },
      { name: 'B', shape: [1, 6 * H], data: B },
    ];
  }

  forward(x: Vec, xOff: number, T: number, B: number, h0: Vec | null, _c0: Vec | null): void {
    const I = this.inputSize, H = this.hiddenSize, G = 3 * H, BH = B * H;
    this.gates = ensureVec(this.gates, this.dtype, T * B * G);
    this.recH = ensureVec(this.recH, this.dtype, T * BH);
    this.h = ensureVec(this.h, this.dtype, (T + 1) * BH);
    this.rec = ensureVec(this.rec, this.dtype, B * G);
    this.x = x; this.xOff = xOff; this.T = T; this.B = B;
    const gates = this.gates, h = this.h;
    if (h0) h.set(h0.subarray(0, BH), 0); else h.fill(0, 0, BH);

    // Input projection for all steps: (T·B, 3H) = X·Wᵀ + Wb
    matmulBT(gates, 0, x, xOff, this.W, 0, T * B, I, G, false);
    addRowVector(gates, 0, this.Bw, 0, T * B, G);

    const Rt = prepareTransposed(this.R, H, G, B, T); // Rᵀ (H, 3H), laid out once for all steps
    try {
      for (let t = 0; t < T; t++) {
        gruCellForward(gates, t * B * G, Rt, this.Br, this.rec, h, t * BH, h, (t + 1) * BH, this.recH, t * BH, B, H);
      }
    } finally {
      releaseRight(Rt);
    }
  }

  output(): { buf: Vec; off: number } {
    if (!this.h) throw new Error('forward has not run');
    return { buf: this.h, off: this.B * this.hiddenSize };
  }

  finalState(): { h: Vec; hOff: number; c: Vec | null; cOff: number } {
    if (!this.h) throw new Error('forward has not run');
    return { h: this.h, hOff: this.T * this.B * this.hiddenSize, c: null, cOff: 0 };
  }

  backward(dy: Vec, dyOff: number, dx: Vec | null, dxOff: number): void {
    const { T, B } = this;
    const I = this.inputSize, H = this.hiddenSize, G = 3 * H, BH = B * H;
    if (!this.gates || !this.h || !this.recH || !this.x) throw new Error('backward before forward');
    if (!this.dW || !this.dR || !this.dBw || !this.dBr) throw new Error('layer has no gradient buffer bound');
    this.dGx = ensureVec(this.dGx, this.dtype, T * B * G);
    this.dGr = ensureVec(this.dGr, this.dtype, T * B * G);
    this.dhRec = ensureVec(this.dhRec, this.dtype, BH);
    const dGx = this.dGx, dGr = this.dGr, dhRec = this.dhRec;
    dhRec.fill(0, 0, BH);

    const R = prepareRight(this.R, 0, 1, H, G, H, B, T - 1); // R (3H, H) as it is, laid out once
    try {
      for (let t = T - 1; t >= 0; t--) {
        // On exit dhRec holds dLoss/dh_{t-1} through the direct path z ⊙ h_{t-1} ...
        gruCellBackward(this.gates, t * B * G, this.h, t * BH, this.recH, t * BH, dy, dyOff + t * BH, dhRec, dGx, t * B * G, dGr, t * B * G, B, H);
        // ... plus the path through the recurrent weights: (B, H) += dGr_t (B, 3H) · R (3H, H)
        if (t > 0) gemmRight(dhRec, 0, dGr, t * B * G, G, 1, R, B, true);
      }
    } finally {
      releaseRight(R);
    }

    matmulAT(this.dW, 0, dGx, 0, this.x, this.xOff, G, T * B, I, true);
    matmulAT(this.dR, 0, dGr, 0, this.h, 0, G, T * B, H, true);
    sumRows(this.dBw, 0, dGx, 0, T * B, G, true);
    sumRows(this.dBr, 0, dGr, 0, T * B, G, true);
    if (dx) matmul(dx, dxOff, dGx, 0, this.W, 0, T * B, G, I, false);
  }

  step(x: Vec, xOff: number, hIn: Vec, _cIn: Vec | null, hOut: Vec, _cOut: Vec | null, B: number): void {
    const I = this.inputSize, H = this.hiddenSize, G = 3 * H;
    this.stepGates = ensureVec(this.stepGates, this.dtype, B * G);
    this.stepRecH = ensureVec(this.stepRecH, this.dtype, B * H);
    this.rec = ensureVec(this.rec, this.dtype, B * G);
    matmulBT(this.stepGates, 0, x, xOff, this.W, 0, B, I, G, false);
    addRowVector(this.stepGates, 0, this.Bw, 0, B, G);
    gruCellForward(this.stepGates, 0, this.RtStream, this.Br, this.rec, hIn, 0, hOut, 0, this.stepRecH, 0, B, H);
  }
}

/**
 * One GRU time step for a batch, shared by the sequence forward and the streaming step.
 * gates (B, 3H) holds W·x_t + Wb on entry and z, r, n on exit; Rt is Rᵀ (H, 3H) from
 * prepareTransposed; rec (B, 3H) is scratch for h_{t-1}·Rᵀ + Rb; recH (B, H) receives
 * R_h h_{t-1} + Rb_h for backward. hOut may alias hPrev.
 */
export function gruCellForward(
  gates: Vec, gOff: number, Rt: RightOperand, Rb: Vec, rec: Vec,
  hPrev: Vec, hpOff: number, hOut: Vec, hoOff: number, recH: Vec, rhOff: number,
  B: number, H: number,
): void {
  const G = 3 * H;
  gemmRight(rec, 0, hPrev, hpOff, H, 1, Rt, B, false);
  addRowVector(rec, 0, Rb, 0, B, G);
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, r0 = b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = sigmoid(gates[g0 + GATE_Z * H + j] + rec[r0 + GATE_Z * H + j]);
      const r = sigmoid(gates[g0 + GATE_R * H + j] + rec[r0 + GATE_R * H + j]);
      const rh = rec[r0 + GATE_H * H + j];
      const n = Math.tanh(gates[g0 + GATE_H * H + j] + r * rh);
      const hp = hPrev[hpOff + s + j];
      gates[g0 + GATE_Z * H + j] = z;
      gates[g0 + GATE_R * H + j] = r;
      gates[g0 + GATE_H * H + j] = n;
      recH[rhOff + s + j] = rh;
      hOut[hoOff + s + j] = (1 - z) * n + z * hp;
    }
  }
}

/**
 * Backward of gruCellForward's element-wise part, same argument order. dy (B, H) + dhRec
 * (B, H) is dLoss/dh_t; on exit dhRec holds the direct part of dLoss/dh_{t-1} (z ⊙ dh).
 * Writes the input-side (z, r, n pre-activation) and recurrent-side (z, r, and R_h h + Rb_h)
 * gradients into dGx and dGr (B, 3H).
 */
export function gruCellBackward(
  gates: Vec, gOff: number, hPrev: Vec, hpOff: number, recH: Vec, rhOff: number,
  dy: Vec, dyOff: number, dhRec: Vec,
  dGx: Vec, dxOff: number, dGr: Vec, drOff: number,
  B: number, H: number,
): void {
  const G = 3 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, x0 = dxOff + b * G, r0 = drOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const z = gates[g0 + GATE_Z * H + j];
      const r = gates[g0 + GATE_R * H + j];
      const n = gates[g0 + GATE_H * H + j];
      const hp = hPrev[hpOff + s + j];
      const rh = recH[rhOff + s + j];
      const dh = dy[dyOff + s + j] + dhRec[s + j];
      const dan = dh * (1 - z) * tanhGradFromOutput(n);
      const daz = dh * (hp - n) * sigmoidGradFromOutput(z);
      const dar = dan * rh * sigmoidGradFromOutput(r);
      dGx[x0 + GATE_Z * H + j] = daz;
      dGx[x0 + GATE_R * H + j] = dar;
      dGx[x0 + GATE_H * H + j] = dan;
      dGr[r0 + GATE_Z * H + j] = daz;
      dGr[r0 + GATE_R * H + j] = dar;
      dGr[r0 + GATE_H * H + j] = dan * r;
      dhRec[s + j] = dh * z;
    }
  }
}
