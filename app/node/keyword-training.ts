// One keyword training run on every spare core: the recipe (core/kws/recipe.ts) with its
// examples' features on feature threads, then, once the model exists, its gradients on
// data-parallel training threads (the feature threads are closed first, so their cores go
// to training). The engine's jobs, `hark train`/`compare`, the bench and the report all
// train through here. Threads that cannot start cost speed, never the run. Every run mixes
// in the bundled other speech (other-speech.ts) unless told not to; a missing set costs
// the run a warning, never the run. A network too slow to listen live — one the loader
// would refuse (checkKwsModel) — is refused before anything is prepared.

import { ConfigError } from '../../core/errors.js';
import { liveBudgetProblem, liveLoad, MAX_LIVE_LOAD, type NetworkShape } from '../../core/features/budget.js';
import { featureCount } from '../../core/features/config.js';
import { isFillerLabel } from '../../core/kws/labels.js';
import { LOAD_LIVE_SETTING } from '../../core/kws/model-file.js';
import { resolveRecipe, trainKeywordModel, type KwsModel, type KwsRecipe, type KwsTrainEvent, type KwsTrainInput, type KwsTrainOptions } from '../../core/kws/recipe.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import type { GradientSource } from '../../core/train/trainer.js';
import { startFeatureThreads } from './feature-threads.js';
import { bundledOtherSpeech } from './other-speech.js';
import { bundledEncoder } from './pretrained.js';
import { encoderMismatch } from '../../core/kws/pretrained.js';
import { defaultWorkerCount } from './threads.js';
import { startTrainingThreads, type TrainingThreads } from './training-threads.js';

export interface TrainOptions extends Pick<KwsTrainOptions, 'resume' | 'onTrainer' | 'start'> {
  signal?: AbortSignal;
  /** Extra training threads (0: the calling thread only). Default: all cores but one, at most 3. */
  workers?: number;
  /** Every event of the run, in order (called before the run goes on). */
  onEvent?: (event: KwsTrainEvent) => void;
  /** A thread failed or could not start; the run goes on with fewer. */
  onWarning?: (message: string) => void;
  /** Mix in the bundled other speech when input.otherSpeech is not given (default true). */
  bundledSpeech?: boolean;
  /** Start from the pretrained encoder (pretrained.ts) when there is one that fits the recipe (default true); false: from scratch. Not read when `start` is given. */
  pretrained?: boolean;
}

export interface TrainRun {
  model: KwsModel;
  /** Wall-clock seconds of the whole run (preparing examples and training). */
  seconds: number;
  /** Training threads actually used besides the calling one. */
  workers: number;
}

/** input with the bundled other speech, when the run wants it and it is there (else a warning). */
async function withOtherSpeech(input: KwsTrainInput, options: TrainOptions): Promise<KwsTrainInput> {
  if (input.otherSpeech || options.bundledSpeech === false) return input;
  try {
    const otherSpeech = await bundledOtherSpeech();
    if (otherSpeech) return { ...input, otherSpeech };
    options.onWarning?.('the bundled other speech is missing: the model learns only from this dataset what is not a command');
  } catch (err) {
    options.onWarning?.(`the bundled other speech cannot be read (${(err as Error).message}): the model learns only from this dataset what is not a command`);
  }
  return input;
}

/**
 * The pretrained encoder for this run: null when the run trains from scratch, there is no
 * encoder, or it does not fit the recipe (another network or feature settings: a warning
 * says so, and the run trains from scratch).
 */
async function encoderFor(overrides: Partial<KwsRecipe>, options: TrainOptions): Promise<KwsModel | null> {
  if (options.pretrained === false || options.resume || options.start) return null;
  let encoder: KwsModel | null;
  try {
    encoder = await bundledEncoder();
  } catch (err) {
    options.onWarning?.(`Training from scratch, not from the pretrained model: ${(err as Error).message}.`);
    return null;
  }
  if (encoder === null) return null;
  const r = resolveRecipe(overrides);
  const problem = encoderMismatch(encoder, { cell: r.cell, inputSize: featureCount(r.features), hiddenSize: r.hiddenSize, layers: r.layers, pooling: r.pooling }, r.features);
  if (problem !== null) {
    options.onWarning?.(`Training from scratch, not from the pretrained model: ${problem}.`);
    return null;
  }
  return encoder;
}

type NetworkRecipe = Pick<KwsRecipe, 'cell' | 'hiddenSize' | 'layers' | 'features'>;

/** The network a recipe trains, as the live budget sees it, for a model of `classes` classes. */
const networkOf = (r: NetworkRecipe, classes: number): NetworkShape =>
  ({ cell: r.cell, inputSize: featureCount(r.features), hiddenSize: r.hiddenSize, layers: r.layers, classes });

