// Data-parallel gradients over shared memory: a training batch is split into contiguous
// row ranges; the calling thread computes the first and each worker thread one of the
// others on its own replica of the model, and the gradients are combined in the ratio of
// each shard's loss weight, giving the gradient of the whole batch's weighted-mean loss.
//
// Why by hand: no library does synchronous, allocation-free, fork-join gradient
// computation across JS threads, and the recurrent step is too small (tens of ms) for a
// message-per-step design. Only standard SharedArrayBuffer + Atomics are used, so this
// file stays runtime-neutral: the host (Node worker_threads in app/, Web Workers in a
// browser) starts the threads and calls runGradientWorker in each.
//
// Fork-join protocol over `control` (Int32Array):
//   GENERATION  bumped by the coordinator for each job; workers Atomics.wait on it
//   DONE        incremented by each worker when its shard is written; the coordinator waits on it
//   COMMAND     RUN or STOP
//   READY       incremented once by each worker at start-up
//   T, B        the job's shape
// Per worker k, jobs[k] = [rowStart, rowEnd, seed] and results[k] = [loss, correct, status].
//   NORM_VERSION bumped when the model's input normalisation changed (in `norm`)
//
// The calling thread blocks in Atomics.wait while workers finish (they take about as long
// as its own shard, so the wait is short); allowed in Node's main thread, in workers and
// in Electron's utility process, not in a browser window.

import { HarkError } from '../errors.js';
import { SequenceClassifier, type ClassifierConfig, type LossAndGradOptions } from '../nn/classifier.js';
import { Random } from '../tensor/random.js';
import type { Vec } from '../tensor/vec.js';

const GENERATION = 0, DONE = 1, COMMAND = 2, READY = 3, JOB_T = 4, JOB_B = 5, HAS_WEIGHTS = 6, NORM_VERSION = 7;
const CONTROL_SLOTS = 8;
const RUN = 1, STOP = 2;
const JOB_SLOTS = 3;    // rowStart, rowEnd, seed
const RESULT_SLOTS = 3; // loss, correct, status (0 ok, 1 failed)
// Below this many rows per thread a batch is computed on the calling thread: waking a
// thread costs tens of microseconds on an idle machine and milliseconds on a busy one.
export const MIN_ROWS_PER_SHARD = 4;

/** Everything a worker needs to attach to the shared memory (structured-cloneable). */
export interface GradientWorkerInit {
  config: ClassifierConfig;
  workers: number;
  maxSteps: number;
  maxBatch: number;
  memory: SharedArrayBuffer;
}

/** Typed views on the shared memory, laid out identically by every thread. */
interface SharedViews {
  control: Int32Array;      // (CONTROL_SLOTS)
  params: Float32Array;     // (P)
  grads: Float32Array[];    // workers × (P)
  x: Float32Array;          // (maxSteps, maxBatch, F) the whole batch, sequence-major
  labels: Int32Array;       // (maxBatch)
  jobs: Int32Array;         // workers × JOB_SLOTS
  results: Float64Array;    // workers × RESULT_SLOTS
  lossScalars: Float64Array; // (1 + C) label smoothing, class weights
  norm: Float64Array;       // (1 + 2F) normalised?, mean (F), std (F); current as of NORM_VERSION
}

