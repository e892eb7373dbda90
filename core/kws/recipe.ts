// The keyword-spotting recipe: from labelled clips (and background audio, if any) to a
// trained model with its labels and feature settings. Defaults are chosen for what a
// person at a desk records — 10 to 30 clips of each word — and measured on the spoken
// digits and synthetic keyword sets (docs/measurements.md, "Keyword spotting accuracy").
//
//   classes   the words, `_unknown_` when there is other speech (the user's, or the
//             bundled set given as input.otherSpeech), `_background_` always
//   windows   1 s; clean copy centred, augmented copies placed at random (examples.ts)
//   features  DEFAULT_FEATURE_CONFIG, raw; the model normalises with training statistics
//             (so the exported ONNX graph is self-contained)
//   training  AdamW, cosine schedule, label smoothing, early stopping on validation loss
//             with the best weights kept

import type { AugmentOptions } from '../audio/augment.js';
import { ConfigError, TrainingAbortedError } from '../errors.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, parseFeatureConfig, type FeatureConfig } from '../features/config.js';
import type { SpecAugmentOptions } from '../features/spec-augment.js';
import { SequenceClassifier, type Pooling } from '../nn/classifier.js';
import type { CellKind } from '../nn/layer.js';
import { Random } from '../tensor/random.js';
import { featureStatistics, type SequenceDataset } from '../train/dataset.js';
import { encodeDataset, trainHead } from '../train/head.js';
import { Trainer, type AbortSignalLike, type EpochRecord, type GradientSource, type TrainerState, type TrainEvent, type TrainResult } from '../train/trainer.js';
import { TypeScriptEngine } from '../inference/engine.js';
import { calibrateThresholds, type Calibration } from './calibrate.js';
import { encoderMismatch, modelStartMismatch, startFromEncoder, startFromModel, type ModelStart } from './pretrained.js';
import { generatedNoise } from '../audio/augment.js';
import { buildExamples, plannedExamples, type ExamplePlan, type ExampleSet, type KwsClip, type WindowFeaturizer } from './examples.js';
import { BACKGROUND_LABEL, checkWords, classLabels, isFillerLabel, says, spokenForm, UNKNOWN_LABEL } from './labels.js';
import { crc32 } from '../util/crc32.js';
import { silentClipWarnings } from './data-warnings.js';
import { checkOption, DEFAULT_CELL, RECIPE_OPTIONS } from './options.js';

export type { KwsClip } from './examples.js';

export interface KwsRecipe {
  cell: CellKind;
  hiddenSize: number;
  layers: number;
  /** Dropout between stacked layers (no effect with one layer). */
  dropout: number;
  pooling: Pooling;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  labelSmoothing: number;
  /** Early stopping: epochs without a better validation loss. */
  patience: number;
  /**
   * When the validation set holds fewer than minValidationPerWord clips of a word on
   * average, no epoch before minEpochs is kept as the best, nor stops the run: with one
   * held-out take a word, the validation loss of an early, barely trained model can look
   * best (a person's model stopped at epoch 18 and found 5 % of their words in a stream,
   * docs/real-speech.md). A larger validation set is trusted from the first epoch (on the
   * spoken digits, 9 clips a word, minEpochs everywhere cost 2 points: 98.7 → 96.7 %).
   */
  minEpochs: number;
  minValidationPerWord: number;
  /** Augmented copies of every clip (augmentedCopies) besides the clean one; off: clean only. */
  augment: boolean;
  augmentedCopies: number;
  /** Settings of the audio augmentation (core/audio/augment.ts); the noise comes from the background recordings. */
  augmentation: Omit<AugmentOptions, 'noise'>;
  /**
   * SpecAugment masks on the features of every augmented copy and fragment (null: off,
   * the default). Opt-in until it has been measured: one development run on an unseen
   * FSDD speaker suggested a small lift (docs/measurements.md, "Keyword spotting accuracy"). The fill must be
   * 'mean': the examples' features are raw, so a zero fill is not their mean.
   */
  specAugment: SpecAugmentOptions | null;
  /** Background windows per word-class example (clean + augmented), on average. */
  backgroundRatio: number;
  /** Unknown-speech examples are capped at this many times a word's average clip count. */
  unknownRatio: number;
  /**
   * Other speech from input.otherSpeech (the bundled set) mixed into every run as unknown
   * speech, whatever the user's data has: isolated words, as many as otherWordsRatio times
   * a word's average clip count, and windows of continuous speech, speechRatio times the
   * word examples (clips and their copies). A person's few takes teach the model their
   * words; only other speech teaches it what is not one of them.
   */
  otherWordsRatio: number;
  speechRatio: number;
  /**
   * After training, calibrate each word's threshold on the part of input.otherSpeech kept
   * out of training (calibrate.ts): the lowest at which it does not fire there.
   */
  calibrate: boolean;
  /**
   * What a run started from the pretrained encoder trains: 'all' fine-tunes every weight;
   * 'head' keeps the encoder's recurrent layers as they are and trains only the head, on
   * encodings computed once (core/train/head.ts): seconds instead of a minute.
   */
  fineTune: FineTune;
  /** Share of each word's training clips held out for validation when none are given. */
  validationFraction: number;
  /** Fewer clips than this in a word earns a warning. */
  minClipsPerWord: number;
  seed: number;
  features: FeatureConfig;
}