/** Whether a trained model of this network would pass the loader's live budget (checkKwsModel, LOAD_LIVE_SETTING). */
const fitsLive = (r: NetworkRecipe, classes: number): boolean => liveBudgetProblem(r.features, networkOf(r, classes), LOAD_LIVE_SETTING) === null;

/**
 * The most units per layer a model of this cell, depth and features may have and still be
 * accepted on load (the live budget, core/features/budget.ts); 0 when the feature settings
 * alone are over it. The cost grows with the units, so: double, then bisect.
 */
export function maxLiveHiddenSize(r: Omit<NetworkRecipe, 'hiddenSize'>, classes: number): number {
  const fits = (hiddenSize: number): boolean => fitsLive({ ...r, hiddenSize }, classes);
  if (!fits(1)) return 0;
  let lo = 1, hi = 2;
  while (fits(hi)) [lo, hi] = [hi, hi * 2];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Refuses, with ConfigError('too-slow'), a recipe whose model the loader would refuse as too
 * slow to listen live, saying which setting to lower and to what. `classes` is the most the
 * model can have: the words, _unknown_ and _background_.
 */
export function checkTrainingBudget(r: NetworkRecipe, classes: number): void {
  const problem = liveBudgetProblem(r.features, networkOf(r, classes), LOAD_LIVE_SETTING);
  if (problem === null) return;
  const most = maxLiveHiddenSize(r, classes);
  if (most === 0) throw new ConfigError('too-slow', `These feature settings are too slow to listen live, whatever the network: ${problem}.`);
  const layers = (n: number): string => `${n} layer${n === 1 ? '' : 's'}`;
  const percent = (x: number): string => `${Math.round(100 * x)}%`;
  const load = liveLoad(r.features, networkOf(r, classes), LOAD_LIVE_SETTING).total;
  const fewer = r.layers > 1 ? `, or use fewer layers (--layers; ${maxLiveHiddenSize({ ...r, layers: 1 }, classes)} units fit in one)` : '';
  throw new ConfigError('too-slow', `This network (${r.cell}, ${r.hiddenSize} units × ${layers(r.layers)}) would be too slow to listen live: about ` +
    `${percent(load)} of a CPU core with ${LOAD_LIVE_SETTING.engine} and a decision every ${LOAD_LIVE_SETTING.hopMs} ms, where Hark accepts at most ` +
    `${percent(MAX_LIVE_LOAD)}, so the model would be refused once trained. Lower hiddenSize (hark train --hidden) to at most ${most} with ${layers(r.layers)}${fewer}.`);
}

export async function trainModel(input: KwsTrainInput, overrides: Partial<KwsRecipe>, options: TrainOptions = {}): Promise<TrainRun> {
  // Before anything is read or prepared: a model the loader would refuse is not worth training.
  const words = input.words?.length ?? new Set(input.train.map((c) => c.label).filter((l) => !isFillerLabel(l))).size;
  checkTrainingBudget(resolveRecipe(overrides), words + 2);
  const started = performance.now();
  input = await withOtherSpeech(input, options);
  const encoder = await encoderFor(overrides, options);
  const wanted = options.workers ?? defaultWorkerCount();
  let threads: TrainingThreads | null = null;
  let workers = 0;
  const features = wanted > 0 ? startFeatureThreads({ workers: wanted, onWarning: options.onWarning }) : null;
  const gradients = wanted > 0 ? async (model: SequenceClassifier, shape: { steps: number; batchSize: number }): Promise<GradientSource> => {
    await features?.close(); // the examples are ready: their threads' cores go to training
    try {
      threads = await startTrainingThreads(model, {
        workers: wanted, maxSteps: shape.steps, maxBatch: shape.batchSize,
        onWorkerLost: (err) => options.onWarning?.(err.message),
      });
      workers = wanted;
      return threads.gradients;
    } catch (err) {
      options.onWarning?.(`training threads could not start (${(err as Error).message}); training on one thread`);
      return model;
    }
  } : undefined;
  try {
    const run = trainKeywordModel(input, overrides, {
      signal: options.signal, gradients, featurize: features?.featurize, resume: options.resume, onTrainer: options.onTrainer,
      encoder: encoder ?? undefined, start: options.start,
    });
    let step = await run.next();
    while (!step.done) {
      options.onEvent?.(step.value);
      step = await run.next();
    }
    return { model: step.value, seconds: (performance.now() - started) / 1000, workers };
  } finally {
    await features?.close();
    await (threads as TrainingThreads | null)?.close();
  }
}
