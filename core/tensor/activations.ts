// Element-wise activations and their derivatives, as scalars that the cells' fused
// time-step loops call (V8 inlines them; tanh is Math.tanh). Derivatives are written in
// terms of the activation's OUTPUT y, which is what the forward pass keeps for backward.

import type { Vec } from './vec.js';

/** σ(x) = 1 / (1 + e^-x). For x → -∞, e^-x overflows to ∞ and the result is exactly 0, as it should be. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** dσ/dx given y = σ(x). */
export function sigmoidGradFromOutput(y: number): number {
  return y * (1 - y);
}

/** dtanh/dx given y = tanh(x). */
export function tanhGradFromOutput(y: number): number {
  return 1 - y * y;
}

/**
 * Row-wise softmax of logits (M, C) into probs (M, C), max-subtracted for stability.
 * Safe in place (probs === logits).
 */
export function softmaxRows(probs: Vec, logits: Vec, M: number, C: number): void {
  for (let i = 0; i < M; i++) {
    const o = i * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    for (let c = 0; c < C; c++) { const e = Math.exp(logits[o + c] - max); probs[o + c] = e; sum += e; }
    const inv = 1 / sum;
    for (let c = 0; c < C; c++) probs[o + c] *= inv;
  }
}
