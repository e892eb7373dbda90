// Softmax cross-entropy over logits (B, C) with optional per-class weights and label
// smoothing. Weighted mean as in PyTorch's CrossEntropyLoss: Σ_b w_{y_b}·CE_b / Σ_b w_{y_b}.
// With smoothing ε the target is (1 - ε)·onehot(y) + ε/C.

import { softmaxRows } from '../tensor/activations.js';
import type { Vec } from '../tensor/vec.js';

export interface LossOptions {
  /** Weight of each class (C), e.g. inverse frequency. Default: all 1. */
  classWeights?: ArrayLike<number> | null;
  /** ε in [0, 1). Default 0. */
  labelSmoothing?: number;
}

/**
 * probs (B, C) ← softmax(logits); dLogits (B, C) ← dLoss/dlogits (when given).
 * Returns the loss and the number of rows whose arg-max equals the label.
 */
export function softmaxCrossEntropy(
  logits: Vec, labels: ArrayLike<number>, probs: Vec, dLogits: Vec | null,
  B: number, C: number, options: LossOptions = {},
): { loss: number; correct: number } {
  const eps = options.labelSmoothing ?? 0;
  const weights = options.classWeights ?? null;
  softmaxRows(probs, logits, B, C);
  let weightSum = 0;
  for (let b = 0; b < B; b++) weightSum += weights ? weights[labels[b]] : 1;
  const norm = weightSum > 0 ? 1 / weightSum : 0;
  let loss = 0;
  let correct = 0;
  const off = eps / C;
  for (let b = 0; b < B; b++) {
    const y = labels[b];
    const w = weights ? weights[y] : 1;
    const o = b * C;
    let rowLoss = 0;
    let best = 0;
    for (let c = 0; c < C; c++) {
      const p = probs[o + c];
      if (p > probs[o + best]) best = c;
      const q = (c === y ? 1 - eps : 0) + off;
      // log of the max-subtracted softmax, clamped so p = 0 (float underflow) stays finite
      if (q > 0) rowLoss -= q * Math.log(Math.max(p, 1e-30));
      if (dLogits) dLogits[o + c] = w * norm * (p - q);
    }
    if (best === y) correct++;
    loss += w * rowLoss;
  }
  return { loss: loss * norm, correct };
}
