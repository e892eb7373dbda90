// The LSTM family in ONNX's conventions (../shared/docs/recurrent-cells.md):
//   'lstm'      the standard cell
//   'peephole'  gates also see the cell state through diagonal weights P (i, f see c_{t-1}; o sees c_t)
//   'cifg'      coupled input-forget gate, ONNX input_forget = 1: f_t = 1 - i_t. The forget-gate
//               rows of W, R, B exist (ONNX's layout) but stay zero and receive no gradient.
//
//   i_t = σ(W_i x_t + R_i h_{t-1} + Wb_i + Rb_i [+ p_i ⊙ c_{t-1}])
//   f_t = σ(W_f x_t + R_f h_{t-1} + Wb_f + Rb_f [+ p_f ⊙ c_{t-1}])     (cifg: 1 - i_t)
//   g_t = tanh(W_c x_t + R_c h_{t-1} + Wb_c + Rb_c)
//   c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
//   o_t = σ(W_o x_t + R_o h_{t-1} + Wb_o + Rb_o [+ p_o ⊙ c_t])
//   h_t = o_t ⊙ tanh(c_t)
//
// Dimensions: T steps, B batch, I input, H hidden, G = 4H. Gate blocks are stored in
// ONNX's order i, o, f, c (block k occupies rows [kH, (k+1)H) of W and R); P is i, o, f.

import { gemmRight, matmul, matmulAT, matmulBT, addRowVector, prepareRight, prepareTransposed, releaseRight, sumRows, type RightOperand } from '../tensor/matmul.js';
import { sigmoid, sigmoidGradFromOutput, tanhGradFromOutput } from '../tensor/activations.js';
import type { Random } from '../tensor/random.js';
import { allocVec, ensureVec, type DType, type Vec } from '../tensor/vec.js';
import type { CellKind, NamedTensor, RecurrentLayer } from './layer.js';

// Gate block offsets within a row of G = 4H, ONNX order.
const GATE_I = 0, GATE_O = 1, GATE_F = 2, GATE_C = 3;
// Peephole block offsets within P (3H), ONNX order.
const PEEP_I = 0, PEEP_O = 1, PEEP_F = 2;

export class LstmLayer implements RecurrentLayer {
  readonly cell: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly paramCount: number;
  readonly hasCellState = true;
  private readonly peephole: boolean;
  private readonly coupled: boolean;
  private readonly dtype: DType;

  // parameter views (bound into the model's flat buffer)
  private W!: Vec;  // (4H, I)
  private R!: Vec;  // (4H, H)
  private Bw!: Vec; // (4H)   Wb: first half of ONNX B
  private Br!: Vec; // (4H)   Rb: second half of ONNX B
  private P!: Vec;  // (3H)   peepholes i, o, f (empty unless peephole)
  private Bfull!: Vec; // (8H) Wb then Rb, i.e. ONNX B
  // gradient views, same shapes
  private dW: Vec | null = null;  // (4H, I)
  private dR: Vec | null = null;  // (4H, H)
  private dBw: Vec | null = null; // (4H)
  private dBr: Vec | null = null; // (4H)
  private dP: Vec | null = null;  // (3H)
  private dBfull: Vec | null = null; // (8H)

  // activations kept by forward for backward (grown on demand, never inside the time loop)
  private x: Vec | null = null;      // (T, B, I) the input, by reference
  private xOff = 0;
  private gates: Vec | null = null;  // (T, B, 4H) post-activation i, o, f, g
  private h: Vec | null = null;      // (T+1, B, H) h_0 .. h_T
  private c: Vec | null = null;      // (T+1, B, H) c_0 .. c_T
  private tc: Vec | null = null;     // (T, B, H) tanh(c_1) .. tanh(c_T), so backward need not recompute it
  private T = 0;
  private B = 0;
  // backward scratch
  private dGates: Vec | null = null; // (T, B, 4H) dLoss/d(pre-activation)
  private dhRec: Vec | null = null;  // (B, H) dLoss/dh_{t-1} through R
  private dc: Vec | null = null;     // (B, H) dLoss/dc_t carried backwards
  private bias: Vec;                 // (4H) Wb + Rb, refreshed each forward
  private RtStream!: RightOperand;  // Rᵀ for single streaming steps: strides only, never pinned
  private stepGates: Vec;            // (B, 4H) streaming scratch, grown on demand
  private stepTc: Vec;               // (B, H) streaming scratch