export const FINE_TUNES = ['all', 'head'] as const;
export type FineTune = (typeof FINE_TUNES)[number];

export const DEFAULT_RECIPE: Readonly<KwsRecipe> = Object.freeze({
  cell: DEFAULT_CELL,
  hiddenSize: RECIPE_OPTIONS.hiddenSize.default,
  layers: RECIPE_OPTIONS.layers.default,
  dropout: 0.1,
  pooling: 'last',
  epochs: RECIPE_OPTIONS.epochs.default,
  batchSize: 32,
  learningRate: 4e-3,
  weightDecay: 1e-4,
  labelSmoothing: 0,
  patience: 8,
  minEpochs: 20,
  minValidationPerWord: 5,
  augment: true,
  augmentedCopies: 4,
  // Speed perturbation shifts pitch and formants together, the cheapest stand-in for another
  // voice; wider and more often than the augmentation module's defaults.
  augmentation: { speedProbability: 0.8, minSpeed: 0.85, maxSpeed: 1.15 },
  specAugment: null,
  backgroundRatio: 1,
  unknownRatio: 8,
  otherWordsRatio: 8,
  speechRatio: 0.5,
  calibrate: true,
  fineTune: 'all',
  validationFraction: 0.15,
  minClipsPerWord: 10,
  seed: RECIPE_OPTIONS.seed.default,
  features: DEFAULT_FEATURE_CONFIG,
} satisfies KwsRecipe);

export interface KwsTrainInput {
  train: readonly KwsClip[];
  /** Held-out clips; when empty, validationFraction of each word's training clips. */
  validation: readonly KwsClip[];
  /** Background recordings (16 kHz), e.g. a dataset's `_background_noise_` files. */
  background: readonly Float32Array[];
  /** The words to spot; default: every label of the training clips. Other labels are unknown speech. */
  words?: readonly string[];
  /** Other speech to mix in as unknown (recipe.otherWordsRatio, speechRatio); a clip whose label is one of the words is left out. */
  otherSpeech?: OtherSpeech;
}

/** Speech that is none of the user's words. */
export interface OtherSpeech {
  /** Isolated words; label: what is said. */
  words: readonly KwsClip[];
  /** Continuous speech; label: what is said, or '' when that is not known (read prose: it may say anything). */
  speech: readonly KwsClip[];
}

