// The one buffer type of core: a flat row-major array of float32 (what training and
// inference use) or float64 (the exact path gradient checks use). Every kernel is written
// once against this union; in production only float32 is ever seen, so call sites stay
// monomorphic.

export type Vec = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

export function allocVec(dtype: DType, length: number): Vec {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/** Grow-only buffer: returns `buf` if it holds `length` values, else a new one. Called
 *  outside time-step loops when a longer sequence or bigger batch first arrives. */
export function ensureVec(buf: Vec | null, dtype: DType, length: number): Vec {
  return buf !== null && buf.length >= length ? buf : allocVec(dtype, length);
}
