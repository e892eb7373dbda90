// The onnxruntime engine against core's TypeScriptEngine, which is the reference here:
// every cell × last/mean pooling × 1–2 layers, whole windows (B = 1 and 3) and streams fed
// in uneven chunks, reset included, to 1e-5; then the execution-provider fallback (this
// machine has no GPU and onnxruntime-node was installed without its CUDA libraries).
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig, type Pooling } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { TypeScriptEngine, type InferenceEngine } from '../../../core/inference/engine.js';
import { Random } from '../../../core/tensor/random.js';
import { createOnnxEngine, createOnnxEngineFromFiles, type OnnxRuntimeEngine } from '../../../app/node/onnx-engine.js';
import { exportOnnx } from '../../../core/onnx/export.js';

const F = 13, H = 16, C = 5;
const TOL = 1e-5;
const engines: InferenceEngine[] = [];
afterAll(async () => { await Promise.all(engines.map((e) => e.dispose())); });

async function open(model: SequenceClassifier, options: Parameters<typeof createOnnxEngine>[1] = {}): Promise<OnnxRuntimeEngine> {
  const engine = await createOnnxEngine(model, options);
  engines.push(engine);
  return engine;
}

/** A model whose every weight (biases, peepholes) is off its initial value, with input normalisation. */
function trainedLooking(config: ClassifierConfig, seed: number): SequenceClassifier {
  const model = new SequenceClassifier(config, { seed });
  const rng = new Random(seed + 1);
  // The CIFG's unused forget block must stay zero, as the cell keeps it.
  for (const t of model.tensors()) for (let i = 0; i < t.data.length; i++) if (t.data[i] !== 0 || !t.name.endsWith('.W') && !t.name.endsWith('.R')) t.data[i] += 0.2 * rng.normal();
  model.setNormalization({ mean: Array.from({ length: F }, () => rng.normal()), std: Array.from({ length: F }, () => 0.5 + rng.next()) });
  return model;
}

function frames(T: number, B: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return new Float32Array(T * B * F).map(() => 2 * rng.normal());
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  actual.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - expected[i])); });
  expect(worst, what).toBeLessThan(TOL);
}

const COMBOS = CELL_KINDS.flatMap((cell) => (['last', 'mean'] as Pooling[]).flatMap((pooling) => [1, 2].map((layers) => ({ cell, pooling, layers }))));

describe.each(COMBOS)('$cell, $pooling pooling, $layers layer(s): onnxruntime equals the TypeScript engine', ({ cell, pooling, layers }) => {
  const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: H, layers, classes: C, dropout: 0, pooling };
  const model = trainedLooking(config, 5 + layers + (pooling === 'mean' ? 10 : 0));
  const reference = new TypeScriptEngine(model);

  it('run: 1 s windows (T = 49), B = 1 and 3', async () => {
    const engine = await open(model);
    expect(engine.kind).toBe('onnxruntime');
    expect([engine.features, engine.classes]).toEqual([F, C]);
    for (const B of [1, 3]) {
      const x = frames(49, B, 100 + B);
      const probs = await engine.run(x, 49, B);
      expect(probs).toBeInstanceOf(Float32Array);
      expectClose(probs, await reference.run(x, 49, B), `B=${B}`);
    }
  });

  it('streams: chunks of 1, 3, 1, 10 frames (B = 2), then reset', async () => {
    const engine = await open(model);
    const B = 2, chunks = [1, 3, 1, 10];
    const x = frames(15, B, 7);
    const ours = engine.createStream(B), theirs = reference.createStream(B);
    expect(ours.batch).toBe(B);
    let t0 = 0;
    for (const n of chunks) {
      const part = x.subarray(t0 * B * F, (t0 + n) * B * F);
      t0 += n;
      expectClose(await ours.push(part, n), await theirs.push(part, n), `after ${t0} frames`);
    }
    // After reset the stream starts over: it equals a fresh stream, not the continued one.
    ours.reset();
    const next = frames(4, B, 8);
    const fresh = await reference.createStream(B).push(next, 4);
    const continued = await theirs.push(next, 4);
    const afterReset = await ours.push(next, 4);
    expectClose(afterReset, fresh, 'first push after reset');
    expect(Math.max(...afterReset.map((v, i) => Math.abs(v - continued[i]))), 'differs from the continued stream').toBeGreaterThan(TOL);
  });
});

