// The one description of how audio becomes model input. Every model carries its
// FeatureConfig (plain JSON), so the renderer's live stream and the trainer compute the
// same numbers from the same settings.
//
// Framing rule: frame i covers samples [i·hop, i·hop + window). Frames start every hop
// samples while a whole window still fits; nothing is padded. So n samples give
//   frameCount = n < window ? 0 : floor((n − window) / hop) + 1
// and a model sees T = frameCount(config, windowSeconds · sampleRate) frames: 97 for the
// defaults (1 s, 512-sample window, 160-sample hop).
//
// Per-frame layout (F = featureCount(config) values, frame-major):
//   [c0 … c(C−1), logEnergy?, Δc0 … Δc(C−1), ΔlogEnergy?]   (the Δ half only with deltas)
//
// Defaults, chosen by measurement on real speech (scripts/feature-defaults.ts, speakers
// held out): 26 mel bands beat 40, deltas and log-energy beat static MFCCs, and 16-bit
// input scale beats [-1, 1]; 20 coefficients gain no more than noise for 50 % more
// inputs, so 13; a 512-sample window ties or beats 256; the 160-sample (10 ms) hop keeps
// the time resolution the recurrent model uses. The figures and the reasoning:
// docs/measurements.md, "Feature defaults".

import { SAMPLE_RATE } from '../audio/sample-rate.js';
import { ConfigError } from '../errors.js';

/** Bumped whenever the meaning of a field or the extraction itself changes. */
export const FEATURE_CONFIG_VERSION = 1;

export interface FeatureConfig {
  version: number;
  /** Always SAMPLE_RATE (16 kHz): everything is resampled to it before extraction. */
  sampleRate: number;
  /** Samples per analysis window; a power of two (Meyda's FFT has no separate size). */
  windowSamples: number;
  /** Samples between window starts. */
  hopSamples: number;
  /** Triangular mel filters from 0 Hz to Nyquist. */
  melBands: number;
  /** Cepstral coefficients kept (c0 included), at most melBands and at most 40. */
  mfccCoefficients: number;
  /** Append regression deltas over ±2 frames of every static feature. */
  deltas: boolean;
  /** Append ln(1 + Σx²) of the frame (x at 16-bit scale, unwindowed). */
  logEnergy: boolean;
  /** Length of the model's input window in seconds. */
  windowSeconds: number;
  /**
   * Per-feature statistics of the training set (length F each), applied as
   * (x − mean) / std to every output frame by extractFeatures and FeatureStream alike;
   * null until fitted (see fitNormalization in normalize.ts).
   */
  normalization: FeatureNormalization | null;
}

export interface FeatureNormalization {
  mean: number[];
  std: number[];
}

export const DEFAULT_FEATURE_CONFIG: Readonly<FeatureConfig> = Object.freeze({
  version: FEATURE_CONFIG_VERSION,
  sampleRate: SAMPLE_RATE,
  windowSamples: 512,
  hopSamples: 160,
  melBands: 26,
  mfccCoefficients: 13,
  deltas: true,
  logEnergy: true,
  windowSeconds: 1,
  normalization: null,
});

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
const isInt = (n: unknown, lo: number, hi: number): boolean =>
  typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;

