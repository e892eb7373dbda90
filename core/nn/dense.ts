// The classifier's head: a dense layer in ONNX Gemm's layout with transB = 1,
// y (B, C) = x (B, H) · Wᵀ + b, W (C, H), b (C). Forward and backward share argument order.

import { addRowVector, matmul, matmulAT, matmulBT, sumRows } from '../tensor/matmul.js';
import type { Vec } from '../tensor/vec.js';

/** y (B, C) = x (B, H) · W (C, H)ᵀ + b (C) */
export function denseForward(y: Vec, x: Vec, xOff: number, W: Vec, b: Vec, B: number, H: number, C: number): void {
  matmulBT(y, 0, x, xOff, W, 0, B, H, C, false);
  addRowVector(y, 0, b, 0, B, C);
}

/** Given dy (B, C): dW (C, H) += dyᵀ·x, db (C) += Σ dy, dx (B, H) = dy·W (when dx is given). */
export function denseBackward(
  dy: Vec, x: Vec, xOff: number, W: Vec, dW: Vec, db: Vec, dx: Vec | null, dxOff: number,
  B: number, H: number, C: number,
): void {
  matmulAT(dW, 0, dy, 0, x, xOff, C, B, H, true);
  sumRows(db, 0, dy, 0, B, C, true);
  if (dx) matmul(dx, dxOff, dy, 0, W, 0, B, C, H, false);
}
