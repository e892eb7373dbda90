// The training loop: seeded shuffling, mini-batches, AdamW with gradient clipping by global
// norm and a learning-rate schedule, validation every epoch, early stopping that restores
// the best weights, a guard against non-finite loss or gradients, cancellation through an
// AbortSignal, and progress as an async stream of events. Everything it needs to resume
// (optimizer moments, RNG, history, best weights) is in state(), which checkpoints save.

import { ConfigError, NonFiniteError, TrainingAbortedError } from '../errors.js';
import type { SequenceClassifier } from '../nn/classifier.js';
import { softmaxCrossEntropy, type LossOptions } from '../nn/loss.js';
import { Random, type RandomState } from '../tensor/random.js';
import { allocVec, type Vec } from '../tensor/vec.js';
import { AdamW } from './adamw.js';
import { clipByGlobalNorm } from './clip.js';
import { datasetSize, gatherBatch, validateDataset, type SequenceDataset } from './dataset.js';
import { learningRateFactor, type LearningRateSchedule } from './schedule.js';

/** The part of AbortSignal core needs; a DOM or Node AbortSignal satisfies it. */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

export interface TrainOptions extends LossOptions {
  epochs: number;
  batchSize?: number;       // default 32
  learningRate?: number;    // default 3e-3
  weightDecay?: number;     // default 1e-4 (decoupled, matrices only)
  clipNorm?: number;        // default 5; 0 disables clipping
  schedule?: LearningRateSchedule; // default cosine decay to 5%, no warm-up
  seed?: number;            // shuffling and dropout; default 0
  /** Stop when the monitored metric has not improved for `patience` epochs; restore the best weights. */
  earlyStopping?: { patience: number; monitor?: 'loss' | 'accuracy'; minDelta?: number; minEpochs?: number } | null;
  /**
   * What to do when a step's loss or gradient is not finite. 'skip' drops the step, rolls
   * the weights back to before the previous update and halves the learning rate; after
   * maxNonFinite consecutive bad steps training stops with a NonFiniteError (weights
   * rolled back). 'stop' stops at the first one.
   */
  onNonFinite?: 'skip' | 'stop';
  maxNonFinite?: number;    // default 5
  signal?: AbortSignalLike;
  /**
   * Where gradients are computed: the model itself (default), or a DataParallelGradients
   * that splits each batch over threads. Either writes the batch's gradient into model.grads.
   */
  gradients?: GradientSource;
  /** Emit a step event every n steps (default 1). */
  stepEventEvery?: number;
}

export type GradientSource = Pick<SequenceClassifier, 'lossAndGrad'>;

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  learningRate: number;
  seconds: number;
}

export type TrainEvent =
  | { type: 'start'; epochs: number; stepsPerEpoch: number; examples: number; paramCount: number; resumedAtEpoch: number }
  /** gradNorm is the global norm before clipping, clippedNorm after (≤ clipNorm). */
  | { type: 'step'; epoch: number; step: number; loss: number; accuracy: number; learningRate: number; gradNorm: number; clippedNorm: number; clipped: boolean; examplesPerSecond: number }
  | { type: 'non-finite'; epoch: number; step: number; learningRateScale: number; consecutive: number }
  | ({ type: 'epoch'; improved: boolean; examplesPerSecond: number } & EpochRecord)
  | { type: 'early-stop'; epoch: number; bestEpoch: number };

export interface TrainResult {
  reason: 'completed' | 'early-stopped';
  epochs: number;
  bestEpoch: number;
  history: EpochRecord[];
}

/** Everything needed to continue a run exactly where it stopped (saved in checkpoints). */
export interface TrainerState {
  epoch: number;            // epochs completed
  step: number;             // optimizer steps taken
  rng: RandomState;
  learningRateScale: number; // lowered by the non-finite guard
  optimizer: { step: number; m: Float32Array; v: Float32Array };
  history: EpochRecord[];
  best: { epoch: number; metric: number; params: Float32Array } | null;
  epochsWithoutImprovement: number;
  /** Where the epoch under way stands (null between epochs). */
  progress: EpochProgress | null;
}