  constructor(cell: 'lstm' | 'peephole' | 'cifg', inputSize: number, hiddenSize: number, dtype: DType) {
    this.cell = cell;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.peephole = cell === 'peephole';
    this.coupled = cell === 'cifg';
    this.dtype = dtype;
    const G = 4 * hiddenSize;
    this.paramCount = G * inputSize + G * hiddenSize + 2 * G + (this.peephole ? 3 * hiddenSize : 0);
    this.bias = allocVec(dtype, G);
    this.stepGates = allocVec(dtype, G);
    this.stepTc = allocVec(dtype, hiddenSize);
  }

  bind(params: Vec, grads: Vec | null, offset: number): void {
    const H = this.hiddenSize, I = this.inputSize, G = 4 * H;
    const oW = offset, oR = oW + G * I, oB = oR + G * H, oP = oB + 2 * G, end = oP + (this.peephole ? 3 * H : 0);
    this.W = params.subarray(oW, oR);
    this.R = params.subarray(oR, oB);
    this.RtStream = prepareTransposed(this.R, H, G, 1, 1);
    this.Bfull = params.subarray(oB, oP);
    this.Bw = params.subarray(oB, oB + G);
    this.Br = params.subarray(oB + G, oP);
    this.P = params.subarray(oP, end);
    if (grads) {
      this.dW = grads.subarray(oW, oR);
      this.dR = grads.subarray(oR, oB);
      this.dBfull = grads.subarray(oB, oP);
      this.dBw = grads.subarray(oB, oB + G);
      this.dBr = grads.subarray(oB + G, oP);
      this.dP = grads.subarray(oP, end);
    }
  }

  init(rng: Random): void {
    // Uniform(±1/√H) like PyTorch's recurrent default; forget-gate bias 1 (split over Wb and
    // Rb, which add) so the cell starts out remembering (Jozefowicz et al., 2015).
    const H = this.hiddenSize;
    const k = 1 / Math.sqrt(H);
    rng.fillUniform(this.W, -k, k);
    rng.fillUniform(this.R, -k, k);
    this.Bfull.fill(0);
    if (this.peephole) rng.fillUniform(this.P, -k, k);
    if (this.coupled) {
      // The forget block does not exist in a CIFG cell: export it as zeros. Since f = 1 - i,
      // the equivalent of forget bias +1 is input bias -1.
      this.W.fill(0, GATE_F * H * this.inputSize, (GATE_F + 1) * H * this.inputSize);
      this.R.fill(0, GATE_F * H * H, (GATE_F + 1) * H * H);
      this.Bw.fill(-0.5, GATE_I * H, (GATE_I + 1) * H);
      this.Br.fill(-0.5, GATE_I * H, (GATE_I + 1) * H);
    } else {
      this.Bw.fill(0.5, GATE_F * H, (GATE_F + 1) * H);
      this.Br.fill(0.5, GATE_F * H, (GATE_F + 1) * H);
    }
  }

  tensors(): NamedTensor[] {
    return this.named(this.W, this.R, this.Bfull, this.P);
  }

  gradTensors(): NamedTensor[] {
    if (!this.dW || !this.dR || !this.dBfull || !this.dP) throw new Error('layer has no gradient buffer bound');
    return this.named(this.dW, this.dR, this.dBfull, this.dP);
  }

  private named(W: Vec, R: Vec, B: Vec, P: Vec): NamedTensor[] {
    const H = this.hiddenSize, I = this.inputSize;
    const list: NamedTensor[] = [
      { name: 'W', shape: [1, 4 * H, I], data: W },
      { name: 'R', shape: [1, 4 * H, H], data: R },
      { name: 'B', shape: [1, 8 * H], data: B },
    ];
    if (this.peephole) list.push({ name: 'P', shape: [1, 3 * H], data: P });
    return list;
  }