function layout(init: Omit<GradientWorkerInit, 'memory'>, paramCount: number, memory: SharedArrayBuffer | null): { bytes: number; views: SharedViews | null } {
  const { workers: W, maxSteps: T, maxBatch: B } = init;
  const F = init.config.inputSize, C = init.config.classes;
  let offset = 0;
  const take = (bytesPerItem: number, count: number): number => {
    offset = Math.ceil(offset / 8) * 8;
    const at = offset;
    offset += bytesPerItem * count;
    return at;
  };
  const oControl = take(4, CONTROL_SLOTS);
  const oParams = take(4, paramCount);
  const oGrads = Array.from({ length: W }, () => take(4, paramCount));
  const oX = take(4, T * B * F);
  const oLabels = take(4, B);
  const oJobs = take(4, W * JOB_SLOTS);
  const oResults = take(8, W * RESULT_SLOTS);
  const oLoss = take(8, 1 + C);
  const oNorm = take(8, 1 + 2 * F);
  if (!memory) return { bytes: offset, views: null };
  return {
    bytes: offset,
    views: {
      control: new Int32Array(memory, oControl, CONTROL_SLOTS),
      params: new Float32Array(memory, oParams, paramCount),
      grads: oGrads.map((o) => new Float32Array(memory, o, paramCount)),
      x: new Float32Array(memory, oX, T * B * F),
      labels: new Int32Array(memory, oLabels, B),
      jobs: new Int32Array(memory, oJobs, W * JOB_SLOTS),
      results: new Float64Array(memory, oResults, W * RESULT_SLOTS),
      lossScalars: new Float64Array(memory, oLoss, 1 + C),
      norm: new Float64Array(memory, oNorm, 1 + 2 * F),
    },
  };
}

export class GradientWorkerError extends HarkError {}

/**
 * The calling thread's side. Create it with createInit(), start one thread per worker
 * running runGradientWorker(init), await ready(), then use lossAndGrad in place of
 * model.lossAndGrad (the Trainer does this when given it as `gradients`).
 */
export class DataParallelGradients {
  readonly model: SequenceClassifier;
  readonly init: GradientWorkerInit;
  private readonly views: SharedViews;
  private readonly local: { x: Float32Array; labels: Int32Array }; // the caller's shard (maxSteps, shard, F)
  private closed = false;
  private normVersion = -1; // the model's normalizationVersion last copied to the workers
  private readonly timeoutMs: number;
  private readonly onWorkerLost: ((error: GradientWorkerError) => void) | undefined;

  /**
   * timeoutMs: how long one batch may wait for the workers before they are given up as
   * dead (default 60 s); onWorkerLost: told once when that happens, or workerLost() is called.
   */
  constructor(model: SequenceClassifier, options: {
    workers: number; maxSteps: number; maxBatch: number; timeoutMs?: number; onWorkerLost?: (error: GradientWorkerError) => void;
  }) {
    if (model.dtype !== 'float32') throw new GradientWorkerError('bad-config', 'data-parallel training runs float32 models');
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new GradientWorkerError('bad-config', 'workers must be a positive integer');
    const base = { config: model.config, workers: options.workers, maxSteps: options.maxSteps, maxBatch: options.maxBatch };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.onWorkerLost = options.onWorkerLost;
    const bytes = layout(base, model.paramCount, null).bytes;
    const memory = new SharedArrayBuffer(bytes);
    this.model = model;
    this.init = { ...base, memory };
    this.views = layout(base, model.paramCount, memory).views as SharedViews;
    const F = model.config.inputSize;
    this.local = { x: new Float32Array(options.maxSteps * options.maxBatch * F), labels: new Int32Array(options.maxBatch) };
  }

  /** Resolves when every worker has attached (or rejects after timeoutMs). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const start = performance.now();
    while (Atomics.load(this.views.control, READY) < this.init.workers) {
      if (performance.now() - start > timeoutMs) throw new GradientWorkerError('worker-timeout', 'training threads did not start in time');
      await new Promise<void>((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Ask the workers to leave their loops; later batches run on the calling thread. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.views.control, COMMAND, STOP);
    Atomics.add(this.views.control, GENERATION, 1);
    Atomics.notify(this.views.control, GENERATION);
  }

  /**
   * A thread is gone (the host saw it exit, or it missed the deadline): stop using threads,
   * tell the owner once, and carry on with every batch on the calling thread.
   */
  workerLost(reason: string): void {
    if (this.closed) return;
    this.close();
    this.onWorkerLost?.(new GradientWorkerError('worker-lost', `${reason}; training continues on one thread`));
  }

