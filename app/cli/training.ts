// Training for `hark train` and `hark compare`: the keyword recipe (core/kws/recipe.ts),
// with data-parallel gradients on training threads when there is a spare core.
//
// The recipe builds its model after preparing the examples and asks for the gradient
// source synchronously, but training threads start asynchronously (a worker must attach
// before the first batch, or that batch waits for it until a timeout). So the threads
// are started before training, on a "shadow" model of the configuration the recipe will
// build; the gradient source copies the real model's weights into the shadow, lets the
// threads compute, and copies the gradients back. Every batch then runs the same way,
// so a seed gives the same model every time. If the recipe's model turns out to differ
// from the prediction, training runs on one thread (with a warning) — still correct.

import { featureCount, modelFrames } from '../../core/features/config.js';
import { classLabels } from '../../core/kws/labels.js';
import { resolveRecipe, trainKeywordModel, type KwsModel, type KwsRecipe, type KwsTrainEvent, type KwsTrainInput } from '../../core/kws/recipe.js';
import { SequenceClassifier, type ClassifierConfig, type LossAndGradOptions } from '../../core/nn/classifier.js';
import type { Vec } from '../../core/tensor/vec.js';
import type { GradientSource } from '../../core/train/trainer.js';
import { defaultWorkerCount, startTrainingThreads, type TrainingThreads } from '../engine/training-threads.js';

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

/** The classifier configuration trainKeywordModel will build for this input. */
export function predictedConfig(input: KwsTrainInput, recipe: KwsRecipe): ClassifierConfig {
  const words = input.words ?? [...new Set(input.train.map((c) => c.label))].sort();
  const hasUnknown = input.train.some((c) => !words.includes(c.label));
  return {
    cell: recipe.cell, inputSize: featureCount(recipe.features), hiddenSize: recipe.hiddenSize, layers: recipe.layers,
    classes: classLabels(words, hasUnknown).length, dropout: recipe.layers > 1 ? recipe.dropout : 0, pooling: recipe.pooling,
  };
}

const sameConfig = (a: ClassifierConfig, b: ClassifierConfig): boolean =>
  (Object.keys(a) as (keyof ClassifierConfig)[]).every((k) => a[k] === b[k]) && Object.keys(a).length === Object.keys(b).length;

/** Gradients of `model` computed on the shadow's training threads. */
function throughShadow(model: SequenceClassifier, shadow: SequenceClassifier, threads: TrainingThreads): GradientSource {
  let normVersion = -1;
  return {
    lossAndGrad(x: Vec, labels: ArrayLike<number>, T: number, B: number, options?: LossAndGradOptions) {
      shadow.params.set(model.params);
      if (model.normalizationVersion !== normVersion) {
        shadow.setNormalization(model.getNormalization());
        normVersion = model.normalizationVersion;
      }
      const result = threads.gradients.lossAndGrad(x, labels, T, B, options);
      model.grads.set(shadow.grads);
      return result;
    },
  };
}

export async function trainModel(input: KwsTrainInput, overrides: Partial<KwsRecipe>, options: TrainOptions = {}): Promise<TrainRun> {
  const started = performance.now();
  const recipe = resolveRecipe(overrides);
  const wanted = options.workers ?? defaultWorkerCount();
  let threads: TrainingThreads | null = null;
  let shadow: SequenceClassifier | null = null;
  let workers = 0;
  try {
    if (wanted > 0 && input.train.length > 0) {
      const config = predictedConfig(input, recipe);
      shadow = new SequenceClassifier(config, { seed: recipe.seed });
      try {
        threads = await startTrainingThreads(shadow, {
          workers: wanted, maxSteps: modelFrames(recipe.features), maxBatch: recipe.batchSize,
          onWorkerLost: (err) => options.onWarning?.(err.message),
        });
        workers = wanted;
      } catch (err) {
        options.onWarning?.(`training threads could not start (${(err as Error).message}); training on one thread`);
      }
    }
    const gradients = threads && shadow ? (model: SequenceClassifier): GradientSource => {
      if (sameConfig(model.config, (shadow as SequenceClassifier).config)) return throughShadow(model, shadow as SequenceClassifier, threads as TrainingThreads);
      options.onWarning?.('the model differs from the one the training threads were started for; training on one thread');
      workers = 0;
      return model;
    } : undefined;
    const run = trainKeywordModel(input, overrides, { signal: options.signal, gradients });
    let step = await run.next();
    while (!step.done) {
      options.onEvent?.(step.value);
      step = await run.next();
    }
    return { model: step.value, seconds: (performance.now() - started) / 1000, workers };
  } finally {
    await threads?.close();
  }
}
