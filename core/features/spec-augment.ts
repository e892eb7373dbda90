// SpecAugment (Park et al. 2019, "SpecAugment: A Simple Data Augmentation Method for
// Automatic Speech Recognition") on a feature matrix: time masks blank whole frames,
// frequency masks blank whole coefficients, so the model learns not to lean on any one
// moment or band. Time warping, the paper's third and least useful part, is left out.
//
// Masks, as in the paper: each of the `timeMasks` time masks has a width w drawn
// uniformly from [0, maxTimeWidth] (clamped to T) and a start uniformly from [0, T − w];
// frequency masks likewise over F. Masks may overlap. The fill is 'zero' (the paper's
// choice, which is the mean for normalised features) or 'mean': each coefficient f is
// filled with its own mean over the T frames of the unmasked input.
//
// Features are frame-major (T, F): features[t·F + f]. The work is done in place unless an
// output array is given. Deterministic for a given Random state.

import { ConfigError } from '../errors.js';
import type { Random } from '../tensor/random.js';

export interface SpecAugmentOptions {
  timeMasks: number;
  maxTimeWidth: number;
  freqMasks: number;
  maxFreqWidth: number;
  fill: 'zero' | 'mean';
}

/** One applied mask: frames [start, start + width) ('time') or coefficients ('freq'). */
export interface SpecAugmentMask {
  axis: 'time' | 'freq';
  start: number;
  width: number;
}

function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new ConfigError('bad-spec-augment-option', `${name} must be a non-negative integer, got ${String(v)}`);
}

/**
 * Masks `features` (T, F) and writes the result to `out` (default: `features`, in place).
 * Returns the masks applied, in the order drawn: all time masks, then all frequency masks.
 */
export function specAugment(
  features: Float32Array,
  T: number,
  F: number,
  options: SpecAugmentOptions,
  rng: Random,
  out: Float32Array = features,
): SpecAugmentMask[] {
  checkCount('T', T);
  checkCount('F', F);
  checkCount('timeMasks', options.timeMasks);
  checkCount('maxTimeWidth', options.maxTimeWidth);
  checkCount('freqMasks', options.freqMasks);
  checkCount('maxFreqWidth', options.maxFreqWidth);
  if (options.fill !== 'zero' && options.fill !== 'mean') {
    throw new ConfigError('bad-spec-augment-option', `fill must be 'zero' or 'mean', got ${String(options.fill)}`);
  }
  if (features.length !== T * F) throw new ConfigError('bad-spec-augment-shape', `features hold ${features.length} values, not T·F = ${T}·${F}`);
  if (out.length !== T * F) throw new ConfigError('bad-spec-augment-shape', `out holds ${out.length} values, not T·F = ${T}·${F}`);

  // Per-coefficient fill values, from the input before any mask.
  const fill = new Float32Array(F); // (F)
  if (options.fill === 'mean' && T > 0) {
    const sums = new Float64Array(F); // (F)
    for (let t = 0; t < T; t++) {
      const row = t * F;
      for (let f = 0; f < F; f++) sums[f] += features[row + f];
    }
    for (let f = 0; f < F; f++) fill[f] = sums[f] / T;
  }
  if (out !== features) out.set(features);

  const masks: SpecAugmentMask[] = [];
  for (let m = 0; m < options.timeMasks; m++) {
    const width = Math.min(rng.int(options.maxTimeWidth + 1), T);
    const start = rng.int(T - width + 1);
    masks.push({ axis: 'time', start, width });
    for (let t = start; t < start + width; t++) out.set(fill, t * F);
  }
  for (let m = 0; m < options.freqMasks; m++) {
    const width = Math.min(rng.int(options.maxFreqWidth + 1), F);
    const start = rng.int(F - width + 1);
    masks.push({ axis: 'freq', start, width });
    for (let t = 0; t < T; t++) {
      const row = t * F;
      for (let f = start; f < start + width; f++) out[row + f] = fill[f];
    }
  }
  return masks;
}