  /** Block until every worker reported this job; false when one missed the deadline. */
  private waitForWorkers(): boolean {
    const control = this.views.control;
    const deadline = performance.now() + this.timeoutMs;
    for (let done = Atomics.load(control, DONE); done < this.init.workers; done = Atomics.load(control, DONE)) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(control, DONE, done, Math.min(left, 1000));
    }
    return true;
  }

  /** Copy the model's current normalisation where the workers pick it up. */
  private shareNormalization(): void {
    const norm = this.model.getNormalization();
    const F = this.model.config.inputSize;
    const v = this.views.norm;
    v[0] = norm ? 1 : 0;
    for (let f = 0; f < F; f++) { v[1 + f] = norm ? norm.mean[f] : 0; v[1 + F + f] = norm ? norm.std[f] : 1; }
    this.normVersion = this.model.normalizationVersion;
    Atomics.add(this.views.control, NORM_VERSION, 1);
  }

  /** Same contract as SequenceClassifier.lossAndGrad (gradients land in model.grads). */
  lossAndGrad(x: Vec, labels: ArrayLike<number>, T: number, B: number, options: LossAndGradOptions = {}): { loss: number; correct: number } {
    const { model, views, init } = this;
    const W = init.workers;
    const shards = W + 1;
    // Too small to split, or beyond the shared buffers: compute here, exactly as without threads.
    if (this.closed || B < MIN_ROWS_PER_SHARD * shards || T > init.maxSteps || B > init.maxBatch || options.inputGrad) {
      return model.lossAndGrad(x, labels, T, B, options);
    }
    const F = model.config.inputSize, C = model.config.classes;
    const weights = options.classWeights ?? null;
    views.params.set(model.params);
    views.x.set(x.subarray(0, T * B * F));
    for (let b = 0; b < B; b++) views.labels[b] = labels[b];
    views.lossScalars[0] = options.labelSmoothing ?? 0;
    if (weights) for (let c = 0; c < C; c++) views.lossScalars[1 + c] = weights[c];
    const control = views.control;
    Atomics.store(control, HAS_WEIGHTS, weights ? 1 : 0);
    Atomics.store(control, JOB_T, T);
    Atomics.store(control, JOB_B, B);
    const rows = (s: number): number => Math.round((s * B) / shards); // shard s is [rows(s), rows(s + 1))
    const seed0 = options.rng ? options.rng.nextUint32() : 0;
    for (let k = 0; k < W; k++) {
      views.jobs[k * JOB_SLOTS] = rows(k + 1);
      views.jobs[k * JOB_SLOTS + 1] = rows(k + 2);
      views.jobs[k * JOB_SLOTS + 2] = options.rng ? options.rng.nextUint32() | 0 : 0;
    }
    if (model.normalizationVersion !== this.normVersion) this.shareNormalization();
    Atomics.store(control, DONE, 0);
    Atomics.store(control, COMMAND, RUN);
    Atomics.add(control, GENERATION, 1);
    Atomics.notify(control, GENERATION);

    // Our own shard, rows [0, rows(1)). Whatever happens to it, wait for the workers, so no
    // worker is still writing this job's gradients when the next job starts.
    const b0 = rows(1);
    let mine: { loss: number; correct: number } | null = null;
    let ownError: unknown = null;
    try {
      gatherRows(this.local.x, x, T, B, F, 0, b0);
      for (let b = 0; b < b0; b++) this.local.labels[b] = labels[b];
      mine = model.lossAndGrad(this.local.x, this.local.labels, T, b0, { ...options, rng: new Random(seed0) });
    } catch (err) {
      ownError = err;
    }
    const answered = this.waitForWorkers();
    if (!answered) this.workerLost(`a training thread did not answer within ${(this.timeoutMs / 1000).toFixed(1)} s`);
    if (ownError !== null || mine === null) throw ownError;
    if (!answered) return model.lossAndGrad(x, labels, T, B, options); // the whole batch, here
    // Combine: the batch loss is Σ_s w_s·loss_s / Σ_s w_s, with w_s the shard's total weight.
    const shardWeight = (r0: number, r1: number): number => {
      let w = 0;
      for (let b = r0; b < r1; b++) w += weights ? weights[labels[b]] : 1;
      return w;
    };
    const w0 = shardWeight(0, b0);
    let total = w0, loss = mine.loss * w0, correct = mine.correct;
    const ws: number[] = [];
    for (let k = 0; k < W; k++) {
      if (views.results[k * RESULT_SLOTS + 2] !== 0) throw new GradientWorkerError('worker-failed', `training thread ${k + 1} failed to compute its shard`);
      const wk = shardWeight(views.jobs[k * JOB_SLOTS], views.jobs[k * JOB_SLOTS + 1]);
      ws.push(wk);
      total += wk;
      loss += views.results[k * RESULT_SLOTS] * wk;
      correct += views.results[k * RESULT_SLOTS + 1];
    }
    const grads = model.grads;
    const inv = total > 0 ? 1 / total : 0;
    const scale0 = w0 * inv;
    for (let i = 0; i < grads.length; i++) grads[i] *= scale0;
    for (let k = 0; k < W; k++) {
      const g = views.grads[k], s = ws[k] * inv;
      for (let i = 0; i < grads.length; i++) grads[i] += s * g[i];
    }
    return { loss: loss * inv, correct };
  }
}

