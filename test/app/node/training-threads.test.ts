// Data-parallel gradients over real worker threads equal the single-thread gradients of
// the whole batch, for every cell, uneven shards, class weights and label smoothing.
import { afterAll, describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/classifier.js';
import type { LossOptions } from '../../../core/nn/loss.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { Random } from '../../../core/tensor/random.js';
import { Trainer, evaluateDataset } from '../../../core/train/trainer.js';
import { startTrainingThreads, type TrainingThreads } from '../../../app/node/training-threads.js';
import { DataParallelGradients, type GradientWorkerError } from '../../../core/train/data-parallel.js';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { recallFirstToken } from '../../core/train/tasks.js';

const open: TrainingThreads[] = [];
afterAll(async () => { await Promise.all(open.map((t) => t.close())); });

function batch(T: number, B: number, F: number, C: number, seed: number) {
  const rng = new Random(seed);
  return { x: new Float32Array(T * B * F).map(() => rng.normal()), labels: Int32Array.from({ length: B }, () => rng.int(C)) };
}

/** The threaded gradients of a batch equal the single-thread ones (to float32 rounding). */
function expectSameAsOneThread(model: SequenceClassifier, threads: TrainingThreads, x: Float32Array, labels: Int32Array, T: number, B: number, options: LossOptions = {}) {
  const single = model.lossAndGrad(x, labels, T, B, options);
  const expected = Float32Array.from(model.grads);
  const parallel = threads.gradients.lossAndGrad(x, labels, T, B, options);
  expect(parallel.loss).toBeCloseTo(single.loss, 5);
  expect(parallel.correct).toBe(single.correct);
  const scale = Math.max(...expected.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(model.grads[i] - expected[i])).toBeLessThan(1e-5 * scale);
}

describe('data-parallel gradients', () => {
  it.each(CELL_KINDS.flatMap((cell) => [1, 2].map((workers) => ({ cell, workers }))))('$cell with $workers worker(s) equals one thread', async ({ cell, workers }) => {
    const T = 11, B = 13, F = 5, C = 4; // 13 rows split unevenly
    const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: 8, layers: 2, classes: C, dropout: 0, pooling: 'mean' };
    const model = new SequenceClassifier(config, { seed: 3 });
    model.setNormalization({ mean: [0.1, 0, -0.2, 0.3, 0], std: [1, 2, 0.5, 1, 1.5] });
    const threads = await startTrainingThreads(model, { workers, maxSteps: T, maxBatch: 32 });
    open.push(threads);
    const { x, labels } = batch(T, B, F, C, 8);
    expectSameAsOneThread(model, threads, x, labels, T, B, { classWeights: [1, 3, 0.5, 2], labelSmoothing: 0.1 });
    await threads.close();
  });

  it('follows a normalisation set after the threads started', async () => {
    const T = 6, B = 16, F = 3, C = 3;
    const model = new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize: 8, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 1 });
    const threads = await startTrainingThreads(model, { workers: 1, maxSteps: T, maxBatch: B });
    open.push(threads);
    const { x, labels } = batch(T, B, F, C, 2);
    threads.gradients.lossAndGrad(x, labels, T, B); // workers now hold "no normalisation"
    for (const norm of [{ mean: [1, -2, 0.5], std: [0.2, 3, 1] }, null]) {
      model.setNormalization(norm);
      expectSameAsOneThread(model, threads, x, labels, T, B);
    }
    await threads.close();
  });

  it('stays correct after its own shard throws (no stale worker gradients leak into later batches)', async () => {
    const T = 6, B = 16, F = 3, C = 3;
    const model = new SequenceClassifier({ cell: 'gru', inputSize: F, hiddenSize: 8, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 1 });
    const threads = await startTrainingThreads(model, { workers: 1, maxSteps: T, maxBatch: B });
    open.push(threads);
    const { x, labels } = batch(T, B, F, C, 3);
    const badLabels = Int32Array.from(labels);
    badLabels[0] = 99; // row 0 is the calling thread's: its lossAndGrad throws ConfigError
    expect(() => threads.gradients.lossAndGrad(x, badLabels, T, B)).toThrow(/label 99/);
    for (let k = 0; k < 3; k++) {
      const other = batch(T, B, F, C, 10 + k);
      expectSameAsOneThread(model, threads, other.x, other.labels, T, B);
    }
    await threads.close();
  });

  it('notices a thread that crashed, tells the owner once, and carries on alone with correct gradients', async () => {
    const T = 6, B = 16, F = 3, C = 3;
    const model = new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize: 8, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 1 });
    const lost: GradientWorkerError[] = [];
    const threads = await startTrainingThreads(model, { workers: 1, maxSteps: T, maxBatch: B, onWorkerLost: (e) => lost.push(e) });
    open.push(threads);
    await threads.kill(0); // the thread dies as a crash would take it
    await new Promise((resolve) => setTimeout(resolve, 50)); // its 'exit' event
    expect(lost).toHaveLength(1);
    expect(lost[0].code).toBe('worker-lost');
    const { x, labels } = batch(T, B, F, C, 4);
    model.lossAndGrad(x, labels, T, B);
    const expected = Float32Array.from(model.grads);
    threads.gradients.lossAndGrad(x, labels, T, B);
    expect(Array.from(model.grads)).toEqual(Array.from(expected));
    expect(lost).toHaveLength(1);
  });

  it('the built app runs the thread entry (out/main/training-thread.js, built by npm test)', async () => {
    const T = 6, B = 16, F = 5, C = 3;
    const model = new SequenceClassifier({ cell: 'gru', inputSize: F, hiddenSize: 8, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 1 });
    const gradients = new DataParallelGradients(model, { workers: 1, maxSteps: T, maxBatch: B });
    const built = new URL('../../../out/main/training-thread.js', import.meta.url);
    expect(existsSync(built), 'run npm run build first').toBe(true);
    const worker = new Worker(built, { workerData: { init: gradients.init, index: 0 } });
    try {
      await gradients.ready(10_000);
      const { x, labels } = batch(T, B, F, C, 6);
      expectSameAsOneThread(model, { gradients } as TrainingThreads, x, labels, T, B);
    } finally {
      gradients.close();
      await worker.terminate();
    }
  });

  it('trains a model with threads, deterministically for a given seed', async () => {
    const train = recallFirstToken(300, 12, 3, 1);
    const run = async () => {
      const model = new SequenceClassifier({ cell: 'gru', inputSize: 4, hiddenSize: 16, layers: 2, classes: 3, dropout: 0.1, pooling: 'last' }, { seed: 2 });
      const threads = await startTrainingThreads(model, { workers: 1, maxSteps: 12, maxBatch: 32 });
      open.push(threads);
      for await (const _ of new Trainer(model, { epochs: 30, learningRate: 1e-2, seed: 5, gradients: threads.gradients }).run(train, null)) { /* drain */ }
      await threads.close();
      return model;
    };
    const a = await run(), b = await run();
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
    expect(evaluateDataset(a, recallFirstToken(200, 12, 3, 2)).accuracy).toBeGreaterThan(0.95);
  });
});
