// Data augmentation on raw audio for training: time shift, gain, speed perturbation,
// background noise at a chosen SNR, generated noise, and augmentClip() composing them.
// Keyword-spotting datasets are small and recorded in few rooms with few microphones;
// showing the model each clip shifted, louder or softer, a little faster or slower and
// under noise is the cheapest way to make it hold up on a real microphone.
//
// Every function works on 16 kHz mono Float32Array clips (the model's rate), returns a new
// array (the input is never modified) and takes the Random it draws from explicitly, so
// an augmented epoch is reproducible bit for bit from the training seed. Nothing here
// allocates inside a per-sample loop beyond the output it returns.

import { ConfigError } from '../errors.js';
import type { Random } from '../tensor/random.js';
import { resample } from './resample.js';
import { SAMPLE_RATE } from './sample-rate.js';

/** Speed factors are drawn on a grid of 1/SPEED_GRID (0.005), see speedPerturb(). */
const SPEED_GRID = 200;
const MIN_SPEED = 0.5;
const MAX_SPEED = 2;

function checkFinite(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError('bad-augment-option', `${name} must be a finite number, got ${String(v)}`);
}

function checkRange(name: string, lo: number, hi: number): void {
  checkFinite(`${name} lower bound`, lo);
  checkFinite(`${name} upper bound`, hi);
  if (lo > hi) throw new ConfigError('bad-augment-option', `${name}: lower bound ${lo} exceeds upper bound ${hi}`);
}

/**
 * x moved by `shift` samples, zero-filled: y[i] = x[i − shift] where that index exists,
 * else 0. A positive shift delays the content (it moves later), a negative one advances it.
 */
export function shiftBy(x: Float32Array, shift: number): Float32Array {
  if (!Number.isInteger(shift)) throw new ConfigError('bad-augment-option', `shift must be an integer, got ${String(shift)}`);
  const n = x.length;
  const y = new Float32Array(n); // (n)
  if (shift >= 0) {
    if (shift < n) y.set(x.subarray(0, n - shift), shift);
  } else if (-shift < n) {
    y.set(x.subarray(-shift), 0);
  }
  return y;
}

/**
 * Random time shift by an integer drawn uniformly from [−maxShiftSamples, maxShiftSamples]
 * (as rng.int(2·max + 1) − max), zero-filled rather than circular: a circular shift would
 * wrap the end of a word onto its start, which no microphone ever records, while zeros
 * are what a clip cut a little early or late looks like. See shiftBy() for the direction.
 */
export function timeShift(x: Float32Array, maxShiftSamples: number, rng: Random): Float32Array {
  if (!Number.isInteger(maxShiftSamples) || maxShiftSamples < 0) {
    throw new ConfigError('bad-augment-option', `maxShiftSamples must be a non-negative integer, got ${String(maxShiftSamples)}`);
  }
  const shift = rng.int(2 * maxShiftSamples + 1) - maxShiftSamples;
  return shiftBy(x, shift);
}

/** Gain by a level drawn uniformly from [minDb, maxDb) dB: y = x · 10^(dB/20). */
export function gain(x: Float32Array, minDb: number, maxDb: number, rng: Random): Float32Array {
  checkRange('gain (dB)', minDb, maxDb);
  const db = minDb === maxDb ? minDb : rng.uniform(minDb, maxDb);
  const g = 10 ** (db / 20);
  const y = new Float32Array(x.length); // (n)
  for (let i = 0; i < x.length; i++) y[i] = x[i] * g;
  return y;
}

/**
 * Speed perturbation (Ko et al. 2015, Kaldi's 0.9/1.0/1.1): the clip is played back
 * `factor` times faster, which changes both its duration and its pitch, exactly as a tape
 * run at another speed. Done by resampling: the clip is treated as if recorded at
 * 16000·factor Hz and resampled to 16 kHz, giving ceil(n / factor) samples and moving
 * every frequency f to f·factor.
 *
 * The factor is drawn uniformly from [minFactor, maxFactor] and rounded to the nearest
 * multiple of 0.005 inside the range, so the pretend rate is a whole multiple of 80 Hz and
 * the resampler uses an exact polyphase bank of at most 200 phases (cheap to build, and
 * cached) instead of the interpolated one a random real ratio would need. A range
 * narrower than one grid step uses the drawn factor as it is. Factors must lie in
 * [0.5, 2].
 */
export function speedPerturb(x: Float32Array, minFactor: number, maxFactor: number, rng: Random): Float32Array {
  checkRange('speed factor', minFactor, maxFactor);
  if (minFactor < MIN_SPEED || maxFactor > MAX_SPEED) {
    throw new ConfigError('bad-augment-option', `speed factors must lie in [${MIN_SPEED}, ${MAX_SPEED}], got [${minFactor}, ${maxFactor}]`);
  }
  const u = minFactor === maxFactor ? minFactor : rng.uniform(minFactor, maxFactor);
  const kLo = Math.ceil(minFactor * SPEED_GRID - 1e-9), kHi = Math.floor(maxFactor * SPEED_GRID + 1e-9);
  let fromRate: number;
  if (kLo <= kHi) {
    const k = Math.min(kHi, Math.max(kLo, Math.round(u * SPEED_GRID)));
    fromRate = (SAMPLE_RATE / SPEED_GRID) * k; // an integer: 80·k Hz
  } else {
    fromRate = SAMPLE_RATE * u;
  }
  if (fromRate === SAMPLE_RATE) return x.slice();
  return resample(x, fromRate, SAMPLE_RATE);
}