/** A trained keyword model: what the detector, the CLI and the app need to run it. */
export interface KwsModel {
  model: SequenceClassifier;
  labels: string[];
  /** Raw feature settings (normalization: null; the model carries the statistics). */
  features: FeatureConfig;
  history: EpochRecord[];
  warnings: string[];
  recipe: KwsRecipe;
  /** Per-word thresholds calibrated on other speech (absent or null: not calibrated; the detector's default applies). */
  calibration?: Calibration | null;
  /** The epoch whose weights the model has (early stopping's best), when the run said so. */
  keptEpoch?: number;
}

export type KwsTrainEvent =
  | TrainEvent
  | { type: 'prepare'; done: number; total: number }
  | { type: 'warning'; message: string };

export interface KwsTrainOptions {
  signal?: AbortSignalLike;
  /**
   * Data-parallel gradients for the model the recipe builds (see DataParallelGradients;
   * app/node/training-threads.ts starts them). Called once, after the model exists and
   * before training; the caller owns what it creates and closes it when the run ends.
   */
  gradients?: (model: SequenceClassifier, shape: { steps: number; batchSize: number }) => GradientSource | Promise<GradientSource>;
  /**
   * Continue an interrupted run from the model and trainer state it left (see onTrainer),
   * with the same input and recipe: the examples are rebuilt from the seed, identically,
   * and training goes on exactly where it stopped.
   */
  resume?: { model: SequenceClassifier; trainer: TrainerState };
  /** Called once the trainer exists: keep it to save trainer.state() and the model after a cancel. */
  onTrainer?: (trainer: Trainer, model: SequenceClassifier) => void;
  /** Computes the examples' features (default: on this thread; app/node/feature-threads.ts spreads them over threads). */
  featurize?: WindowFeaturizer;
  /**
   * A pretrained start (pretrained.ts): the model begins with this encoder's recurrent layers
   * and input normalisation, and a fresh head. It must have the recipe's cell, sizes and
   * feature settings (encoderMismatch says why not). Ignored when resuming.
   */
  encoder?: Pick<KwsModel, 'model' | 'features'>;
  /**
   * A whole-model start (pretrained.ts): the model begins with every weight of this trained
   * model of the same words, its head too, and its input normalisation, and goes on
   * learning (e.g. after mining added other speech). It must have the recipe's network and
   * feature settings and this run's classes (modelStartMismatch says why not). Not with
   * `encoder`; ignored when resuming.
   */
  start?: ModelStart;
}

/** The recipe with `overrides` applied and checked. */
export function resolveRecipe(overrides: Partial<KwsRecipe> = {}): KwsRecipe {
  const r: KwsRecipe = { ...DEFAULT_RECIPE, ...overrides, augmentation: { ...DEFAULT_RECIPE.augmentation, ...overrides.augmentation }, features: parseFeatureConfig(overrides.features ?? DEFAULT_RECIPE.features) };
  const check = (ok: boolean, what: string): void => { if (!ok) throw new ConfigError('bad-recipe', what); };
  const int = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  for (const option of Object.values(RECIPE_OPTIONS)) checkOption(option, r[option.key], 'bad-recipe');
  check(int(r.batchSize, 1, 4096), `batchSize must be an integer in [1, 4096], got ${r.batchSize}`);
  check(int(r.augmentedCopies, 0, 64), `augmentedCopies must be an integer in [0, 64], got ${r.augmentedCopies}`);
  check(int(r.patience, 1, 10000), `patience must be a positive integer, got ${r.patience}`);
  check(int(r.minEpochs, 0, 10000), `minEpochs must be an integer in [0, 10000], got ${r.minEpochs}`);
  check(r.minValidationPerWord >= 0, `minValidationPerWord must be ≥ 0, got ${r.minValidationPerWord}`);
  check(r.learningRate > 0 && r.learningRate < 1, `learningRate must be in (0, 1), got ${r.learningRate}`);
  check(r.validationFraction >= 0 && r.validationFraction < 1, `validationFraction must be in [0, 1), got ${r.validationFraction}`);
  check(r.backgroundRatio >= 0 && r.backgroundRatio <= 10, `backgroundRatio must be in [0, 10], got ${r.backgroundRatio}`);
  check(r.unknownRatio >= 0, `unknownRatio must be ≥ 0, got ${r.unknownRatio}`);
  check(r.otherWordsRatio >= 0 && r.otherWordsRatio <= 100, `otherWordsRatio must be in [0, 100], got ${r.otherWordsRatio}`);
  check(r.speechRatio >= 0 && r.speechRatio <= 10, `speechRatio must be in [0, 10], got ${r.speechRatio}`);
  check(typeof r.calibrate === 'boolean', `calibrate must be true or false, got ${String(r.calibrate)}`);
  check(FINE_TUNES.includes(r.fineTune), `fineTune must be one of ${FINE_TUNES.join(', ')}, got ${String(r.fineTune)}`);
  if (r.specAugment !== null) {
    const a = r.specAugment as Partial<SpecAugmentOptions> | undefined;
    check(typeof a === 'object' && [a.timeMasks, a.maxTimeWidth, a.freqMasks, a.maxFreqWidth].every((v) => int(v as number, 0, 1000)) && a.fill === 'mean',
      'specAugment must be null or { timeMasks, maxTimeWidth, freqMasks, maxFreqWidth: integers in [0, 1000], fill: "mean" } (the features are raw, so only the mean fill blanks them)');
  }
  if (r.features.normalization !== null) r.features = { ...r.features, normalization: null };
  return r;
}