/** out (T, r1-r0, F) ← rows [r0, r1) of x (T, B, F). */
function gatherRows(out: Float32Array, x: Vec, T: number, B: number, F: number, r0: number, r1: number): void {
  const n = (r1 - r0) * F;
  for (let t = 0; t < T; t++) {
    const from = (t * B + r0) * F, to = t * n;
    for (let i = 0; i < n; i++) out[to + i] = x[from + i];
  }
}

/**
 * A worker thread's loop (blocks until told to stop). index is 0 .. workers-1.
 * Call it from the host's thread entry with the init the coordinator created.
 */
export function runGradientWorker(init: GradientWorkerInit, index: number): void {
  const views = layout(init, SequenceClassifier.parameterCount(init.config), init.memory).views as SharedViews;
  const replica = new SequenceClassifier(init.config, { params: views.params, grads: views.grads[index] });
  const F = init.config.inputSize, C = init.config.classes;
  let normVersion = 0;
  const x = new Float32Array(init.maxSteps * init.maxBatch * F);
  const labels = new Int32Array(init.maxBatch);
  const weights = new Float64Array(C);
  const control = views.control;
  let generation = Atomics.load(control, GENERATION);
  Atomics.add(control, READY, 1);
  for (;;) {
    Atomics.wait(control, GENERATION, generation);
    generation = Atomics.load(control, GENERATION);
    if (Atomics.load(control, COMMAND) === STOP) return;
    const T = Atomics.load(control, JOB_T), B = Atomics.load(control, JOB_B);
    const r0 = views.jobs[index * JOB_SLOTS], r1 = views.jobs[index * JOB_SLOTS + 1];
    const seed = views.jobs[index * JOB_SLOTS + 2] >>> 0;
    const out = index * RESULT_SLOTS;
    try {
      const version = Atomics.load(control, NORM_VERSION);
      if (version !== normVersion) {
        const v = views.norm;
        replica.setNormalization(v[0] === 1 ? { mean: v.subarray(1, 1 + F), std: v.subarray(1 + F, 1 + 2 * F) } : null);
        normVersion = version;
      }
      gatherRows(x, views.x, T, B, F, r0, r1);
      for (let b = r0; b < r1; b++) labels[b - r0] = views.labels[b];
      const hasWeights = Atomics.load(control, HAS_WEIGHTS) === 1;
      if (hasWeights) for (let c = 0; c < C; c++) weights[c] = views.lossScalars[1 + c];
      const r = replica.lossAndGrad(x, labels, T, r1 - r0, {
        rng: new Random(seed), labelSmoothing: views.lossScalars[0], classWeights: hasWeights ? weights : null,
      });
      views.results[out] = r.loss;
      views.results[out + 1] = r.correct;
      views.results[out + 2] = 0;
    } catch {
      views.results[out + 2] = 1;
    }
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}