/** An epoch in progress: enough to re-derive its order and finish its statistics. */
export interface EpochProgress {
  examples: number;           // N and B of the run, which the order and batches depend on
  batchSize: number;
  stepInEpoch: number;        // batches done
  rngAtEpochStart: RandomState; // the RNG before this epoch's shuffle
  lossSum: number;            // Σ batch loss · batch size so far
  correct: number;
  seen: number;
  seconds: number;            // time spent in this epoch before the run was interrupted
}

const YIELD_EVERY_MS = 50; // give the event loop (and an abort) a turn at least this often

export class Trainer {
  readonly model: SequenceClassifier;
  readonly options: Required<Omit<TrainOptions, 'signal' | 'classWeights' | 'earlyStopping' | 'gradients'>> & Pick<TrainOptions, 'signal' | 'classWeights' | 'earlyStopping' | 'gradients'>;
  private readonly optimizer: AdamW;
  private readonly rng: Random;
  private epoch = 0;
  private globalStep = 0;
  private learningRateScale = 1;
  private history: EpochRecord[] = [];
  private best: { epoch: number; metric: number; params: Float32Array } | null = null;
  private epochsWithoutImprovement = 0;
  private progress: EpochProgress | null = null; // the epoch under way, null between epochs

  constructor(model: SequenceClassifier, options: TrainOptions, resume: TrainerState | null = null) {
    this.model = model;
    this.options = resolveOptions(options);
    checkClassWeights(this.options.classWeights, model.config.classes);
    this.optimizer = new AdamW(model.paramCount, { weightDecay: this.options.weightDecay }, decayMask(model));
    this.rng = new Random(this.options.seed);
    if (resume) this.restore(resume);
  }

  state(): TrainerState {
    return {
      epoch: this.epoch,
      step: this.globalStep,
      rng: this.rng.getState(),
      learningRateScale: this.learningRateScale,
      optimizer: this.optimizer.getState(),
      history: this.history.map((r) => ({ ...r })),
      best: this.best ? { ...this.best, params: Float32Array.from(this.best.params) } : null,
      epochsWithoutImprovement: this.epochsWithoutImprovement,
      progress: this.progress ? { ...this.progress, rngAtEpochStart: [...this.progress.rngAtEpochStart] as RandomState } : null,
    };
  }

  private restore(s: TrainerState): void {
    this.epoch = s.epoch;
    this.globalStep = s.step;
    this.rng.setState(s.rng);
    this.learningRateScale = s.learningRateScale;
    this.optimizer.setState(s.optimizer);
    this.history = s.history.map((r) => ({ ...r }));
    if (s.best && s.best.params.length !== this.model.paramCount) throw new ConfigError('bad-resume', 'saved best weights do not fit the model');
    this.best = s.best ? { ...s.best, params: Float32Array.from(s.best.params) } : null;
    this.epochsWithoutImprovement = s.epochsWithoutImprovement;
    this.progress = s.progress ? { ...s.progress, rngAtEpochStart: [...s.progress.rngAtEpochStart] as RandomState } : null;
  }