  forward(x: Vec, xOff: number, T: number, B: number, h0: Vec | null, c0: Vec | null): void {
    const I = this.inputSize, H = this.hiddenSize, G = 4 * H, BH = B * H;
    this.gates = ensureVec(this.gates, this.dtype, T * B * G);
    this.h = ensureVec(this.h, this.dtype, (T + 1) * BH);
    this.c = ensureVec(this.c, this.dtype, (T + 1) * BH);
    this.tc = ensureVec(this.tc, this.dtype, T * BH);
    this.x = x; this.xOff = xOff; this.T = T; this.B = B;
    const gates = this.gates, h = this.h, c = this.c, tc = this.tc;
    if (h0) h.set(h0.subarray(0, BH), 0); else h.fill(0, 0, BH);
    if (c0) c.set(c0.subarray(0, BH), 0); else c.fill(0, 0, BH);

    // Input projection for every step in one product, as cuDNN does: (T·B, 4H) = X·Wᵀ + Wb + Rb
    this.refreshBias();
    matmulBT(gates, 0, x, xOff, this.W, 0, T * B, I, G, false);
    addRowVector(gates, 0, this.bias, 0, T * B, G);

    const Rt = prepareTransposed(this.R, H, G, B, T); // Rᵀ (H, 4H), laid out once for all steps
    try {
      for (let t = 0; t < T; t++) {
        lstmCellForward(gates, t * B * G, Rt, this.P, h, t * BH, c, t * BH, h, (t + 1) * BH, c, (t + 1) * BH, tc, t * BH, B, H, this.peephole, this.coupled);
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
    if (!this.h || !this.c) throw new Error('forward has not run');
    const off = this.T * this.B * this.hiddenSize;
    return { h: this.h, hOff: off, c: this.c, cOff: off };
  }

  backward(dy: Vec, dyOff: number, dx: Vec | null, dxOff: number): void {
    const { T, B } = this;
    const I = this.inputSize, H = this.hiddenSize, G = 4 * H, BH = B * H;
    if (!this.gates || !this.h || !this.c || !this.tc || !this.x) throw new Error('backward before forward');
    if (!this.dW || !this.dR || !this.dBw || !this.dBr || !this.dP) throw new Error('layer has no gradient buffer bound');
    this.dGates = ensureVec(this.dGates, this.dtype, T * B * G);
    this.dhRec = ensureVec(this.dhRec, this.dtype, BH);
    this.dc = ensureVec(this.dc, this.dtype, BH);
    const dGates = this.dGates, dhRec = this.dhRec, dc = this.dc;
    dhRec.fill(0, 0, BH);
    dc.fill(0, 0, BH);

    const R = prepareRight(this.R, 0, 1, H, G, H, B, T - 1); // R (4H, H) as it is, laid out once
    try {
      for (let t = T - 1; t >= 0; t--) {
        lstmCellBackward(this.gates, t * B * G, this.P, this.c, t * BH, this.c, (t + 1) * BH, this.tc, t * BH, dy, dyOff + t * BH, dhRec, dc, dGates, t * B * G, this.dP, B, H, this.peephole, this.coupled);
        // dLoss/dh_{t-1} through the recurrent weights: (B, H) = dGates_t (B, 4H) · R (4H, H)
        if (t > 0) gemmRight(dhRec, 0, dGates, t * B * G, G, 1, R, B, false);
      }
    } finally {
      releaseRight(R);
    }

    // Weight gradients over all steps at once: (4H, I) += dGatesᵀ·X, (4H, H) += dGatesᵀ·H_{0..T-1}
    matmulAT(this.dW, 0, dGates, 0, this.x, this.xOff, G, T * B, I, true);
    matmulAT(this.dR, 0, dGates, 0, this.h, 0, G, T * B, H, true);
    sumRows(this.dBw, 0, dGates, 0, T * B, G, true);
    this.dBr.set(this.dBw); // Wb and Rb add, so their gradients are equal (grads are zeroed per batch)
    if (dx) matmul(dx, dxOff, dGates, 0, this.W, 0, T * B, G, I, false);
  }

  step(x: Vec, xOff: number, hIn: Vec, cIn: Vec | null, hOut: Vec, cOut: Vec | null, B: number): void {
    const I = this.inputSize, H = this.hiddenSize, G = 4 * H;
    if (!cIn || !cOut) throw new Error('an LSTM step needs cell state buffers');
    this.stepGates = ensureVec(this.stepGates, this.dtype, B * G);
    this.stepTc = ensureVec(this.stepTc, this.dtype, B * H);
    this.refreshBias();
    matmulBT(this.stepGates, 0, x, xOff, this.W, 0, B, I, G, false);
    addRowVector(this.stepGates, 0, this.bias, 0, B, G);
    lstmCellForward(this.stepGates, 0, this.RtStream, this.P, hIn, 0, cIn, 0, hOut, 0, cOut, 0, this.stepTc, 0, B, H, this.peephole, this.coupled);
  }

  private refreshBias(): void {
    const G = 4 * this.hiddenSize;
    for (let j = 0; j < G; j++) this.bias[j] = this.Bw[j] + this.Br[j];
  }
}

/**
 * One LSTM time step for a batch, shared by the sequence forward and the streaming step.
 * gates (B, 4H) holds the input projection W·x_t + Wb + Rb on entry and the activated
 * gates i, o, f, g on exit. Rt is Rᵀ (H, 4H) prepared by prepareTransposed. hPrev, cPrev →
 * hOut, cOut, and tanh(c_t) → tcOut, all (B, H); out may alias prev.
 */
export function lstmCellForward(
  gates: Vec, gOff: number, Rt: RightOperand, P: Vec,
  hPrev: Vec, hpOff: number, cPrev: Vec, cpOff: number,
  hOut: Vec, hoOff: number, cOut: Vec, coOff: number, tcOut: Vec, tcOff: number,
  B: number, H: number, peephole: boolean, coupled: boolean,
): void {
  const G = 4 * H;
  // recurrent projection: gates (B, 4H) += h_{t-1} (B, H) · Rᵀ (H, 4H)
  gemmRight(gates, gOff, hPrev, hpOff, H, 1, Rt, B, true);
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const cp = cPrev[cpOff + s + j];
      let ai = gates[g0 + GATE_I * H + j];
      let ao = gates[g0 + GATE_O * H + j];
      let af = gates[g0 + GATE_F * H + j];
      if (peephole) {
        ai += P[PEEP_I * H + j] * cp;
        af += P[PEEP_F * H + j] * cp;
      }
      const i = sigmoid(ai);
      const f = coupled ? 1 - i : sigmoid(af);
      const g = Math.tanh(gates[g0 + GATE_C * H + j]);
      const c = f * cp + i * g;
      if (peephole) ao += P[PEEP_O * H + j] * c;
      const o = sigmoid(ao);
      gates[g0 + GATE_I * H + j] = i;
      gates[g0 + GATE_O * H + j] = o;
      gates[g0 + GATE_F * H + j] = f;
      gates[g0 + GATE_C * H + j] = g;
      const tc = Math.tanh(c);
      cOut[coOff + s + j] = c;
      tcOut[tcOff + s + j] = tc;
      hOut[hoOff + s + j] = o * tc;
    }
  }
}

