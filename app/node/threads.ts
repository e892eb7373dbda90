// Starts a worker thread from one of the engine's thread entries. Running from TypeScript
// sources (tsx, vitest), the thread registers tsx's loader before importing its .ts
// entry; a build ships the compiled .js entry next to the bundle (electron.vite.config.ts
// names them), and this module's chunk lands in the same folder.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** How many extra threads to use by default: all cores but the caller's, at most 3. */
export function defaultWorkerCount(): number {
  return Math.max(0, Math.min(3, availableParallelism() - 1));
}

export function spawnThread(entry: 'training-thread' | 'feature-thread', workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(`./${entry}.js`, import.meta.url), { workerData });
  const url = new URL(`./${entry}.ts`, import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