const PEAK_CLIPPED = 0.999;

/** Share of samples at or above full scale. */
function clippedShare(x: Float32Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) >= PEAK_CLIPPED) n++;
  return n / Math.max(1, x.length);
}

/** What the user should know about the data before trusting the model (one sentence each). */
export function datasetWarnings(train: readonly KwsClip[], words: readonly string[], minClips: number): string[] {
  const warnings: string[] = [];
  for (const word of words) {
    const clips = train.filter((c) => c.label === word);
    if (clips.length < minClips) warnings.push(`"${word}" has only ${clips.length} clip${clips.length === 1 ? '' : 's'}; record at least ${minClips} (20–30 is better).`);
    const speakers = new Set(clips.map((c) => c.speaker));
    if (clips.length > 0 && speakers.size === 1) warnings.push(`Every clip of "${word}" is from one speaker (${[...speakers][0]}); the model may not work for other voices.`);
    const clipped = clips.filter((c) => clippedShare(c.samples) > 1e-3).length;
    if (clipped > 0) warnings.push(`${clipped} clip${clipped === 1 ? '' : 's'} of "${word}" ${clipped === 1 ? 'is' : 'are'} clipped (too loud); lower the input gain and re-record ${clipped === 1 ? 'it' : 'them'}.`);
  }
  warnings.push(...silentClipWarnings(train, words));
  return warnings;
}

/** What a run does when the dataset has no other speech of its own (one sentence or two). */
export function noOtherSpeechWarning(bundledMixedIn: boolean): string {
  return bundledMixedIn
    ? 'This dataset has no other speech (words that are not commands): Hark mixes in its own bundled set of other voices and languages. Some of your own, recorded where you will use Hark, teaches it more about your room.'
    : 'This dataset has no other speech (words that are not commands) and none is mixed in: the model has never heard anything but your commands and will mistake other talk for them. Record some other words.';
}

/** Indices 0..n-1 in a seeded random order (Fisher–Yates). */
function shuffled(n: number, rng: Random): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  return order;
}

/** Splits off validationFraction of each label's clips (at least one when a label has ≥ 4). */
export function holdOutValidation(train: readonly KwsClip[], fraction: number, rng: Random): { train: KwsClip[]; validation: KwsClip[] } {
  const byLabel = new Map<string, number[]>();
  train.forEach((c, i) => { const list = byLabel.get(c.label) ?? []; list.push(i); byLabel.set(c.label, list); });
  const held = new Set<number>();
  for (const label of [...byLabel.keys()].sort()) {
    const list = byLabel.get(label) as number[];
    const k = list.length >= 4 ? Math.max(1, Math.round(list.length * fraction)) : 0;
    for (const i of shuffled(list.length, rng).slice(0, k)) held.add(list[i]);
  }
  return { train: train.filter((_, i) => !held.has(i)), validation: train.filter((_, i) => held.has(i)) };
}

