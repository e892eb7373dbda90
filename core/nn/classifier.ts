// The sequence classifier: feature normalisation, 1-3 stacked recurrent layers (any
// cell) with dropout between them, and a dense softmax head on the last step or on the
// mean of all steps. All parameters live in one flat buffer (and all gradients in
// another) with named views, so the optimizer, clipping, checkpoints and exporters each
// handle one array.
//
// Dimensions: T steps, B batch, F features (= the first layer's I), H hidden, C classes, L layers.
// Parameter layout: layer 0 | layer 1 | ... | head W (C, H) | head b (C).

import { ConfigError } from '../errors.js';
import { softmaxRows } from '../tensor/activations.js';
import { Random } from '../tensor/random.js';
import { allocVec, ensureVec, type DType, type Vec } from '../tensor/vec.js';
import { createRecurrentLayer } from './create-layer.js';
import { denseBackward, denseForward } from './dense.js';
import { dropoutBackward, dropoutForward } from './dropout.js';
import { CELL_KINDS, type CellKind, type NamedTensor, type RecurrentLayer } from './layer.js';
import { softmaxCrossEntropy, type LossOptions } from './loss.js';

export type Pooling = 'last' | 'mean';

export interface ClassifierConfig {
  cell: CellKind;
  inputSize: number;  // F
  hiddenSize: number; // H
  layers: number;     // L, 1-3
  classes: number;    // C
  /** Dropout probability between stacked layers (training only). */
  dropout: number;
  /** What the head sees: the last step's h, or the mean of h over all steps. */
  pooling: Pooling;
}

/** Checks every field; throws ConfigError naming the first bad one. */
/** What a SequenceClassifier may be: checked here, and what an ONNX import may declare (core/onnx). */
export const CLASSIFIER_BOUNDS = { maxFeatures: 4096, maxHidden: 4096, maxLayers: 3, minClasses: 2, maxClasses: 4096 } as const;

