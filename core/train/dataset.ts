// Fixed-length labelled sequences as the trainer consumes them: N examples of T frames of
// F features, stored example-major (N, T, F) — the natural order to collect them in — and
// gathered into the network's sequence-major (T, B, F) one batch at a time.

import { ConfigError } from '../errors.js';
import type { Vec } from '../tensor/vec.js';

export interface SequenceDataset {
  x: Float32Array;     // (N, T, F)
  labels: Int32Array;  // (N)
  steps: number;       // T
  features: number;    // F
}

export function datasetSize(data: SequenceDataset): number {
  return data.labels.length;
}

export function validateDataset(data: SequenceDataset, classes: number, features: number, name = 'dataset'): void {
  const N = data.labels.length;
  if (!Number.isInteger(data.steps) || data.steps < 1) throw new ConfigError('bad-dataset', `${name}: steps must be a positive integer`);
  if (data.features !== features) throw new ConfigError('bad-dataset', `${name}: has ${data.features} features per frame, the model takes ${features}`);
  if (data.x.length !== N * data.steps * data.features) throw new ConfigError('bad-dataset', `${name}: x holds ${data.x.length} values, ${N} examples of (${data.steps}, ${data.features}) need ${N * data.steps * data.features}`);
  for (let n = 0; n < N; n++) {
    const y = data.labels[n];
    if (y < 0 || y >= classes) throw new ConfigError('bad-dataset', `${name}: label ${y} of example ${n} is not a class in [0, ${classes})`);
  }
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i])) throw new ConfigError('bad-dataset', `${name}: feature value ${i} is not finite`);
  }
}

/** out (T, B, F) ← examples indices[start .. start+B) of data; labelsOut (B) ← their labels. */
export function gatherBatch(
  out: Vec, labelsOut: Int32Array, data: SequenceDataset, indices: ArrayLike<number>, start: number, B: number,
): void {
  const { steps: T, features: F } = data;
  for (let b = 0; b < B; b++) {
    const n = indices[start + b];
    labelsOut[b] = data.labels[n];
    const src = n * T * F;
    for (let t = 0; t < T; t++) {
      const from = src + t * F, to = (t * B + b) * F;
      for (let f = 0; f < F; f++) out[to + f] = data.x[from + f];
    }
  }
}

/** Per-feature mean and standard deviation over every frame of a dataset (for normalisation). */
export function featureStatistics(data: SequenceDataset): { mean: number[]; std: number[] } {
  const F = data.features;
  const frames = data.x.length / F;
  const mean = new Array<number>(F).fill(0);
  const sq = new Array<number>(F).fill(0);
  for (let r = 0; r < frames; r++) for (let f = 0; f < F; f++) { const v = data.x[r * F + f]; mean[f] += v; sq[f] += v * v; }
  const std = mean.map((s, f) => {
    const m = s / Math.max(1, frames);
    mean[f] = m;
    return Math.sqrt(Math.max(0, sq[f] / Math.max(1, frames) - m * m));
  });
  return { mean, std };
}
