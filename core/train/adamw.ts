// AdamW (Loshchilov & Hutter, 2019) over one flat parameter buffer: Adam's moments with
// bias correction, and weight decay applied directly to the weights (decoupled), only
// where decayMask is 1 (matrices, not biases or peepholes).

import type { Vec } from '../tensor/vec.js';

export interface AdamWOptions {
  beta1?: number;       // default 0.9
  beta2?: number;       // default 0.999
  epsilon?: number;     // default 1e-8
  weightDecay?: number; // default 0
}

export interface AdamWState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  step = 0;
  readonly m: Float32Array; // (P) first moment
  readonly v: Float32Array; // (P) second moment
  private readonly decayMask: Uint8Array | null; // (P)

  constructor(size: number, options: AdamWOptions = {}, decayMask: Uint8Array | null = null) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.decayMask = decayMask;
  }

  /** params -= lr · (m̂ / (√v̂ + ε) + wd · params) */
  update(params: Vec, grads: Vec, lr: number): void {
    this.step++;
    const { beta1, beta2, epsilon, m, v } = this;
    const bc1 = 1 - Math.pow(beta1, this.step);
    const bc2 = 1 - Math.pow(beta2, this.step);
    const stepSize = lr / bc1;
    const invSqrtBc2 = 1 / Math.sqrt(bc2);
    const decay = lr * this.weightDecay;
    const mask = this.decayMask;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
      const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
      let p = params[i];
      if (decay !== 0 && (mask === null || mask[i] === 1)) p -= decay * p;
      params[i] = p - stepSize * mi / (Math.sqrt(vi) * invSqrtBc2 + epsilon);
    }
  }

  getState(): AdamWState {
    return { step: this.step, m: Float32Array.from(this.m), v: Float32Array.from(this.v) };
  }

  setState(state: AdamWState): void {
    if (state.m.length !== this.m.length || state.v.length !== this.v.length) {
      throw new RangeError(`optimizer state holds ${state.m.length} moments, the model has ${this.m.length} parameters`);
    }
    this.step = state.step;
    this.m.set(state.m);
    this.v.set(state.v);
  }
}