/** Mean of squares of x, in doubles. */
function meanSquare(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return x.length > 0 ? s / x.length : 0;
}

/**
 * x with background noise added at exactly `snrDb` dB, measured as
 * 10·log10(Σ x² / Σ (scaled noise)²) over the clip's length.
 *
 * The noise segment starts at a random offset: drawn from [0, noise.length − n] when the
 * recording is at least as long as the clip, else from [0, noise.length) with the
 * recording looped to cover the clip. The segment actually used is measured, so the SNR
 * is exact whatever the level of the recording.
 *
 * A silent clip (all zeros) has no level to set an SNR against: it comes back as an
 * unchanged copy, as does any clip whose noise segment is silent. An empty noise
 * recording is a ConfigError.
 */
export function mixNoise(x: Float32Array, noise: Float32Array, snrDb: number, rng: Random): Float32Array {
  checkFinite('snrDb', snrDb);
  const n = x.length, m = noise.length;
  if (m === 0) throw new ConfigError('bad-augment-option', 'the noise recording is empty');
  const offset = m >= n ? rng.int(m - n + 1) : rng.int(m);
  const y = x.slice(); // (n)
  const clean = meanSquare(x);
  if (clean === 0 || n === 0) return y;
  // Power of the segment used: noise[(offset + i) mod m], i = 0..n−1.
  let s = 0;
  for (let i = 0, j = offset; i < n; i++) {
    const v = noise[j];
    s += v * v;
    if (++j === m) j = 0;
  }
  const noisePower = s / n;
  if (!(noisePower > 0) || !Number.isFinite(noisePower)) return y;
  const scale = Math.sqrt(clean / (noisePower * 10 ** (snrDb / 10)));
  for (let i = 0, j = offset; i < n; i++) {
    y[i] = x[i] + scale * noise[j];
    if (++j === m) j = 0;
  }
  return y;
}

export type NoiseKind = 'white' | 'pink' | 'brown';

/** Voss-McCartney rows: 16 octaves below Nyquist (0.12 Hz at 16 kHz) is far below speech. */
const PINK_ROWS = 16;
/** Leak of the brown-noise integrator: a corner at (1 − a)·16000 / 2π ≈ 12.7 Hz, so it cannot drift. */
const BROWN_LEAK = 0.995;

/**
 * `length` samples of zero-mean noise normalised to RMS 1 (all zeros when length ≤ 1):
 * - 'white': independent standard normals, a flat spectrum.
 * - 'pink': Voss-McCartney (16 rows, the row with index ctz(k) redrawn at sample k, plus
 *   a fresh white term each sample), −3 dB/octave within ~1 dB over the audio band.
 * - 'brown': white through a leaky integrator y = 0.995·y + w, −6 dB/octave above ~13 Hz.
 * Used when a dataset has no _background_noise_ recordings of its own.
 */
export function generatedNoise(length: number, kind: NoiseKind, rng: Random): Float32Array {
  if (!Number.isInteger(length) || length < 0) throw new ConfigError('bad-augment-option', `noise length must be a non-negative integer, got ${String(length)}`);
  const y = new Float32Array(length); // (length)
  if (kind === 'white') {
    for (let i = 0; i < length; i++) y[i] = rng.normal();
  } else if (kind === 'pink') {
    const rows = new Float64Array(PINK_ROWS); // (PINK_ROWS) current value of each row
    let sum = 0;
    for (let r = 0; r < PINK_ROWS; r++) { rows[r] = rng.normal(); sum += rows[r]; }
    for (let i = 0; i < length; i++) {
      const k = (i + 1) & 0xffff;
      if (k !== 0) {
        const r = 31 - Math.clz32(k & -k); // trailing zeros of k: row 0 every 2nd sample, row 1 every 4th, ...
        const v = rng.normal();
        sum += v - rows[r];
        rows[r] = v;
      }
      y[i] = sum + rng.normal();
    }
  } else if (kind === 'brown') {
    let b = 0;
    for (let i = 0; i < length; i++) { b = BROWN_LEAK * b + rng.normal(); y[i] = b; }
  } else {
    throw new ConfigError('bad-augment-option', `noise kind must be 'white', 'pink' or 'brown', got ${String(kind)}`);
  }
  let mean = 0;
  for (let i = 0; i < length; i++) mean += y[i];
  mean = length > 0 ? mean / length : 0;
  let s = 0;
  for (let i = 0; i < length; i++) { const v = y[i] - mean; s += v * v; }
  const rms = length > 0 ? Math.sqrt(s / length) : 0;
  const inv = rms > 0 ? 1 / rms : 0;
  for (let i = 0; i < length; i++) y[i] = (y[i] - mean) * inv;
  return y;
}

