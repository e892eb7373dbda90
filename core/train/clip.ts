// Gradient clipping by global norm (Pascanu et al., 2013): if ‖g‖₂ > maxNorm, scale every
// gradient by maxNorm / ‖g‖₂. The norm doubles as the non-finite detector: a NaN or
// infinite gradient anywhere makes it non-finite.

import type { Vec } from '../tensor/vec.js';

export function globalNorm(grads: Vec): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i] * grads[i];
  return Math.sqrt(sum);
}

/** Returns the norm before clipping; grads are scaled in place when it exceeds maxNorm. */
export function clipByGlobalNorm(grads: Vec, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (Number.isFinite(norm) && maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i] *= scale;
  }
  return norm;
}