/** The classes and each clip's class; unknown speech capped at unknownRatio × a word's average. */
function assignClasses(clips: readonly KwsClip[], words: readonly string[], unknownCap: number, rng: Random): { clips: KwsClip[]; classOf: number[] } {
  const hasUnknown = clips.some((c) => !words.includes(c.label));
  const labels = classLabels(words, hasUnknown);
  const known = clips.filter((c) => words.includes(c.label));
  let unknown = clips.filter((c) => !words.includes(c.label));
  if (unknown.length > unknownCap) unknown = shuffled(unknown.length, rng).slice(0, unknownCap).sort((a, b) => a - b).map((i) => unknown[i]);
  const chosen = [...known, ...unknown];
  return { clips: chosen, classOf: chosen.map((c) => (words.includes(c.label) ? labels.indexOf(c.label) : labels.indexOf(UNKNOWN_LABEL))) };
}

/** A quarter of the bundled set is kept out of training, to calibrate thresholds on. */
const CALIBRATION_SHARE = 4;

/**
 * Whether an item of the bundled set is in the calibration part: by what it says (every
 * voice's take of a word on the same side, so calibration never hears a word that training
 * taught as other speech), or by position when that is not known. Fixed, whatever the seed.
 */
function forCalibration(c: KwsClip, i: number): boolean {
  const said = spokenForm(c.label);
  const key = said === '' ? i : crc32(new TextEncoder().encode(said));
  return key % CALIBRATION_SHARE === CALIBRATION_SHARE - 1;
}

/** The bundled set's training part and its calibration part. */
export function splitOtherSpeech(other: OtherSpeech): { training: OtherSpeech; calibration: OtherSpeech } {
  const held = (c: KwsClip, i: number): boolean => forCalibration(c, i);
  const kept = (c: KwsClip, i: number): boolean => !forCalibration(c, i);
  return {
    training: { words: other.words.filter(kept), speech: other.speech.filter(kept) },
    calibration: { words: other.words.filter(held), speech: other.speech.filter(held) },
  };
}

/** Whether `text` says one of `words` (whole words, accents and case aside): such speech is never other speech. */
const saysAny = (text: string, words: readonly string[]): boolean => words.some((w) => says(text, w));

/** Speech levels the calibration audio is played at (RMS, dBFS): a quiet and a close talker. */
const CALIBRATION_LEVELS_DB = [-32, -20];
const CALIBRATION_GAP_S = 0.25;
/** The room's floor under it: pink noise at −60 dBFS. */
const CALIBRATION_FLOOR = 1e-3;

/**
 * The calibration audio: the part's words and sentences one after another, 0.25 s apart,
 * once at each level, over a faint noise floor. Only speech known not to say one of the
 * user's words: calibration takes everything in it for a false activation, so read prose
 * whose words are not known is left out. Deterministic.
 */
export function calibrationAudio(part: OtherSpeech, words: readonly string[]): Float32Array {
  const items = [...part.speech, ...part.words]
    .filter((c) => spokenForm(c.label) !== '' && !saysAny(c.label, words) && c.samples.length > 0).map((c) => c.samples);
  if (items.length === 0) return new Float32Array(0);
  const gap = Math.round(CALIBRATION_GAP_S * 16000);
  const once = items.reduce((n, x) => n + x.length + gap, 0);
  const out = new Float32Array(once * CALIBRATION_LEVELS_DB.length); // (samples)
  let at = 0;
  for (const db of CALIBRATION_LEVELS_DB) {
    for (const x of items) {
      let e = 0;
      for (let i = 0; i < x.length; i++) e += x[i] * x[i];
      const g = 10 ** (db / 20) / Math.max(1e-9, Math.sqrt(e / x.length));
      for (let i = 0; i < x.length; i++) out[at + i] = Math.max(-1, Math.min(1, x[i] * g));
      at += x.length + gap;
    }
  }
  const floor = generatedNoise(out.length, 'pink', new Random(1));
  for (let i = 0; i < out.length; i++) out[i] += CALIBRATION_FLOOR * floor[i];
  return out;
}

