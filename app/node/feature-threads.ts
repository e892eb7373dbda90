// Spreads the feature extraction of training examples over worker threads: the other
// half of a training run's preparation-time cost after the gradients (which
// training-threads.ts spreads). The calling thread takes a share of every batch itself,
// so one spare core halves the time. Results are in order and equal to the calling
// thread's own (same code, same settings), so a run is the same with or without threads;
// a thread that fails (or never starts) costs only speed: the calling thread takes over.

import type { Worker } from 'node:worker_threads';
import type { FeatureConfig } from '../../core/features/config.js';
import { extractFeatures } from '../../core/features/mfcc.js';
import type { WindowFeaturizer } from '../../core/kws/examples.js';
import type { FeatureReply, FeatureRequest } from './feature-thread.js';
import { defaultWorkerCount, spawnThread } from './threads.js';

export interface FeatureThreads {
  /** Never fails for a thread's sake: without threads it computes on the calling thread. */
  featurize: WindowFeaturizer;
  /** Stops the threads (featurize goes on, on the calling thread). */
  close(): Promise<void>;
}

export class FeatureThreadError extends Error {
  override readonly name = 'FeatureThreadError';
}

export interface FeatureThreadOptions {
  workers?: number;
  /** Told once when the threads fail and the calling thread takes over. */
  onWarning?: (message: string) => void;
  /** A thread that has not answered a batch in this long is given up on (ms; default 60 000). */
  timeoutMs?: number;
  /** Starts one thread (tests pass threads that crash or hang). */
  spawn?: () => Worker;
}

// A batch of 96 one-second windows takes about 1 s on one core: a minute is a thread
// that hangs, not a slow machine.
const DEFAULT_TIMEOUT_MS = 60_000;

export function startFeatureThreads(options: FeatureThreadOptions = {}): FeatureThreads {
  const workers = Math.max(0, options.workers ?? defaultWorkerCount());
  const spawn = options.spawn ?? (() => spawnThread('feature-thread', null));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const waiting = new Map<number, { resolve: (f: Float32Array[]) => void; reject: (e: Error) => void }>();
  let nextId = 0, closed = false, broken = false;
  const threads: Worker[] = [];
  const failAll = (message: string): void => {
    if (!broken && !closed) options.onWarning?.(`feature extraction on one thread: ${message}`);
    broken = true;
    for (const w of waiting.values()) w.reject(new FeatureThreadError(message));
    waiting.clear();
  };
  for (let i = 0; i < workers && !broken; i++) {
    let t: Worker;
    try {
      t = spawn();
    } catch (err) {
      failAll(`feature thread ${i + 1} could not start: ${(err as Error).message}`);
      break;
    }
    threads.push(t);
    t.on('message', (reply: FeatureReply) => {
      const w = waiting.get(reply.id);
      if (!w) return;
      waiting.delete(reply.id);
      if ('error' in reply) w.reject(new FeatureThreadError(reply.error));
      else w.resolve(reply.features);
    });
    t.once('error', (err) => failAll(`feature thread ${i + 1} failed: ${err.message}`));
    t.once('exit', (code) => failAll(`feature thread ${i + 1} exited (code ${code})`));
  }
  const onThread = (t: Worker, index: number, config: FeatureConfig, windows: Float32Array[]): Promise<Float32Array[]> => {
    const id = nextId++;
    const answered = new Promise<Float32Array[]>((resolve, reject) => {
      const timer = setTimeout(() => failAll(`feature thread ${index + 1} did not answer in ${timeoutMs} ms`), timeoutMs);
      timer.unref?.();
      const done = <T>(f: (v: T) => void) => (v: T): void => { clearTimeout(timer); f(v); };
      waiting.set(id, { resolve: done(resolve), reject: done(reject) });
    });
    // Not transferred: a window may be a view into a clip the caller keeps.
    t.postMessage({ id, config, windows } satisfies FeatureRequest);
    return answered;
  };
  const onThisThread = (windows: Float32Array[], config: FeatureConfig): Float32Array[] => windows.map((w) => extractFeatures(w, config));

  return {
    async featurize(windows, config) {
      if (closed || broken || threads.length === 0) return onThisThread(windows, config);
      // Contiguous shares: one per thread, the last one for the calling thread.
      const size = Math.ceil(windows.length / (threads.length + 1));
      const asked = Promise.all(threads.map((t, i) => onThread(t, i, config, windows.slice(i * size, (i + 1) * size))));
      asked.catch(() => undefined); // handled below; this share may throw first
      const here = onThisThread(windows.slice(threads.length * size), config);
      try {
        return [...(await asked).flat(), ...here];
      } catch (err) {
        // The thread answered with an error: the input is at fault, not the thread.
        if (!broken && !closed) throw err;
        return [...onThisThread(windows.slice(0, threads.length * size), config), ...here];
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const w of waiting.values()) w.reject(new FeatureThreadError('the feature threads are closed'));
      waiting.clear();
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