describe('streams', () => {
  const model = trainedLooking({ cell: 'lstm', inputSize: F, hiddenSize: H, layers: 2, classes: C, dropout: 0, pooling: 'mean' }, 42);
  const reference = new TypeScriptEngine(model);

  it('run pushes issued without awaiting in call order, and a reset issued meanwhile after them', async () => {
    const engine = await open(model);
    const B = 3, x = frames(9, B, 9), y = frames(2, B, 10);
    const stream = engine.createStream(B);
    const a = stream.push(x.subarray(0, 4 * B * F), 4);
    const b = stream.push(x.subarray(4 * B * F), 5);
    stream.reset();
    const c = stream.push(y, 2);
    const ref = reference.createStream(B);
    expectClose(await a, await ref.push(x.subarray(0, 4 * B * F), 4), 'first push');
    expectClose(await b, await ref.push(x.subarray(4 * B * F), 5), 'second push');
    expectClose(await c, await reference.createStream(B).push(y, 2), 'push after reset');
  });

  it('a push of no frames returns the latest probabilities, as the TypeScript stream does', async () => {
    const engine = await open(model);
    const stream = engine.createStream(2), ref = reference.createStream(2);
    expectClose(await stream.push(new Float32Array(0), 0), await ref.push(new Float32Array(0), 0), 'before any frame');
    const x = frames(3, 2, 11);
    await stream.push(x, 3); await ref.push(x, 3);
    expectClose(await stream.push(new Float32Array(0), 0), await ref.push(new Float32Array(0), 0), 'after 3 frames');
  });

  it('the returned probabilities are the caller\'s: later pushes do not change them', async () => {
    const engine = await open(model);
    const stream = engine.createStream(1);
    const first = await stream.push(frames(2, 1, 12), 2);
    const kept = Float32Array.from(first);
    await stream.push(frames(2, 1, 13), 2);
    await stream.push(frames(2, 1, 14), 2);
    expect(first).toEqual(kept);
  });

  it('refuses too few values and disposed engines', async () => {
    const engine = await createOnnxEngine(model);
    await expect(engine.run(new Float32Array(F), 2, 1)).rejects.toThrow(RangeError);
    expect(() => engine.createStream(1).push(new Float32Array(F), 2)).toThrow(RangeError);
    await engine.dispose();
    await expect(engine.run(new Float32Array(F), 1, 1)).rejects.toThrow(/disposed/);
    expect(() => engine.createStream(1)).toThrow(/disposed/);
    await engine.dispose(); // twice is harmless
  });
});

// Whether onnxruntime-node's CUDA provider libraries are installed next to its binding
// (its postinstall downloads them; here it is skipped). If they are, 'cuda' may work.
function cudaLibrariesInstalled(): boolean {
  const binding = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  return existsSync(binding) && readdirSync(binding).some((f) => /providers_cuda/.test(f));
}

describe('execution provider', () => {
  const model = trainedLooking({ cell: 'gru', inputSize: F, hiddenSize: H, layers: 2, classes: C, dropout: 0, pooling: 'last' }, 3);
  const reference = new TypeScriptEngine(model);

  async function expectCorrect(engine: OnnxRuntimeEngine): Promise<void> {
    const x = frames(49, 3, 21);
    expectClose(await engine.run(x, 49, 3), await reference.run(x, 49, 3), 'run');
    const stream = engine.createStream(3), ref = reference.createStream(3);
    for (let t = 0; t < 3; t++) {
      const f = x.subarray(t * 3 * F, (t + 1) * 3 * F);
      expectClose(await stream.push(f, 1), await ref.push(f, 1), `push ${t}`);
    }
  }

  it('is the CPU by default, without a fallback', async () => {
    const messages: string[] = [];
    const engine = await open(model, { onFallback: (m) => messages.push(m) });
    expect(messages).toEqual([]);
    expect(engine.provider).toBe('cpu');
    expect(engine.fallback).toBeUndefined();
    expect(engine.description).toMatch(/^onnxruntime-node \d+\.\d+\.\d+, CPU execution provider, 1 thread$/);
  });

  it.skipIf(process.platform !== 'linux' || cudaLibrariesInstalled())('asking for CUDA without it falls back to the CPU, says so once, and still gives the right numbers', async () => {
    const messages: string[] = [];
    const engine = await open(model, { provider: 'cuda', onFallback: (m) => messages.push(m) });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/CUDA/);
    expect(messages[0]).toMatch(/CPU/);
    expect(messages[0].trim().split(/\.\s/)).toHaveLength(1); // one sentence
    expect(engine.provider).toBe('cpu');
    expect(engine.fallback).toBe(messages[0]);
    expect(engine.description).toMatch(/CPU execution provider/);
    expect(engine.description).toMatch(/CUDA unavailable/);
    await expectCorrect(engine);
  });

  it.skipIf(process.platform !== 'linux' || cudaLibrariesInstalled())("'auto' on Linux tries CUDA and falls back the same way", async () => {
    const messages: string[] = [];
    const engine = await open(model, { provider: 'auto', onFallback: (m) => messages.push(m) });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/CUDA/);
    expect(engine.provider).toBe('cpu');
  });

  it.skipIf(process.platform === 'win32')('a provider onnxruntime-node does not offer on this platform (DirectML off Windows) falls back without trying it', async () => {
    const messages: string[] = [];
    const engine = await open(model, { provider: 'dml', onFallback: (m) => messages.push(m) });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/DirectML.*not available.*CPU/);
    expect(engine.provider).toBe('cpu');
    await expectCorrect(engine);
  });

  it('more threads give the same numbers', async () => {
    const engine = await open(model, { threads: 2 });
    expect(engine.description).toMatch(/2 threads/);
    await expectCorrect(engine);
  });

  it('refuses bad options and files that are not a Hark export', async () => {
    await expect(createOnnxEngine(model, { threads: 0 })).rejects.toThrow(/threads/);
    await expect(createOnnxEngine(model, { provider: 'tpu' as never })).rejects.toThrow(/provider/);
    const window = exportOnnx(model);
    // The window graph where the streaming one belongs: it has no state inputs.
    await expect(createOnnxEngineFromFiles({ window, streaming: window })).rejects.toThrow(/not a Hark ONNX export/);
  });

  it('opens from the exported bytes alone', async () => {
    const engine = await createOnnxEngineFromFiles({ window: exportOnnx(model), streaming: exportOnnx(model, { streaming: true }) });
    engines.push(engine);
    await expectCorrect(engine);
  });
});
