// A pretrained start: a keyword model trained on many words and voices (scripts/pretrain.ts)
// lends a new model its recurrent layers and input normalisation; the new model's head is
// fresh, sized for the user's words, and every weight goes on learning from the user's
// clips (fine-tuning). What the encoder learned of telling words apart, which six takes of
// four words cannot teach, comes along; what it learned to call them does not.

import { ConfigError } from '../errors.js';
import type { SequenceClassifier } from '../nn/classifier.js';
import type { FeatureConfig } from '../features/config.js';

/** What an encoder and the model it starts must share. */
export interface EncoderShape {
  cell: string;
  inputSize: number;
  hiddenSize: number;
  layers: number;
  /** What the head reads: the recurrent states were trained for it. */
  pooling: string;
}

/** How the reasons name each part, for the people who read them (the Train screen, hark train). */
const PART_NAMES: Record<keyof EncoderShape, string> = { cell: 'cell', inputSize: 'features per frame', hiddenSize: 'size', layers: 'layers', pooling: 'pooling' };

/** Why `encoder` cannot start a network of `shape`, as a sentence; null when it can. */
function networkMismatch(encoder: SequenceClassifier, shape: EncoderShape): string | null {
  const c = encoder.config;
  const differs = (Object.keys(PART_NAMES) as (keyof EncoderShape)[]).filter((k) => c[k] !== shape[k]);
  if (differs.length > 0) return `the pretrained model has another network (${differs.map((k) => `${PART_NAMES[k]} ${String(c[k])}, not ${String(shape[k])}`).join('; ')})`;
  if (encoder.getNormalization() === null) return 'the pretrained model has no input normalisation';
  return null;
}

/** The feature settings that differ (normalisation aside: raw features on both sides). */
function featureDifferences(a: FeatureConfig, b: FeatureConfig): string[] {
  return (Object.keys(a) as (keyof FeatureConfig)[]).filter((k) => k !== 'normalization' && a[k] !== b[k]);
}

/** Why `encoder` cannot start a model of `shape` listening with `features`, as a sentence; null when it can. */
export function encoderMismatch(encoder: { model: SequenceClassifier; features: FeatureConfig }, shape: EncoderShape, features: FeatureConfig): string | null {
  const network = networkMismatch(encoder.model, shape);
  if (network !== null) return network;
  const differs = featureDifferences(encoder.features, features);
  return differs.length > 0 ? `the pretrained model was trained on other feature settings (${differs.join(', ')})` : null;
}

/** Copies the encoder's recurrent layers (every parameter before the head) and input normalisation into `model`. */
export function startFromEncoder(model: SequenceClassifier, encoder: SequenceClassifier): void {
  const problem = networkMismatch(encoder, model.config);
  if (problem !== null) throw new ConfigError('bad-encoder', problem);
  const recurrent = encoder.layers.reduce((n, l) => n + l.paramCount, 0); // (layers' W, R, B, P), the same layout in both
  model.params.set(encoder.params.subarray(0, recurrent), 0);
  model.setNormalization(encoder.getNormalization());
}