export function validateClassifierConfig(config: ClassifierConfig): ClassifierConfig {
  const intIn = (name: keyof ClassifierConfig, lo: number, hi: number): void => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new ConfigError('bad-config', `${name} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
    }
  };
  if (!CELL_KINDS.includes(config.cell)) throw new ConfigError('bad-config', `cell must be one of ${CELL_KINDS.join(', ')}, got ${String(config.cell)}`);
  intIn('inputSize', 1, CLASSIFIER_BOUNDS.maxFeatures);
  intIn('hiddenSize', 1, CLASSIFIER_BOUNDS.maxHidden);
  intIn('layers', 1, CLASSIFIER_BOUNDS.maxLayers);
  intIn('classes', CLASSIFIER_BOUNDS.minClasses, CLASSIFIER_BOUNDS.maxClasses);
  if (typeof config.dropout !== 'number' || !(config.dropout >= 0 && config.dropout < 1)) {
    throw new ConfigError('bad-config', `dropout must be in [0, 1), got ${String(config.dropout)}`);
  }
  if (config.pooling !== 'last' && config.pooling !== 'mean') throw new ConfigError('bad-config', `pooling must be 'last' or 'mean', got ${String(config.pooling)}`);
  return config;
}

/** Per-feature normalisation applied before the first layer: x' = (x - mean) / std. */
export interface Normalization {
  mean: ArrayLike<number>; // (F)
  std: ArrayLike<number>;  // (F)
}

/** Recurrent state of a streaming classifier, one per stream. */
export interface StreamState {
  readonly batch: number;
  readonly h: Vec[];        // L × (B, H)
  readonly c: (Vec | null)[]; // L × (B, H), null for the GRU
  readonly meanSum: Vec;    // (B, H) running Σ h_t of the top layer (mean pooling)
  steps: number;
  readonly probs: Vec;      // (B, C) the latest posteriors
}

export interface ForwardOptions {
  training?: boolean;
  /** Needed when training with dropout. */
  rng?: Random;
}

export interface LossAndGradOptions extends LossOptions, ForwardOptions {
  /** When given (T, B, F), receives dLoss/dx (used by gradient checks). */
  inputGrad?: Vec;
}

export class SequenceClassifier {
  readonly config: ClassifierConfig;
  readonly dtype: DType;
  readonly params: Vec; // flat parameters
  readonly grads: Vec;  // flat gradients, same layout
  readonly layers: RecurrentLayer[];
  readonly paramCount: number;
  private readonly headW: Vec;  // (C, H)
  private readonly headB: Vec;  // (C)
  private readonly dHeadW: Vec; // (C, H)
  private readonly dHeadB: Vec; // (C)
  private readonly normMean: Vec;   // (F)
  private readonly normInvStd: Vec; // (F)
  private normalized = false;
  /** Bumped by every setNormalization, so replicas (data-parallel threads) know to follow. */
  normalizationVersion = 0;

  // forward/backward buffers, grown on demand outside the time loops
  private xn: Vec | null = null;            // (T, B, F) normalised input
  private drop: (Vec | null)[];             // per boundary (T, B, H) dropped-out outputs
  private masks: (Vec | null)[];            // per boundary (T, B, H)
  private dropped: boolean[];               // whether the last forward applied dropout at a boundary
  private headIn: Vec;                      // (B, H) what the head saw (mean pooling)
  private headInSrc: { buf: Vec; off: number } = { buf: allocVec('float32', 0), off: 0 };
  private logits: Vec;                      // (B, C)
  private probs: Vec;                       // (B, C)
  private dLogits: Vec;                     // (B, C)
  private dHeadIn: Vec;                     // (B, H)
  private dyA: Vec | null = null;           // (T, B, H) ping
  private dyB: Vec | null = null;           // (T, B, H) pong
  private stepIn: Vec;                      // (B, F) streaming scratch
  private T = 0;
  private B = 0;

  /**
   * options.params / options.grads: use these buffers (e.g. views on shared memory for
   * data-parallel training) instead of allocating; given params are used as they are, not
   * initialised.
   */
  constructor(config: ClassifierConfig, options: { dtype?: DType; seed?: number; params?: Vec; grads?: Vec } = {}) {
    this.config = validateClassifierConfig({ ...config });
    this.dtype = options.dtype ?? 'float32';
    const { cell, inputSize: F, hiddenSize: H, layers: L, classes: C } = this.config;
    this.layers = [];
    for (let l = 0; l < L; l++) this.layers.push(createRecurrentLayer(cell, l === 0 ? F : H, H, this.dtype));
    const recurrentCount = this.layers.reduce((n, layer) => n + layer.paramCount, 0);
    this.paramCount = recurrentCount + C * H + C;
    if (options.params && options.params.length !== this.paramCount) {
      throw new ConfigError('bad-params', `expected ${this.paramCount} parameters, got ${options.params.length}`);
    }
    if (options.grads && options.grads.length !== this.paramCount) {
      throw new ConfigError('bad-params', `expected ${this.paramCount} gradients, got ${options.grads.length}`);
    }
    this.params = options.params ?? allocVec(this.dtype, this.paramCount);
    this.grads = options.grads ?? allocVec(this.dtype, this.paramCount);
    let offset = 0;
    for (const layer of this.layers) { layer.bind(this.params, this.grads, offset); offset += layer.paramCount; }
    this.headW = this.params.subarray(offset, offset + C * H);
    this.dHeadW = this.grads.subarray(offset, offset + C * H);
    this.headB = this.params.subarray(offset + C * H, offset + C * H + C);
    this.dHeadB = this.grads.subarray(offset + C * H, offset + C * H + C);
    this.normMean = allocVec(this.dtype, F);
    this.normInvStd = allocVec(this.dtype, F).fill(1);
    this.drop = new Array(L - 1).fill(null);
    this.masks = new Array(L - 1).fill(null);
    this.dropped = new Array(L - 1).fill(false);
    this.headIn = allocVec(this.dtype, H);
    this.logits = allocVec(this.dtype, C);
    this.probs = allocVec(this.dtype, C);
    this.dLogits = allocVec(this.dtype, C);
    this.dHeadIn = allocVec(this.dtype, H);
    this.stepIn = allocVec(this.dtype, F);
    if (!options.params) this.init(new Random(options.seed ?? 0));
  }

  /** How many parameters a classifier of this configuration has (without building one). */
  static parameterCount(config: ClassifierConfig): number {
    const { cell, inputSize: F, hiddenSize: H, layers: L, classes: C } = validateClassifierConfig({ ...config });
    let n = C * H + C;
    for (let l = 0; l < L; l++) n += createRecurrentLayer(cell, l === 0 ? F : H, H, 'float32').paramCount;
    return n;
  }

  /** Fresh weights: each layer's own scheme, head uniform(±1/√H), zero head bias. */
  init(rng: Random): void {
    for (const layer of this.layers) layer.init(rng);
    const k = 1 / Math.sqrt(this.config.hiddenSize);
    rng.fillUniform(this.headW, -k, k);
    this.headB.fill(0);
  }

  /** Set the input normalisation (from training-set statistics). std ≤ 0 is treated as 1. */
  setNormalization(norm: Normalization | null): void {
    const F = this.config.inputSize;
    if (norm && (norm.mean.length !== F || norm.std.length !== F)) {
      throw new ConfigError('bad-normalization', `normalisation needs ${F} means and stds, got ${norm.mean.length} and ${norm.std.length}`);
    }
    for (let f = 0; f < F; f++) {
      const std = norm ? norm.std[f] : 1;
      const mean = norm ? norm.mean[f] : 0;
      if (!Number.isFinite(mean) || !Number.isFinite(std)) throw new ConfigError('bad-normalization', 'normalisation statistics must be finite');
      this.normMean[f] = mean;
      this.normInvStd[f] = std > 0 ? 1 / std : 1;
    }
    this.normalized = norm !== null;
    this.normalizationVersion++;
  }

  getNormalization(): { mean: number[]; std: number[] } | null {
    if (!this.normalized) return null;
    return { mean: Array.from(this.normMean), std: Array.from(this.normInvStd, (v) => 1 / v) };
  }

  /** All parameter tensors with stable names (layer<l>.W/R/B/P, head.W, head.b), as views. */
  tensors(): NamedTensor[] {
    const list: NamedTensor[] = [];
    this.layers.forEach((layer, l) => {
      for (const t of layer.tensors()) list.push({ ...t, name: `layer${l}.${t.name}` });
    });
    const { hiddenSize: H, classes: C } = this.config;
    list.push({ name: 'head.W', shape: [C, H], data: this.headW });
    list.push({ name: 'head.b', shape: [C], data: this.headB });
    return list;
  }

  /** Forward of x (T, B, F) to class probabilities (B, C): a view of a buffer the next call reuses. */
  forward(x: Vec, T: number, B: number, options: ForwardOptions = {}): Vec {
    const { inputSize: F, hiddenSize: H, classes: C, dropout } = this.config;
    const training = options.training ?? false;
    if (!Number.isInteger(T) || !Number.isInteger(B) || T < 1 || B < 1) throw new ConfigError('bad-input', `T and B must be positive integers, got T=${T}, B=${B}`);
    if (x.length < T * B * F) throw new ConfigError('bad-input', `input holds ${x.length} values, (T=${T}, B=${B}, F=${F}) needs ${T * B * F}`);
    if (training && dropout > 0 && !options.rng) throw new ConfigError('bad-config', 'training with dropout needs an rng');
    this.T = T; this.B = B;
    this.logits = ensureVec(this.logits, this.dtype, B * C);
    this.probs = ensureVec(this.probs, this.dtype, B * C);
    this.headIn = ensureVec(this.headIn, this.dtype, B * H);

    let input: Vec = x;
    if (this.normalized) {
      this.xn = ensureVec(this.xn, this.dtype, T * B * F);
      normalizeFrames(this.xn, x, this.normMean, this.normInvStd, T * B, F);
      input = this.xn;
    }
    let inOff = 0;
    for (let l = 0; l < this.layers.length; l++) {
      this.layers[l].forward(input, inOff, T, B, null, null);
      const out = this.layers[l].output();
      input = out.buf; inOff = out.off;
      if (l < this.layers.length - 1) {
        this.dropped[l] = training && dropout > 0;
        if (this.dropped[l]) {
          const n = T * B * H;
          const drop = this.drop[l] = ensureVec(this.drop[l], this.dtype, n);
          const mask = this.masks[l] = ensureVec(this.masks[l], this.dtype, n);
          dropoutForward(drop, input, inOff, mask, dropout, n, options.rng as Random);
          input = drop; inOff = 0;
        }
      }
    }
    if (this.config.pooling === 'last') {
      this.headInSrc = { buf: input, off: inOff + (T - 1) * B * H };
    } else {
      meanOverTime(this.headIn, input, inOff, T, B * H);
      this.headInSrc = { buf: this.headIn, off: 0 };
    }
    denseForward(this.logits, this.headInSrc.buf, this.headInSrc.off, this.headW, this.headB, B, H, C);
    softmaxRows(this.probs, this.logits, B, C);
    return this.probs.subarray(0, B * C); // the buffer may be longer after a bigger batch
  }

  /** What the head reads for x (T, B, F), in inference mode: (B, H), a view of a buffer the next call reuses. */
  encode(x: Vec, T: number, B: number): Vec {
    this.forward(x, T, B);
    const H = this.config.hiddenSize;
    return this.headInSrc.buf.subarray(this.headInSrc.off, this.headInSrc.off + B * H);
  }

  /**
   * One training example batch: zeroes the gradients, runs forward (training mode) and
   * backward, and returns the mean loss and the number of correct arg-max predictions.
   */
  lossAndGrad(x: Vec, labels: ArrayLike<number>, T: number, B: number, options: LossAndGradOptions = {}): { loss: number; correct: number } {
    const { classes: C } = this.config;
    for (let b = 0; b < B; b++) {
      const y = labels[b];
      if (!Number.isInteger(y) || y < 0 || y >= C) throw new ConfigError('bad-label', `label ${y} at batch row ${b} is not a class in [0, ${C})`);
    }
    this.forward(x, T, B, { training: options.training ?? true, rng: options.rng });
    this.dLogits = ensureVec(this.dLogits, this.dtype, B * C);
    const result = softmaxCrossEntropy(this.logits, labels, this.probs, this.dLogits, B, C, options);
    this.backward(options.inputGrad ?? null);
    return result;
  }

  /** Backward from this.dLogits through the last forward. */
  private backward(inputGrad: Vec | null): void {
    const { inputSize: F, hiddenSize: H, classes: C } = this.config;
    const { T, B } = this;
    const n = T * B * H;
    this.grads.fill(0);
    this.dHeadIn = ensureVec(this.dHeadIn, this.dtype, B * H);
    denseBackward(this.dLogits, this.headInSrc.buf, this.headInSrc.off, this.headW, this.dHeadW, this.dHeadB, this.dHeadIn, 0, B, H, C);

    let dy = this.dyA = ensureVec(this.dyA, this.dtype, n);
    let dx = this.dyB = ensureVec(this.dyB, this.dtype, n);
    if (this.config.pooling === 'last') {
      dy.fill(0, 0, n);
      dy.set(this.dHeadIn.subarray(0, B * H), (T - 1) * B * H);
    } else {
      const inv = 1 / T;
      for (let t = 0; t < T; t++) for (let k = 0; k < B * H; k++) dy[t * B * H + k] = this.dHeadIn[k] * inv;
    }
    for (let l = this.layers.length - 1; l >= 0; l--) {
      if (l > 0) {
        this.layers[l].backward(dy, 0, dx, 0);
        if (this.dropped[l - 1]) dropoutBackward(dx, dx, this.masks[l - 1] as Vec, n);
        const swap = dy; dy = dx; dx = swap;
      } else {
        this.layers[0].backward(dy, 0, inputGrad, 0);
        if (inputGrad && this.normalized) {
          for (let r = 0; r < T * B; r++) for (let f = 0; f < F; f++) inputGrad[r * F + f] *= this.normInvStd[f];
        }
      }
    }
  }

  /** A fresh streaming state for B parallel streams (all zeros). */
  createStreamState(B = 1): StreamState {
    const { hiddenSize: H, classes: C } = this.config;
    return {
      batch: B,
      h: this.layers.map(() => allocVec(this.dtype, B * H)),
      c: this.layers.map((layer) => (layer.hasCellState ? allocVec(this.dtype, B * H) : null)),
      meanSum: allocVec(this.dtype, B * H),
      steps: 0,
      probs: allocVec(this.dtype, B * C),
    };
  }

  /** Zero a streaming state in place (start of a new utterance or window). */
  resetStreamState(state: StreamState): void {
    for (const h of state.h) h.fill(0);
    for (const c of state.c) c?.fill(0);
    state.meanSum.fill(0);
    state.steps = 0;
    state.probs.fill(0);
  }

  /**
   * Feed one frame (B, F) per stream, updating the state in place; returns the posteriors
   * (B, C) the model gives after this frame — equal to forward() over all frames so far.
   */
  step(frame: Vec, state: StreamState): Vec {
    const { inputSize: F, hiddenSize: H, classes: C } = this.config;
    const B = state.batch;
    let input: Vec = frame;
    if (this.normalized) {
      this.stepIn = ensureVec(this.stepIn, this.dtype, B * F);
      normalizeFrames(this.stepIn, frame, this.normMean, this.normInvStd, B, F);
      input = this.stepIn;
    }
    for (let l = 0; l < this.layers.length; l++) {
      this.layers[l].step(input, 0, state.h[l], state.c[l], state.h[l], state.c[l], B);
      input = state.h[l];
    }
    state.steps++;
    let headIn = input;
    if (this.config.pooling === 'mean') {
      this.headIn = ensureVec(this.headIn, this.dtype, B * H);
      const inv = 1 / state.steps;
      for (let k = 0; k < B * H; k++) { state.meanSum[k] += input[k]; this.headIn[k] = state.meanSum[k] * inv; }
      headIn = this.headIn;
    }
    denseForward(state.probs, headIn, 0, this.headW, this.headB, B, H, C);
    softmaxRows(state.probs, state.probs, B, C);
    return state.probs;
  }
}

/** out (N, F) = (x - mean) ⊙ invStd, row by row. */
function normalizeFrames(out: Vec, x: Vec, mean: Vec, invStd: Vec, N: number, F: number): void {
  for (let r = 0; r < N; r++) {
    const o = r * F;
    for (let f = 0; f < F; f++) out[o + f] = (x[o + f] - mean[f]) * invStd[f];
  }
}

/** out (B·H) = mean over T of x (T, B·H) starting at xOff. */
function meanOverTime(out: Vec, x: Vec, xOff: number, T: number, BH: number): void {
  out.fill(0, 0, BH);
  for (let t = 0; t < T; t++) {
    const o = xOff + t * BH;
    for (let k = 0; k < BH; k++) out[k] += x[o + k];
  }
  const inv = 1 / T;
  for (let k = 0; k < BH; k++) out[k] *= inv;
}