/**
 * The bundled other speech a run uses: up to `count` of its words for training and
 * validationFraction as many for validation, in a seeded order, and its continuous speech,
 * leaving out anything known to say one of the user's words (a command must never be
 * taught as "not a command"; read prose without a transcript cannot be checked). Draws
 * nothing when there is none, so a run without it is as before.
 */
function pickOtherSpeech(
  other: OtherSpeech | undefined, words: readonly string[], count: number, validationFraction: number, rng: Random,
): { train: KwsClip[]; validation: KwsClip[]; speech: readonly Float32Array[] } {
  if (!other) return { train: [], validation: [], speech: [] };
  const speech = other.speech.filter((c) => !saysAny(c.label, words)).map((c) => c.samples);
  const usable = other.words.filter((c) => !saysAny(c.label, words));
  const asUnknown = (c: KwsClip): KwsClip => ({ ...c, label: UNKNOWN_LABEL });
  if (usable.length === 0 || count === 0) return { train: [], validation: [], speech };
  const order = shuffled(usable.length, rng);
  const nTrain = Math.min(count, usable.length);
  const nVal = Math.min(usable.length - nTrain, Math.round(nTrain * validationFraction));
  return {
    train: order.slice(0, nTrain).map((i) => asUnknown(usable[i])),
    validation: order.slice(nTrain, nTrain + nVal).map((i) => asUnknown(usable[i])),
    speech,
  };
}

/** The first epoch early stopping may keep: minEpochs (at most all of them) with a small validation set, else the first. */
export function keptFrom(recipe: Pick<KwsRecipe, 'minEpochs' | 'minValidationPerWord' | 'epochs'>, validationClipsPerWord: number): number {
  return validationClipsPerWord < recipe.minValidationPerWord ? Math.min(recipe.minEpochs, recipe.epochs) : 0;
}

function toDataset(set: ExampleSet): SequenceDataset {
  return { x: set.x, labels: set.labels, steps: set.steps, features: set.features };
}

/**
 * Trains `model` on the examples: only its head, on encodings computed once, when the
 * recipe says so and the run starts from the encoder (head.ts); otherwise every weight,
 * with the Trainer (threads, cancel and resume).
 */
async function* fit(
  model: SequenceClassifier, recipe: KwsRecipe, trainExamples: ExampleSet, valExamples: ExampleSet | null, minEpochs: number, options: KwsTrainOptions,
): AsyncGenerator<TrainEvent, TrainResult> {
  const train = {
    epochs: recipe.epochs, batchSize: recipe.batchSize, learningRate: recipe.learningRate, weightDecay: recipe.weightDecay,
    labelSmoothing: recipe.labelSmoothing, seed: recipe.seed, signal: options.signal,
    earlyStopping: { patience: recipe.patience, monitor: 'loss' as const, minEpochs },
  };
  if (recipe.fineTune === 'head' && options.encoder && !options.start && !options.resume) {
    const encodedValidation = valExamples ? encodeDataset(model, toDataset(valExamples)) : null;
    return yield* trainHead(model, encodeDataset(model, toDataset(trainExamples)), encodedValidation, train);
  }
  const gradients = options.gradients ? await options.gradients(model, { steps: trainExamples.steps, batchSize: recipe.batchSize }) : undefined;
  const trainer = new Trainer(model, { ...train, gradients }, options.resume?.trainer ?? null);
  options.onTrainer?.(trainer, model);
  return yield* trainer.run(toDataset(trainExamples), valExamples ? toDataset(valExamples) : null);
}

