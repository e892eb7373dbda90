// Inverted dropout between stacked recurrent layers (on whole sequences: each (t, b, j)
// gets its own mask bit). Forward and backward share argument order.

import type { Random } from '../tensor/random.js';
import type { Vec } from '../tensor/vec.js';

/** y = x ⊙ mask where mask ∈ {0, 1/(1-p)}; mask is written for backward. n elements. */
export function dropoutForward(y: Vec, x: Vec, xOff: number, mask: Vec, p: number, n: number, rng: Random): void {
  const keep = 1 - p, scale = 1 / keep;
  for (let i = 0; i < n; i++) {
    const m = rng.next() < keep ? scale : 0;
    mask[i] = m;
    y[i] = x[xOff + i] * m;
  }
}

/** dx = dy ⊙ mask */
export function dropoutBackward(dy: Vec, dx: Vec, mask: Vec, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
