// Starts the threads for data-parallel training (core/train/data-parallel.ts) with Node's
// worker_threads. The engine (and the benchmark) call startTrainingThreads, pass the
// result to the Trainer as `gradients`, and close it when training ends.

import { DataParallelGradients, GradientWorkerError } from '../../core/train/data-parallel.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import { defaultWorkerCount, spawnThread } from './threads.js';

export interface TrainingThreads {
  gradients: DataParallelGradients;
  /** Stops the workers and waits for them to exit. */
  close(): Promise<void>;
  /** Terminates one thread abruptly, as a crash would (for tests of the recovery path). */
  kill(index: number): Promise<void>;
}

export async function startTrainingThreads(
  model: SequenceClassifier,
  options: { workers?: number; maxSteps: number; maxBatch: number; timeoutMs?: number; onWorkerLost?: (error: GradientWorkerError) => void },
): Promise<TrainingThreads> {
  const workers = options.workers ?? defaultWorkerCount();
  if (workers < 1) throw new GradientWorkerError('bad-config', 'no spare core for training threads: train on the calling thread');
  const gradients = new DataParallelGradients(model, { workers, maxSteps: options.maxSteps, maxBatch: options.maxBatch, timeoutMs: options.timeoutMs, onWorkerLost: options.onWorkerLost });
  const threads = Array.from({ length: gradients.init.workers }, (_, index) => spawnThread('training-thread', { init: gradients.init, index }));
  const failed = new Promise<never>((_, reject) => {
    for (const t of threads) t.once('error', (err) => reject(err));
  });
  try {
    await Promise.race([gradients.ready(), failed]);
  } catch (err) {
    await Promise.all(threads.map((t) => t.terminate()));
    throw err;
  }
  const exited = threads.map((t, i) => new Promise<void>((resolve) => t.once('exit', (code) => {
    // A thread that leaves before close() crashed: stop sending it work at once.
    gradients.workerLost(`training thread ${i + 1} exited (code ${code})`);
    resolve();
  })));
  let closing: Promise<void> | null = null;
  return {
    gradients,
    close() {
      closing ??= (async () => {
        gradients.close();
        await Promise.all(exited.map((done, i) => Promise.race([
          done,
          new Promise<void>((resolve) => setTimeout(resolve, 2000).unref()).then(() => threads[i].terminate()).then(() => undefined),
        ])));
      })();
      return closing;
    },
    async kill(index: number) {
      await threads[index].terminate();
    },
  };
}
