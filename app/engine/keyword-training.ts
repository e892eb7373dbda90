// One keyword training run on every spare core: the recipe (core/kws/recipe.ts) with its
// examples' features on feature threads, then, once the model exists, its gradients on
// data-parallel training threads (the feature threads are closed first, so their cores go
// to training). The engine's jobs, `hark train`/`compare`, the bench and the report all
// train through here. Threads that cannot start cost speed, never the run. Every run mixes
// in the bundled other speech (other-speech.ts) unless told not to; a missing set costs
// the run a warning, never the run.

import { trainKeywordModel, type KwsModel, type KwsRecipe, type KwsTrainEvent, type KwsTrainInput, type KwsTrainOptions } from '../../core/kws/recipe.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import type { GradientSource } from '../../core/train/trainer.js';
import { startFeatureThreads } from './feature-threads.js';
import { bundledOtherSpeech } from './other-speech.js';
import { defaultWorkerCount } from './threads.js';
import { startTrainingThreads, type TrainingThreads } from './training-threads.js';

export interface TrainOptions extends Pick<KwsTrainOptions, 'resume' | 'onTrainer'> {
  signal?: AbortSignal;
  /** Extra training threads (0: the calling thread only). Default: all cores but one, at most 3. */
  workers?: number;
  /** Every event of the run, in order (called before the run goes on). */
  onEvent?: (event: KwsTrainEvent) => void;
  /** A thread failed or could not start; the run goes on with fewer. */
  onWarning?: (message: string) => void;
  /** Mix in the bundled other speech when input.otherSpeech is not given (default true). */
  bundledSpeech?: boolean;
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

export async function trainModel(input: KwsTrainInput, overrides: Partial<KwsRecipe>, options: TrainOptions = {}): Promise<TrainRun> {
  const started = performance.now();
  input = await withOtherSpeech(input, options);
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