/** Every reason the config cannot work (empty when it is fine). */
export function featureConfigProblems(config: unknown): string[] {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return ['a feature config must be an object'];
  const c = config as Record<string, unknown>;
  const p: string[] = [];
  if (c.version !== FEATURE_CONFIG_VERSION) p.push(`version must be ${FEATURE_CONFIG_VERSION}, got ${JSON.stringify(c.version)}`);
  if (c.sampleRate !== SAMPLE_RATE) p.push(`sampleRate must be ${SAMPLE_RATE}, got ${JSON.stringify(c.sampleRate)}`);
  if (!isInt(c.windowSamples, 64, 8192) || !isPowerOfTwo(c.windowSamples as number)) {
    p.push(`windowSamples must be a power of two from 64 to 8192, got ${JSON.stringify(c.windowSamples)}`);
  }
  if (!isInt(c.hopSamples, 1, 8192)) p.push(`hopSamples must be an integer from 1 to 8192, got ${JSON.stringify(c.hopSamples)}`);
  else if (typeof c.windowSamples === 'number' && (c.hopSamples as number) > c.windowSamples) {
    p.push(`hopSamples (${c.hopSamples}) must not exceed windowSamples (${c.windowSamples}): samples would be skipped`);
  }
  if (!isInt(c.melBands, 1, 128)) p.push(`melBands must be an integer from 1 to 128, got ${JSON.stringify(c.melBands)}`);
  if (!isInt(c.mfccCoefficients, 1, 40)) {
    p.push(`mfccCoefficients must be an integer from 1 to 40, got ${JSON.stringify(c.mfccCoefficients)}`);
  } else if (typeof c.melBands === 'number' && (c.mfccCoefficients as number) > c.melBands) {
    p.push(`mfccCoefficients (${c.mfccCoefficients}) must not exceed melBands (${c.melBands})`);
  }
  if (typeof c.deltas !== 'boolean') p.push('deltas must be true or false');
  if (typeof c.logEnergy !== 'boolean') p.push('logEnergy must be true or false');
  if (typeof c.windowSeconds !== 'number' || !Number.isFinite(c.windowSeconds) || c.windowSeconds <= 0 || c.windowSeconds > 30) {
    p.push(`windowSeconds must be a number above 0 and at most 30, got ${JSON.stringify(c.windowSeconds)}`);
  } else if (typeof c.windowSamples === 'number' && c.windowSeconds * SAMPLE_RATE < c.windowSamples) {
    p.push('windowSeconds must hold at least one analysis window');
  }
  if (c.normalization !== null) {
    const n = c.normalization as Record<string, unknown> | undefined;
    const F = p.length === 0 ? featureCount(c as unknown as FeatureConfig) : -1;
    if (typeof n !== 'object' || n === null || !Array.isArray(n.mean) || !Array.isArray(n.std)) {
      p.push('normalization must be null or { mean: number[], std: number[] }');
    } else if (F >= 0 && (n.mean.length !== F || n.std.length !== F)) {
      p.push(`normalization must have ${F} means and ${F} standard deviations, got ${n.mean.length} and ${n.std.length}`);
    } else if (!n.mean.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
      !n.std.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      p.push('normalization means must be finite and standard deviations finite and positive');
    }
  }
  const known = new Set(Object.keys(DEFAULT_FEATURE_CONFIG));
  for (const k of Object.keys(c)) if (!known.has(k)) p.push(`unknown field ${JSON.stringify(k)}`);
  return p;
}

/** Throws ConfigError('feature-config') listing every problem. */
export function validateFeatureConfig(config: unknown): asserts config is FeatureConfig {
  const p = featureConfigProblems(config);
  if (p.length > 0) throw new ConfigError('feature-config', `Invalid feature config: ${p.join('; ')}`);
}

/** Static values per frame: the coefficients and log-energy, before any deltas (the first half of a frame with deltas). */
export function staticFeatureCount(config: FeatureConfig): number {
  return config.mfccCoefficients + (config.logEnergy ? 1 : 0);
}

/** Values per frame (F). */
export function featureCount(config: FeatureConfig): number {
  return staticFeatureCount(config) * (config.deltas ? 2 : 1);
}

/** Frames in n samples under the framing rule above. */
export function frameCount(config: FeatureConfig, samples: number): number {
  return samples < config.windowSamples ? 0 : Math.floor((samples - config.windowSamples) / config.hopSamples) + 1;
}

/** Frames (T) of the model's input window. */
export function modelFrames(config: FeatureConfig): number {
  return frameCount(config, Math.round(config.windowSeconds * config.sampleRate));
}

export function serializeFeatureConfig(config: FeatureConfig): string {
  validateFeatureConfig(config);
  return JSON.stringify({ ...config });
}

/** Parses and validates; the result is a fresh plain object. */
export function parseFeatureConfig(json: string | unknown): FeatureConfig {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new ConfigError('feature-config', 'Invalid feature config: not JSON', { cause: e });
    }
  }
  validateFeatureConfig(value);
  const c = value;
  return {
    version: c.version, sampleRate: c.sampleRate, windowSamples: c.windowSamples, hopSamples: c.hopSamples,
    melBands: c.melBands, mfccCoefficients: c.mfccCoefficients, deltas: c.deltas, logEnergy: c.logEnergy,
    windowSeconds: c.windowSeconds,
    normalization: c.normalization === null ? null : { mean: [...c.normalization.mean], std: [...c.normalization.std] },
  };
}