/**
 * Trains a keyword model. Yields 'prepare' progress while building examples, 'warning's
 * about the data, then the Trainer's events; returns the model with the best validation
 * loss. Abort through options.signal (TrainingAbortedError).
 */
export async function* trainKeywordModel(
  input: KwsTrainInput, overrides: Partial<KwsRecipe> = {}, options: KwsTrainOptions = {},
): AsyncGenerator<KwsTrainEvent, KwsModel> {
  const recipe = resolveRecipe(overrides);
  if (options.encoder && options.start) throw new ConfigError('bad-start', 'a run starts from the pretrained model or from a trained model, not from both');
  const rng = new Random(recipe.seed);
  const words = [...(input.words ?? [...new Set(input.train.map((c) => c.label))].filter((l) => !isFillerLabel(l)).sort())];
  if (words.length === 0) throw new ConfigError('no-words', 'there is nothing to learn: the training set has no labelled clips');
  checkWords(words);
  for (const w of words) {
    if (!input.train.some((c) => c.label === w)) throw new ConfigError('no-clips', `the word "${w}" has no training clips`);
  }

  let train = [...input.train], validation = [...input.validation];
  if (validation.length === 0 && recipe.validationFraction > 0) ({ train, validation } = holdOutValidation(train, recipe.validationFraction, rng));
  const warnings = datasetWarnings(input.train, words, recipe.minClipsPerWord);

  const wordClips = train.filter((c) => words.includes(c.label)).length;
  const perWord = wordClips / words.length;
  const unknownCap = Math.round(recipe.unknownRatio * perWord);
  const copies = recipe.augment ? recipe.augmentedCopies : 0;
  const bundled = input.otherSpeech ? splitOtherSpeech(input.otherSpeech) : null;
  const other = pickOtherSpeech(bundled?.training, words, Math.round(recipe.otherWordsRatio * perWord), recipe.validationFraction, rng);
  const speechExamples = other.speech.length > 0 ? Math.round(recipe.speechRatio * wordClips * (1 + copies)) : 0;
  const trainSet = assignClasses(train, words, unknownCap, rng);
  if (!input.train.some((c) => !words.includes(c.label))) warnings.push(noOtherSpeechWarning(other.train.length > 0 || speechExamples > 0));
  for (const message of warnings) yield { type: 'warning', message };
  trainSet.clips.push(...other.train);
  trainSet.classOf.push(...other.train.map(() => -1)); // set below, once the labels are known
  const labels = classLabels(words, speechExamples > 0 || trainSet.clips.some((c) => !words.includes(c.label)));
  const background = labels.indexOf(BACKGROUND_LABEL);
  const unknown = labels.indexOf(UNKNOWN_LABEL);
  if (options.start && !options.resume) { // before the examples are built: a wrong start is known now
    const shape = { cell: recipe.cell, inputSize: featureCount(recipe.features), hiddenSize: recipe.hiddenSize, layers: recipe.layers, pooling: recipe.pooling };
    const problem = modelStartMismatch(options.start, shape, labels, recipe.features);
    if (problem !== null) throw new ConfigError('bad-start', problem);
  }
  for (let i = trainSet.clips.length - other.train.length; i < trainSet.clips.length; i++) trainSet.classOf[i] = unknown;
  const valSet = assignClasses([...validation, ...other.validation], words, Infinity, rng);
  // Validation clips of a word the model has no class for (unknown speech with no unknown class) are left out.
  const valKeep = valSet.classOf.map((k) => k >= 0);

  const trainPlan: ExamplePlan = {
    clips: trainSet.clips, classOf: trainSet.classOf, augmentedCopies: copies,
    // A sliding window sees other words entering and leaving it: teach those as unknown too.
    edgeCuts: trainSet.classOf.map((k) => labels[k] === UNKNOWN_LABEL),
    // ...and every word leaving it: a fragment of a word is unknown speech (or background).
    fragmentClass: recipe.augment ? trainSet.classOf.map((k) => (labels[k] === UNKNOWN_LABEL ? -1 : labels.includes(UNKNOWN_LABEL) ? labels.indexOf(UNKNOWN_LABEL) : background)) : undefined,
    speechExamples, speechClass: unknown, speechRecordings: other.speech,
    backgroundExamples: Math.max(16, Math.round(recipe.backgroundRatio * perWord * (1 + copies))),
    backgroundClass: background, backgroundRecordings: input.background, features: recipe.features, augment: recipe.augmentation,
    specAugment: recipe.augment ? recipe.specAugment : null,
  };
  const valPlan: ExamplePlan = {
    clips: valSet.clips.filter((_, i) => valKeep[i]), classOf: valSet.classOf.filter((_, i) => valKeep[i]), augmentedCopies: 0,
    backgroundExamples: valSet.clips.length > 0 ? Math.max(8, Math.round(recipe.backgroundRatio * Math.max(1, valSet.clips.length / labels.length))) : 0,
    backgroundClass: background, backgroundRecordings: input.background, features: recipe.features,
  };
  const total = plannedExamples(trainPlan) + plannedExamples(valPlan);
  const trainBuild = buildExamples(trainPlan, rng, options.featurize);
  let step = await trainBuild.next();
  while (!step.done) {
    yield { type: 'prepare', done: step.value.done, total };
    if (options.signal?.aborted) break;
    step = await trainBuild.next();
  }
  const trainExamples = step.done ? step.value : null;
  let valExamples: ExampleSet | null = null;
  if (trainExamples && valPlan.clips.length > 0) {
    const valBuild = buildExamples(valPlan, rng, options.featurize);
    let v = await valBuild.next();
    while (!v.done) {
      yield { type: 'prepare', done: trainExamples.labels.length + v.value.done, total };
      if (options.signal?.aborted) break;
      v = await valBuild.next();
    }
    valExamples = v.done ? v.value : null;
  }
  if (!trainExamples || (valPlan.clips.length > 0 && !valExamples)) throw new TrainingAbortedError();
  const config = {
    cell: recipe.cell, inputSize: trainExamples.features, hiddenSize: recipe.hiddenSize, layers: recipe.layers,
    classes: labels.length, dropout: recipe.layers > 1 ? recipe.dropout : 0, pooling: recipe.pooling,
  };
  let model: SequenceClassifier;
  if (options.resume) {
    model = options.resume.model;
    const differs = (Object.keys(config) as (keyof typeof config)[]).filter((k) => model.config[k] !== config[k]);
    if (differs.length > 0) throw new ConfigError('bad-resume', `the run to resume trained a different model (${differs.join(', ')} differ): resume it with the same data and recipe`);
  } else {
    model = new SequenceClassifier(config, { seed: recipe.seed });
    if (options.start) {
      startFromModel(model, options.start.model); // checked above
    } else if (options.encoder) {
      const problem = encoderMismatch(options.encoder, config, recipe.features);
      if (problem !== null) throw new ConfigError('bad-encoder', problem);
      startFromEncoder(model, options.encoder.model);
    } else {
      const stats = featureStatistics(toDataset(trainExamples));
      model.setNormalization({ mean: stats.mean, std: stats.std.map((s) => (s > 1e-6 ? s : 1)) });
    }
  }
  const minEpochs = keptFrom(recipe, valPlan.clips.filter((_, i) => valPlan.classOf[i] < words.length).length / words.length);
  const result: TrainResult = yield* fit(model, recipe, trainExamples, valExamples, minEpochs, options);
  let calibration: Calibration | null = null;
  if (recipe.calibrate && bundled && !options.signal?.aborted) {
    const audio = calibrationAudio(bundled.calibration, words);
    if (audio.length > 0) calibration = await calibrateThresholds(new TypeScriptEngine(model), { labels, features: recipe.features }, audio);
  }
  return { model, labels, features: recipe.features, history: result.history, warnings, recipe, calibration, keptEpoch: result.bestEpoch };
}
