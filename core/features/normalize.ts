// Normalisation statistics, computed on the training set only and then carried in the
// model's FeatureConfig, so live recognition applies exactly the training transform.
import { ConfigError } from '../errors.js';
import { featureStatistics } from '../train/dataset.js';
import { featureCount, validateFeatureConfig, type FeatureConfig, type FeatureNormalization } from './config.js';

/** Standard deviations below this (a feature constant over the training set) become 1. */
export const MIN_STD = 1e-6;

/**
 * Per-feature mean and std over every frame of the training clips' features, which must
 * have been extracted with `config` and no normalisation (normalization: null).
 */
export function fitNormalization(config: FeatureConfig, trainingFeatures: readonly Float32Array[]): FeatureNormalization {
  validateFeatureConfig(config);
  if (config.normalization !== null) {
    throw new ConfigError('feature-config', 'fitNormalization needs features extracted without normalisation (normalization: null)');
  }
  const F = featureCount(config);
  let total = 0;
  for (const f of trainingFeatures) {
    if (f.length % F !== 0) throw new ConfigError('feature-config', `features of length ${f.length} are not whole frames of ${F}`);
    total += f.length;
  }
  if (total === 0) throw new ConfigError('feature-config', 'no training frames to compute normalisation statistics from');
  const x = new Float32Array(total);
  let o = 0;
  for (const f of trainingFeatures) { x.set(f, o); o += f.length; }
  const { mean, std } = featureStatistics({ x, labels: new Int32Array(0), steps: total / F, features: F });
  return { mean, std: std.map((s) => (Number.isFinite(s) && s >= MIN_STD ? s : 1)) };
}

/** The config with the given statistics (validated). */
export function withNormalization(config: FeatureConfig, normalization: FeatureNormalization | null): FeatureConfig {
  const out: FeatureConfig = {
    ...config,
    normalization: normalization && { mean: [...normalization.mean], std: [...normalization.std] },
  };
  validateFeatureConfig(out);
  return out;
}