  /**
   * Train on `train`, validating on `validation` (or on the training loss when null) after
   * every epoch. Yields progress events; returns the result, with the model at its best
   * weights. On cancellation throws TrainingAbortedError and leaves the model at its
   * latest weights, consistent with state(), so a checkpoint taken then resumes exactly
   * (even mid-epoch); call restoreBest() to keep the best weights instead.
   */
  async *run(train: SequenceDataset, validation: SequenceDataset | null): AsyncGenerator<TrainEvent, TrainResult> {
    const model = this.model;
    const { inputSize: F, classes: C } = model.config;
    validateDataset(train, C, F, 'training set');
    if (validation) validateDataset(validation, C, F, 'validation set');
    const N = datasetSize(train);
    if (N === 0) throw new ConfigError('bad-dataset', 'training set is empty');
    const o = this.options;
    const B = Math.min(o.batchSize, N);
    const T = train.steps;
    const stepsPerEpoch = Math.ceil(N / B);
    const totalSteps = stepsPerEpoch * o.epochs;
    const order = new Int32Array(N);
    const x = allocVec(model.dtype, T * B * F); // (T, B, F)
    const labels = new Int32Array(B);           // (B)
    const lastGood = Float32Array.from(model.params); // weights before the latest update
    let consecutiveBad = 0;
    let lastYield = performance.now();
    const checkpoint = async (): Promise<void> => {
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
      if (o.signal?.aborted) throw new TrainingAbortedError();
    };

    yield { type: 'start', epochs: o.epochs, stepsPerEpoch, examples: N, paramCount: model.paramCount, resumedAtEpoch: this.epoch };
    let reason: TrainResult['reason'] = 'completed';
    const patience = o.earlyStopping?.patience;
    // A run resumed from a state that had already stopped early stays stopped.
    if (patience !== undefined && this.epochsWithoutImprovement >= patience) reason = 'early-stopped';
    while (reason === 'completed' && this.epoch < o.epochs) {
      await checkpoint();
      const epochStart = performance.now();
      // The epoch's order depends only on the RNG state at its start, so a run resumed in
      // the middle of an epoch re-derives the same order.
      const resumed = this.progress;
      if (resumed && (resumed.examples !== N || resumed.batchSize !== B)) {
        throw new ConfigError('bad-resume', `the interrupted epoch ran over ${resumed.examples} examples in batches of ${resumed.batchSize}; resume it with the same data and batch size (got ${N} and ${B})`);
      }
      const progress = this.progress ??= { examples: N, batchSize: B, stepInEpoch: 0, rngAtEpochStart: this.rng.getState(), lossSum: 0, correct: 0, seen: 0, seconds: 0 };
      const rngNow = this.rng.getState();
      this.rng.setState(progress.rngAtEpochStart);
      for (let i = 0; i < N; i++) order[i] = i;
      this.rng.shuffle(order);
      if (resumed) this.rng.setState(rngNow);
      let valLoss: number | null = null, valAccuracy: number | null = null;
      try {
        for (let s = progress.stepInEpoch; s < stepsPerEpoch; s++) {
          await checkpoint();
          const start = s * B;
          const b = Math.min(B, N - start); // the last batch may be short
          const stepStart = performance.now();
          gatherBatch(x, labels, train, order, start, b);
          const result = (o.gradients ?? model).lossAndGrad(x, labels, T, b, { rng: this.rng, classWeights: o.classWeights, labelSmoothing: o.labelSmoothing });
          const norm = clipByGlobalNorm(model.grads, o.clipNorm);
          progress.stepInEpoch = s + 1;
          if (!Number.isFinite(result.loss) || !Number.isFinite(norm)) {
            // Put the weights back to before the update that led here (the optimizer's moments
            // keep it) and go on at half the rate.
            consecutiveBad++;
            model.params.set(lastGood);
            this.learningRateScale *= 0.5;
            yield { type: 'non-finite', epoch: this.epoch, step: this.globalStep, learningRateScale: this.learningRateScale, consecutive: consecutiveBad };
            if (o.onNonFinite === 'stop' || consecutiveBad >= o.maxNonFinite) {
              throw new NonFiniteError('non-finite', `training diverged: ${consecutiveBad} consecutive steps with a non-finite ${Number.isFinite(result.loss) ? 'gradient' : 'loss'}; weights restored to the last good step`);
            }
            continue;
          }
          consecutiveBad = 0;
          lastGood.set(model.params);
          const lr = o.learningRate * this.learningRateScale * learningRateFactor(o.schedule, this.globalStep, totalSteps);
          this.optimizer.update(model.params, model.grads, lr);
          this.globalStep++;
          progress.lossSum += result.loss * b; progress.correct += result.correct; progress.seen += b;
          if (this.globalStep % o.stepEventEvery === 0) {
            const ms = performance.now() - stepStart;
            yield {
              type: 'step', epoch: this.epoch, step: this.globalStep, loss: result.loss, accuracy: result.correct / b,
              learningRate: lr, gradNorm: norm, clippedNorm: o.clipNorm > 0 ? Math.min(norm, o.clipNorm) : norm,
              clipped: o.clipNorm > 0 && norm > o.clipNorm, examplesPerSecond: ms > 0 ? (b * 1000) / ms : 0,
            };
          }
        }
        if (validation && datasetSize(validation) > 0) {
          const v = await this.evaluateWithYield(validation, o.batchSize, checkpoint);
          valLoss = v.loss; valAccuracy = v.accuracy;
        }
      } finally {
        progress.seconds += (performance.now() - epochStart) / 1000; // kept if the run is interrupted
      }
      const { lossSum, correct, seen, seconds } = progress;
      const trainLoss = seen > 0 ? lossSum / seen : NaN;
      const trainAccuracy = seen > 0 ? correct / seen : 0;
      this.progress = null;
      this.epoch++;
      const record: EpochRecord = {
        epoch: this.epoch, trainLoss, trainAccuracy, valLoss, valAccuracy, seconds,
        learningRate: o.learningRate * this.learningRateScale * learningRateFactor(o.schedule, Math.max(0, this.globalStep - 1), totalSteps),
      };
      this.history.push(record);
      const improved = this.track(record);
      yield { type: 'epoch', ...record, improved, examplesPerSecond: seconds > 0 ? seen / seconds : 0 };
      if (patience !== undefined && this.epochsWithoutImprovement >= patience) {
        reason = 'early-stopped';
        yield { type: 'early-stop', epoch: this.epoch, bestEpoch: this.best?.epoch ?? this.epoch };
      }
    }
    this.restoreBest();
    return { reason, epochs: this.epoch, bestEpoch: this.best?.epoch ?? this.epoch, history: this.history.map((r) => ({ ...r })) };
  }

