// Synthetic sequence tasks for training tests, generated from a seed.
import { Random } from '../../../core/tensor/random.js';
import type { SequenceDataset } from '../../../core/train/dataset.js';

/**
 * The class is the token shown at step 0; every later step shows a random distractor token
 * plus noise, so the last frames carry no information about the class. Solving it needs
 * memory across T steps. F = classes + 1 (one-hot token, one noise channel).
 */
export function recallFirstToken(n: number, T: number, classes: number, seed: number): SequenceDataset {
  const rng = new Random(seed);
  const F = classes + 1;
  const x = new Float32Array(n * T * F);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rng.int(classes);
    labels[i] = y;
    for (let t = 0; t < T; t++) {
      const token = t === 0 ? y : rng.int(classes);
      const o = (i * T + t) * F;
      x[o + token] = 1;
      x[o + classes] = 0.5 * rng.normal();
    }
  }
  return { x, labels, steps: T, features: F };
}

/** Only the last frame of each sequence: what a model without recurrence gets to see. */
export function lastFrameOnly(data: SequenceDataset): SequenceDataset {
  const { steps: T, features: F } = data;
  const n = data.labels.length;
  const x = new Float32Array(n * F);
  for (let i = 0; i < n; i++) x.set(data.x.subarray((i * T + T - 1) * F, (i * T + T) * F), i * F);
  return { x, labels: data.labels, steps: 1, features: F };
}

export function randomDataset(n: number, T: number, F: number, classes: number, seed: number): SequenceDataset {
  const rng = new Random(seed);
  const x = new Float32Array(n * T * F).map(() => rng.normal());
  const labels = Int32Array.from({ length: n }, () => rng.int(classes));
  return { x, labels, steps: T, features: F };
}
