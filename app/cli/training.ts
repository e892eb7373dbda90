// Training for `hark train` and `hark compare`: the keyword recipe (core/kws/recipe.ts),
// with data-parallel gradients on training threads when there is a spare core. The recipe
// asks for the gradient source once its model exists, and waits while the threads start.

import { trainKeywordModel, type KwsModel, type KwsRecipe, type KwsTrainEvent, type KwsTrainInput } from '../../core/kws/recipe.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import type { GradientSource } from '../../core/train/trainer.js';
import { defaultWorkerCount, startTrainingThreads, type TrainingThreads } from '../engine/training-threads.js';
import { startFeatureThreads } from '../engine/feature-threads.js';

export interface TrainOptions {
  signal?: AbortSignal;
  /** Extra training threads (0: the calling thread only). Default: all cores but one, at most 3. */
  workers?: number;
  onEvent?: (event: KwsTrainEvent) => void;
  onWarning?: (message: string) => void;
}

export interface TrainRun {
  model: KwsModel;
  /** Wall-clock seconds of the whole run (preparing examples and training). */
  seconds: number;
  /** Training threads actually used besides the calling one. */
  workers: number;
}

export async function trainModel(input: KwsTrainInput, overrides: Partial<KwsRecipe>, options: TrainOptions = {}): Promise<TrainRun> {
  const started = performance.now();
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
    const run = trainKeywordModel(input, overrides, { signal: options.signal, gradients, featurize: features?.featurize });
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