  private async evaluateWithYield(data: SequenceDataset, batchSize: number, checkpoint: () => Promise<void>): Promise<{ loss: number; accuracy: number }> {
    const model = this.model;
    const N = datasetSize(data);
    const B = Math.min(batchSize, N);
    const acc = { loss: 0, correct: 0 };
    const scratch = evaluationScratch(model, data.steps, B);
    for (let start = 0; start < N; start += B) {
      await checkpoint();
      evaluateBatch(model, data, start, Math.min(B, N - start), scratch, acc);
    }
    return { loss: acc.loss / N, accuracy: acc.correct / N };
  }

  /** Record the epoch's monitored metric; keep a copy of the best weights. */
  private track(record: EpochRecord): boolean {
    // Before minEpochs nothing is kept or counted: a validation set of a few clips can make
    // an epoch-3 model look best, and keeping it would keep a model that has not learned.
    if (record.epoch < (this.options.earlyStopping?.minEpochs ?? 0)) return false;
    const monitor = this.options.earlyStopping?.monitor ?? 'loss';
    const minDelta = this.options.earlyStopping?.minDelta ?? 0;
    const useVal = record.valLoss !== null;
    const metric = monitor === 'loss'
      ? (useVal ? record.valLoss as number : record.trainLoss)
      : -(useVal ? record.valAccuracy as number : record.trainAccuracy); // lower is better
    if (!Number.isFinite(metric)) { this.epochsWithoutImprovement++; return false; }
    if (this.best === null || metric < this.best.metric - minDelta) {
      this.best = { epoch: record.epoch, metric, params: Float32Array.from(this.model.params) };
      this.epochsWithoutImprovement = 0;
      return true;
    }
    this.epochsWithoutImprovement++;
    return false;
  }

  /** Put the best weights seen so far (by the monitored metric) into the model, if any. */
  restoreBest(): void {
    if (this.best) this.model.params.set(this.best.params);
  }
}

