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
}

/** Why `encoder` cannot start a network of `shape`; null when it can. */
function networkMismatch(encoder: SequenceClassifier, shape: EncoderShape): string | null {
  const c = encoder.config;
  const differs = (['cell', 'inputSize', 'hiddenSize', 'layers'] as const).filter((k) => c[k] !== shape[k]);
  if (differs.length > 0) return `the pretrained encoder has another network (${differs.map((k) => `${k} ${String(c[k])}, not ${String(shape[k])}`).join('; ')})`;
  if (encoder.getNormalization() === null) return 'the pretrained encoder has no input normalisation';
  return null;
}

/** Why `encoder` cannot start a model of `shape` listening with `features`; null when it can. */
export function encoderMismatch(encoder: { model: SequenceClassifier; features: FeatureConfig }, shape: EncoderShape, features: FeatureConfig): string | null {
  return networkMismatch(encoder.model, shape) ??
    (JSON.stringify(encoder.features) !== JSON.stringify(features) ? 'the pretrained encoder was trained on other feature settings' : null);
}

/** Copies the encoder's recurrent layers (every parameter before the head) and input normalisation into `model`. */
export function startFromEncoder(model: SequenceClassifier, encoder: SequenceClassifier): void {
  const problem = networkMismatch(encoder, model.config);
  if (problem !== null) throw new ConfigError('bad-encoder', problem);
  const recurrent = encoder.layers.reduce((n, l) => n + l.paramCount, 0); // (layers' W, R, B, P), the same layout in both
  model.params.set(encoder.params.subarray(0, recurrent), 0);
  model.setNormalization(encoder.getNormalization());
}