export interface AugmentOptions {
  /** Probability of a speed perturbation (default 0.5), factor in [minSpeed, maxSpeed] (0.9, 1.1). */
  speedProbability?: number;
  minSpeed?: number;
  maxSpeed?: number;
  /** Probability of a time shift (default 1), by up to maxShiftMs (default 100 ms) either way. */
  shiftProbability?: number;
  maxShiftMs?: number;
  /** Probability of background noise (default 0.8) at an SNR in [minSnrDb, maxSnrDb] (5, 20 dB). */
  noiseProbability?: number;
  minSnrDb?: number;
  maxSnrDb?: number;
  /** The dataset's own _background_noise_ recordings at 16 kHz; when none, noise is generated. */
  noise?: readonly Float32Array[];
  /** Probability of a gain change (default 1) in [minGainDb, maxGainDb] (−6, +6 dB). */
  gainProbability?: number;
  minGainDb?: number;
  maxGainDb?: number;
}

export const DEFAULT_AUGMENT_OPTIONS: Required<Omit<AugmentOptions, 'noise'>> = {
  speedProbability: 0.5,
  minSpeed: 0.9,
  maxSpeed: 1.1,
  shiftProbability: 1,
  maxShiftMs: 100,
  noiseProbability: 0.8,
  minSnrDb: 5,
  maxSnrDb: 20,
  gainProbability: 1,
  minGainDb: -6,
  maxGainDb: 6,
};

const NOISE_KINDS: readonly NoiseKind[] = ['white', 'pink', 'brown'];

function checkProbability(name: string, p: number): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ConfigError('bad-augment-option', `${name} must be a probability in [0, 1], got ${String(p)}`);
}

/**
 * One training view of a clip: in this order, each step taken with its probability
 * (defaults in DEFAULT_AUGMENT_OPTIONS):
 *   1. speed perturbation, then centre-cropped or zero-padded (equally both ends) back to
 *      the input's length, since the model sees a fixed window;
 *   2. time shift (zero-filled);
 *   3. background noise at a random SNR, from one of options.noise chosen at random, or
 *      white / pink / brown generated noise (one kind at random) when there is none;
 *   4. gain;
 *   5. peak limit: if the peak exceeds 1 the whole clip is divided by its peak. A plain
 *      rescale rather than a soft clipper, because it adds no distortion the model could
 *      learn, and only level, which the features normalise away anyway, changes.
 * The output has the input's length, is always finite (non-finite input samples are
 * taken as 0) and its peak is ≤ 1. One rng.next() is drawn per step whatever its
 * probability, so the stream consumed by a step does not shift the decision of the next.
 */
export function augmentClip(x: Float32Array, options: AugmentOptions, rng: Random): Float32Array {
  const o = { ...DEFAULT_AUGMENT_OPTIONS, ...options };
  checkProbability('speedProbability', o.speedProbability);
  checkProbability('shiftProbability', o.shiftProbability);
  checkProbability('noiseProbability', o.noiseProbability);
  checkProbability('gainProbability', o.gainProbability);
  checkRange('SNR (dB)', o.minSnrDb, o.maxSnrDb);
  checkFinite('maxShiftMs', o.maxShiftMs);
  const maxShift = Math.round((o.maxShiftMs * SAMPLE_RATE) / 1000);
  const noises = options.noise ?? [];
  const n = x.length;

  let y: Float32Array = new Float32Array(n); // (n)
  for (let i = 0; i < n; i++) y[i] = Number.isFinite(x[i]) ? x[i] : 0;

  if (rng.next() < o.speedProbability) {
    const s = speedPerturb(y, o.minSpeed, o.maxSpeed, rng);
    if (s.length !== n) {
      const fitted = new Float32Array(n); // (n)
      if (s.length > n) fitted.set(s.subarray((s.length - n) >> 1, ((s.length - n) >> 1) + n));
      else fitted.set(s, (n - s.length) >> 1);
      y = fitted;
    } else {
      y = s;
    }
  }
  if (rng.next() < o.shiftProbability) y = timeShift(y, maxShift, rng);
  if (rng.next() < o.noiseProbability) {
    const snr = o.minSnrDb === o.maxSnrDb ? o.minSnrDb : rng.uniform(o.minSnrDb, o.maxSnrDb);
    const source = noises.length > 0
      ? noises[rng.int(noises.length)]
      : generatedNoise(n, NOISE_KINDS[rng.int(NOISE_KINDS.length)], rng);
    if (source.length > 0) y = mixNoise(y, source, snr, rng);
  }
  if (rng.next() < o.gainProbability) y = gain(y, o.minGainDb, o.maxGainDb, rng);

  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) y[i] = 0; // cannot happen with finite input; kept as the guarantee
    else if (Math.abs(v) > peak) peak = Math.abs(v);
  }
  if (peak > 1) {
    for (let i = 0; i < n; i++) y[i] = y[i] / peak; // |y| / peak ≤ 1 in doubles, and rounding to float32 keeps it ≤ 1
  }
  return y;
}
