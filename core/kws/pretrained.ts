// A pretrained start: a keyword model trained on many words and voices (scripts/pretrain.ts)
// lends a new model its recurrent layers and input normalisation; the new model's head is
// fresh, sized for the user's words, and every weight goes on learning from the user's
// clips (fine-tuning). What the encoder learned of telling words apart, which six takes of
// four words cannot teach, comes along; what it learned to call them does not.
//
// A whole-model start (startFromModel) takes every weight of a trained model of the same
// words, head included: training goes on from it, e.g. after mining added other speech.

import { ConfigError } from '../errors.js';
import type { SequenceClassifier } from '../nn/classifier.js';
import type { FeatureConfig } from '../features/config.js';
import { isFillerLabel, UNKNOWN_LABEL } from './labels.js';

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

/** How the reasons name the model a run starts from. */
const ENCODER = 'the pretrained model';
const START = 'the model to start from';

/** Why `encoder` (named `who`) cannot start a network of `shape`, as a sentence; null when it can. */
function networkMismatch(encoder: SequenceClassifier, shape: EncoderShape, who = ENCODER): string | null {
  const c = encoder.config;
  const differs = (Object.keys(PART_NAMES) as (keyof EncoderShape)[]).filter((k) => c[k] !== shape[k]);
  if (differs.length > 0) return `${who} has another network (${differs.map((k) => `${PART_NAMES[k]} ${String(c[k])}, not ${String(shape[k])}`).join('; ')})`;
  if (encoder.getNormalization() === null) return `${who} has no input normalisation`;
  return null;
}

/** The feature settings that differ (normalisation aside: raw features on both sides). */
function featureDifferences(a: FeatureConfig, b: FeatureConfig): string[] {
  return (Object.keys(a) as (keyof FeatureConfig)[]).filter((k) => k !== 'normalization' && a[k] !== b[k]);
}

/** Why `encoder` cannot start a model of `shape` listening with `features`, as a sentence; null when it can. */
export function encoderMismatch(encoder: { model: SequenceClassifier; features: FeatureConfig }, shape: EncoderShape, features: FeatureConfig, who = ENCODER): string | null {
  const network = networkMismatch(encoder.model, shape, who);
  if (network !== null) return network;
  const differs = featureDifferences(encoder.features, features);
  return differs.length > 0 ? `${who} was trained on other feature settings (${differs.join(', ')})` : null;
}

/** Copies the encoder's recurrent layers (every parameter before the head) and input normalisation into `model`. */
export function startFromEncoder(model: SequenceClassifier, encoder: SequenceClassifier): void {
  const problem = networkMismatch(encoder, model.config);
  if (problem !== null) throw new ConfigError('bad-encoder', problem);
  const recurrent = encoder.layers.reduce((n, l) => n + l.paramCount, 0); // (layers' W, R, B, P), the same layout in both
  model.params.set(encoder.params.subarray(0, recurrent), 0);
  model.setNormalization(encoder.getNormalization());
}

/** A trained model to go on training (its network, its labels, its feature settings). */
export interface ModelStart {
  model: SequenceClassifier;
  labels: readonly string[];
  features: FeatureConfig;
}

/**
 * Why `start` cannot be the whole start of a model of `shape` with `labels` listening with
 * `features`, as a sentence; null when it can. Every weight is taken, the head's too, so
 * the classes must be the same ones in the same order.
 */
export function modelStartMismatch(start: ModelStart, shape: EncoderShape, labels: readonly string[], features: FeatureConfig): string | null {
  const problem = encoderMismatch(start, shape, features, START);
  if (problem !== null) return problem;
  if (start.labels.length === labels.length && start.labels.every((l, i) => l === labels[i])) return null;
  const words = (ls: readonly string[]): string => ls.filter((l) => !isFillerLabel(l)).join(', ');
  if (words(start.labels) !== words(labels)) return `${START} knows other words (${words(start.labels)}; this run's: ${words(labels)}): it can only go on learning the same words`;
  const other = (ls: readonly string[]): boolean => ls.includes(UNKNOWN_LABEL);
  return other(labels) && !other(start.labels)
    ? `${START} has no class for other speech and this run has other speech: train from the pretrained model or from scratch instead`
    : `${START} learned other speech and this run has none: add other speech, or train from the pretrained model or from scratch`;
}

/** Copies every parameter of `start` (recurrent layers and head) and its input normalisation into `model`. */
export function startFromModel(model: SequenceClassifier, start: SequenceClassifier): void {
  const problem = networkMismatch(start, model.config, START);
  if (problem !== null) throw new ConfigError('bad-start', problem);
  if (start.config.classes !== model.config.classes) throw new ConfigError('bad-start', `${START} has ${start.config.classes} classes, this model ${model.config.classes}`);
  model.params.set(start.params);
  model.setNormalization(start.getNormalization());
}
