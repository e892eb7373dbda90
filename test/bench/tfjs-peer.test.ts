import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildTfjsPeer, tfjsBackendInfo, useTfjsBackend, type PeerCell, type TfjsPeerOptions } from '../../bench/peers/tfjs.js';
import { median, timeIt } from '../../bench/timing.js';

// Smallest module using a v128 instruction (the same probe tfjs-backend-wasm uses).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);
// tsconfig has no DOM lib, so the WebAssembly global is typed as a namespace only.
const wasmValidate = (bytes: Uint8Array): boolean =>
  (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);

const tiny = { hidden: 5, batch: 2, steps: 3, features: 4, classes: 3 };

const variants: [PeerCell, TfjsPeerOptions][] = [
  ['lstm', {}],
  ['lstm', { layersTrain: 'trainOnBatch' }],
  ['lstm', { impl: 'ops', layout: 'fused' }],
  ['lstm', { impl: 'ops', layout: 'per-gate' }],
  ['gru', {}],
  ['gru', { impl: 'ops', layout: 'fused' }],
  ['gru', { impl: 'ops', layout: 'per-gate' }],
  ['peephole', { layout: 'fused' }],
  ['peephole', { layout: 'per-gate' }],
  ['cifg', { layout: 'fused' }],
  ['cifg', { layout: 'per-gate' }],
];

describe('tfjs benchmark peer (cpu backend)', () => {
  beforeAll(async () => {
    await useTfjsBackend('cpu');
  });

  it('runs on the cpu backend', async () => {
    expect(tf.getBackend()).toBe('cpu');
    expect((await tfjsBackendInfo()).backend).toBe('cpu');
  });

  for (const [cell, opts] of variants) {
    it(`${cell} ${JSON.stringify(opts)}: loss decreases on the fixed batch, no tensor leak`, async () => {
      const before = tf.memory().numTensors;
      const peer = buildTfjsPeer({ cell, ...tiny }, 7, { learningRate: 0.02, ...opts });
      expect(Number.isNaN(peer.lastLoss)).toBe(true);

      await peer.trainStep(); // first step creates Adam's moment slots
      const first = peer.lastLoss;
      const afterFirst = tf.memory().numTensors;
      for (let i = 1; i < 30; i++) await peer.trainStep();
      const last = peer.lastLoss;
      expect(tf.memory().numTensors).toBe(afterFirst);

      // Random labels on 2 sequences: a working forward/backward/Adam step fits them quickly.
      expect(Number.isFinite(first)).toBe(true);
      expect(last).toBeLessThan(0.7 * first);

      await peer.infer();
      await peer.infer();
      expect(tf.memory().numTensors).toBe(afterFirst);
      expect(peer.describe).toContain(cell);

      peer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  for (const cell of ['lstm', 'gru', 'peephole', 'cifg'] as const) {
    it(`${cell}: fused and per-gate weight layouts compute the same losses`, async () => {
      const runs: number[][] = [];
      for (const layout of ['fused', 'per-gate'] as const) {
        const peer = buildTfjsPeer({ cell, ...tiny }, 5, { impl: 'ops', layout, learningRate: 0.02 });
        const losses: number[] = [];
        for (let i = 0; i < 5; i++) {
          await peer.trainStep();
          losses.push(peer.lastLoss);
        }
        peer.dispose();
        runs.push(losses);
      }
      for (let i = 0; i < 5; i++) expect(runs[1][i]).toBeCloseTo(runs[0][i], 5);
    });
  }

  it('is deterministic for a given seed', async () => {
    const losses: number[] = [];
    for (let k = 0; k < 2; k++) {
      const peer = buildTfjsPeer({ cell: 'peephole', ...tiny }, 11);
      await peer.trainStep();
      losses.push(peer.lastLoss);
      peer.dispose();
    }
    expect(losses[0]).toBe(losses[1]);
  });
});

// Runs after the cpu tests (vitest runs a file's tests in order); switching backends is process-wide.
describe('tfjs benchmark peer (wasm backend)', () => {
  it('loads the .wasm binary from node_modules and trains on it', async () => {
    await useTfjsBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const info = await tfjsBackendInfo();
    expect(info.wasmVariant).toBe(wasmValidate(SIMD_PROBE) ? 'simd' : 'plain'); // no threads in Node
    const peer = buildTfjsPeer({ cell: 'cifg', ...tiny }, 3, { learningRate: 0.02 });
    await peer.trainStep();
    const first = peer.lastLoss;
    for (let i = 1; i < 30; i++) await peer.trainStep();
    expect(peer.lastLoss).toBeLessThan(0.7 * first);
    peer.dispose();
  });
});

describe('timeIt', () => {
  it('returns the median per-call time after meeting minIters and minMs', async () => {
    let calls = 0;
    const res = await timeIt(() => {
      calls++;
      const until = performance.now() + 2;
      while (performance.now() < until) { /* spin ~2 ms */ }
    }, { warmup: 3, minIters: 5, minMs: 30 });
    expect(res.iters).toBeGreaterThanOrEqual(5);
    expect(calls).toBe(res.iters + 3);
    expect(res.ms).toBeGreaterThanOrEqual(2);
    expect(res.ms).toBeLessThan(50);
  });

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