/**
 * Backward of lstmCellForward's element-wise part, same argument order. Reads the kept
 * gates, c_{t-1}, c_t and tanh(c_t); dy (B, H) + dhRec (B, H) is dLoss/dh_t; dc (B, H) holds
 * dLoss/dc_t from step t+1 on entry and dLoss/dc_{t-1} on exit. Writes dLoss/d(pre-
 * activation) into dGates (B, 4H) and accumulates peephole gradients into dP (3H).
 */
export function lstmCellBackward(
  gates: Vec, gOff: number, P: Vec,
  cPrev: Vec, cpOff: number, cCur: Vec, ccOff: number, tcCur: Vec, tcOff: number,
  dy: Vec, dyOff: number, dhRec: Vec, dc: Vec,
  dGates: Vec, dgOff: number, dP: Vec,
  B: number, H: number, peephole: boolean, coupled: boolean,
): void {
  const G = 4 * H;
  for (let b = 0; b < B; b++) {
    const g0 = gOff + b * G, d0 = dgOff + b * G, s = b * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g0 + GATE_I * H + j];
      const o = gates[g0 + GATE_O * H + j];
      const f = gates[g0 + GATE_F * H + j];
      const g = gates[g0 + GATE_C * H + j];
      const cp = cPrev[cpOff + s + j];
      const c = cCur[ccOff + s + j];
      const tc = tcCur[tcOff + s + j];
      const dh = dy[dyOff + s + j] + dhRec[s + j];
      const dao = dh * tc * sigmoidGradFromOutput(o);
      let dct = dc[s + j] + dh * o * tanhGradFromOutput(tc);
      if (peephole) dct += dao * P[PEEP_O * H + j];
      const dag = dct * i * tanhGradFromOutput(g);
      let dai: number, daf: number, dcp: number;
      if (coupled) {
        dai = dct * (g - cp) * sigmoidGradFromOutput(i);
        daf = 0;
        dcp = dct * f;
      } else {
        dai = dct * g * sigmoidGradFromOutput(i);
        daf = dct * cp * sigmoidGradFromOutput(f);
        dcp = dct * f;
      }
      if (peephole) {
        dcp += dai * P[PEEP_I * H + j];
        dP[PEEP_I * H + j] += dai * cp;
        dP[PEEP_O * H + j] += dao * c;
        if (!coupled) {
          dcp += daf * P[PEEP_F * H + j];
          dP[PEEP_F * H + j] += daf * cp;
        }
      }
      dGates[d0 + GATE_I * H + j] = dai;
      dGates[d0 + GATE_O * H + j] = dao;
      dGates[d0 + GATE_F * H + j] = daf;
      dGates[d0 + GATE_C * H + j] = dag;
      dc[s + j] = dcp;
    }
  }
}