function resolveOptions(options: TrainOptions): Trainer['options'] {
  const resolved = {
    batchSize: 32, learningRate: 3e-3, weightDecay: 1e-4, clipNorm: 5, seed: 0,
    schedule: { kind: 'cosine', warmupSteps: 0, minFactor: 0.05 } as LearningRateSchedule,
    labelSmoothing: 0, onNonFinite: 'skip' as const, maxNonFinite: 5, stepEventEvery: 1,
    ...options,
  };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError('bad-train-options', `${name} must be a positive integer, got ${v}`);
  };
  positiveInt('epochs', resolved.epochs);
  positiveInt('batchSize', resolved.batchSize);
  positiveInt('maxNonFinite', resolved.maxNonFinite);
  positiveInt('stepEventEvery', resolved.stepEventEvery);
  if (!(resolved.learningRate > 0) || !Number.isFinite(resolved.learningRate)) throw new ConfigError('bad-train-options', `learningRate must be positive, got ${resolved.learningRate}`);
  if (!(resolved.weightDecay >= 0)) throw new ConfigError('bad-train-options', 'weightDecay must be ≥ 0');
  if (!(resolved.clipNorm >= 0)) throw new ConfigError('bad-train-options', 'clipNorm must be ≥ 0');
  if (!(resolved.labelSmoothing >= 0 && resolved.labelSmoothing < 1)) throw new ConfigError('bad-train-options', 'labelSmoothing must be in [0, 1)');
  if (resolved.earlyStopping) {
    positiveInt('earlyStopping.patience', resolved.earlyStopping.patience);
    const min = resolved.earlyStopping.minEpochs ?? 0;
    if (!Number.isInteger(min) || min < 0) throw new ConfigError('bad-train-options', `earlyStopping.minEpochs must be a non-negative integer, got ${min}`);
  }
  return resolved;
}

function checkClassWeights(weights: ArrayLike<number> | null | undefined, classes: number): void {
  if (weights === null || weights === undefined) return;
  if (weights.length !== classes) throw new ConfigError('bad-train-options', `classWeights needs one weight per class (${classes}), got ${weights.length}`);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    const w = weights[c];
    if (!(Number.isFinite(w) && w >= 0)) throw new ConfigError('bad-train-options', `class weight ${c} must be finite and ≥ 0, got ${w}`);
    sum += w;
  }
  if (sum === 0) throw new ConfigError('bad-train-options', 'class weights must not all be 0');
}

/** 1 for weight matrices (decayed), 0 for biases, peepholes (not decayed). */
function decayMask(model: SequenceClassifier): Uint8Array {
  const mask = new Uint8Array(model.paramCount);
  let offset = 0;
  for (const t of model.tensors()) {
    const isMatrix = /\.(W|R)$/.test(t.name);
    if (isMatrix) mask.fill(1, offset, offset + t.data.length);
    offset += t.data.length;
  }
  return mask;
}

interface EvaluationScratch {
  x: Vec;             // (T, B, F)
  labels: Int32Array; // (B)
  logProbs: Vec;      // (B, C)
  indices: Int32Array; // (B)
}

function evaluationScratch(model: SequenceClassifier, T: number, B: number): EvaluationScratch {
  return {
    x: allocVec(model.dtype, T * B * model.config.inputSize),
    labels: new Int32Array(B),
    logProbs: allocVec(model.dtype, B * model.config.classes),
    indices: new Int32Array(B),
  };
}

/** Adds examples [start, start + b) to the running sum of plain cross-entropy and hits. */
function evaluateBatch(model: SequenceClassifier, data: SequenceDataset, start: number, b: number, s: EvaluationScratch, acc: { loss: number; correct: number }): void {
  const C = model.config.classes;
  for (let i = 0; i < b; i++) s.indices[i] = start + i;
  gatherBatch(s.x, s.labels, data, s.indices, 0, b);
  const probs = model.forward(s.x, data.steps, b);
  // log-probabilities are logits up to a per-row constant, which softmax ignores
  for (let i = 0; i < b * C; i++) s.logProbs[i] = Math.log(Math.max(probs[i], 1e-30));
  const r = softmaxCrossEntropy(s.logProbs, s.labels, s.logProbs, null, b, C);
  acc.loss += r.loss * b;
  acc.correct += r.correct;
}

/**
 * Mean plain cross-entropy (no class weights or smoothing, so runs compare) and accuracy
 * of a model on a dataset, in inference mode.
 */
export function evaluateDataset(model: SequenceClassifier, data: SequenceDataset, batchSize = 64): { loss: number; accuracy: number } {
  const N = datasetSize(data);
  if (N === 0) return { loss: NaN, accuracy: NaN };
  const B = Math.min(batchSize, N);
  const scratch = evaluationScratch(model, data.steps, B);
  const acc = { loss: 0, correct: 0 };
  for (let start = 0; start < N; start += B) evaluateBatch(model, data, start, Math.min(B, N - start), scratch, acc);
  return { loss: acc.loss / N, accuracy: acc.correct / N };
}
