// Feature extraction spread over worker threads gives exactly the calling thread's
// features, in order, so a training run's examples do not depend on the threads; a
// thread that dies costs only speed.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_CONFIG } from '../../../core/features/config.js';
import { extractFeatures } from '../../../core/features/mfcc.js';
import { buildExamples, type ExamplePlan } from '../../../core/kws/examples.js';
import { Random } from '../../../core/tensor/random.js';
import { startFeatureThreads, type FeatureThreads } from '../../../app/node/feature-threads.js';
import type { FeatureReply } from '../../../app/node/feature-thread.js';
import { toneSet } from '../../core/kws/tones.js';

const open: FeatureThreads[] = [];
afterAll(async () => { await Promise.all(open.map((t) => t.close())); });
const config = DEFAULT_FEATURE_CONFIG;

function windows(n: number, seed: number): Float32Array[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () => new Float32Array(16000).map(() => 0.1 * rng.normal()));
}

describe('feature threads', () => {
  it('compute the same features as the calling thread, in order, for any share of a batch', async () => {
    for (const workers of [1, 2]) {
      const pool = startFeatureThreads({ workers });
      open.push(pool);
      for (const n of [1, 2, 7, 20]) {
        const w = windows(n, n);
        const expected = w.map((x) => extractFeatures(x, config));
        const got = await pool.featurize(w, config);
        expect(got.length).toBe(n);
        got.forEach((f, i) => expect(Buffer.from(f.buffer, f.byteOffset, f.byteLength).equals(Buffer.from(expected[i].buffer, expected[i].byteOffset, expected[i].byteLength)), `${workers} workers, ${n} windows, #${i}`).toBe(true));
      }
      // the caller's windows are copied to the threads, not taken from it
      const kept = windows(3, 9);
      await pool.featurize(kept, config);
      expect(kept.every((x) => x.length === 16000)).toBe(true);
      await pool.close();
    }
  });

  it('build the very same training examples as the calling thread, across batches, with SpecAugment', async () => {
    const clips = toneSet(['low', 'high'], 15, 3);
    // 30 clips · (1 + 4) + 30 fragments + 40 background = 220 windows: three batches of ≤ 96
    const plan: ExamplePlan = {
      clips, classOf: clips.map((c) => (c.label === 'low' ? 0 : 1)), augmentedCopies: 4, backgroundExamples: 40, backgroundClass: 2,
      backgroundRecordings: [], features: config, fragmentClass: clips.map(() => 2),
      specAugment: { timeMasks: 1, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 4, fill: 'mean' },
    };
    const drain = async (featurize?: FeatureThreads['featurize']) => {
      const gen = buildExamples(plan, new Random(4), featurize);
      let r = await gen.next();
      while (!r.done) r = await gen.next();
      return r.value;
    };
    const pool = startFeatureThreads({ workers: 1 });
    open.push(pool);
    const [here, threaded] = [await drain(), await drain(pool.featurize)];
    expect(here.labels.length).toBe(220);
    expect(threaded.labels).toEqual(here.labels);
    expect(threaded.sources).toEqual(here.sources);
    expect(Buffer.from(threaded.x.buffer).equals(Buffer.from(here.x.buffer))).toBe(true);
  });

  it('carry on on the calling thread, with one warning, when a thread dies, hangs, cannot start, or after close', async () => {
    const w = windows(5, 2);
    const expected = w.map((x) => Array.from(extractFeatures(x, config)));
    const same = async (pool: FeatureThreads): Promise<void> => expect((await pool.featurize(w, config)).map((f) => Array.from(f))).toEqual(expected);
    const crashes = {
      'dies on its first request': () => new Worker("require('node:worker_threads').parentPort.once('message', () => process.exit(3))", { eval: true }),
      'exits at once': () => new Worker('process.exit(4)', { eval: true }),
      'throws while starting': () => new Worker("throw new Error('no such entry')", { eval: true }),
      'never answers': () => new Worker("require('node:worker_threads').parentPort.on('message', () => {})", { eval: true }),
      'cannot be created': (): Worker => { throw new Error('EMFILE: too many open files'); },
    };
    for (const [what, spawn] of Object.entries(crashes)) {
      const warnings: string[] = [];
      const pool = startFeatureThreads({ workers: 1, spawn, timeoutMs: 500, onWarning: (m) => warnings.push(m) });
      open.push(pool);
      await same(pool);
      await same(pool);
      expect(warnings, what).toHaveLength(1);
      expect(warnings.every((m) => m.startsWith('feature extraction on one thread: feature thread 1 ')), what).toBe(true);
    }
    // closed while a batch is out: the calling thread finishes it
    const closing = startFeatureThreads({ workers: 1 });
    const pending = closing.featurize(w, config);
    await closing.close();
    expect((await pending).map((f) => Array.from(f))).toEqual(expected);
    await same(closing);
  });

  it('the built app runs the thread entry (out/main/feature-thread.js, built by npm test)', async () => {
    const built = new URL('../../../out/main/feature-thread.js', import.meta.url);
    expect(existsSync(built), 'run npm run build first').toBe(true);
    const worker = new Worker(built);
    try {
      const w = windows(2, 5);
      const reply = await new Promise<FeatureReply>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.postMessage({ id: 7, config, windows: w });
      });
      expect(reply.id).toBe(7);
      expect('features' in reply && reply.features.map((f) => Array.from(f))).toEqual(w.map((x) => Array.from(extractFeatures(x, config))));
    } finally {
      await worker.terminate();
    }
  });
});
