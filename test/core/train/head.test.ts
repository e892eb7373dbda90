import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { Random } from '../../../core/tensor/random.js';
import { encodeDataset, trainHead, type Encodings } from '../../../core/train/head.js';
import type { SequenceDataset } from '../../../core/train/dataset.js';
import type { TrainEvent, TrainResult } from '../../../core/train/trainer.js';

const F = 3, H = 5, C = 3, T = 4;

function model(seed = 1): SequenceClassifier {
  return new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize: H, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed });
}

function randomDataset(N: number, seed: number): SequenceDataset {
  const rng = new Random(seed);
  return { x: Float32Array.from({ length: N * T * F }, () => rng.normal()), labels: Int32Array.from({ length: N }, (_, i) => i % C), steps: T, features: F };
}

/** Encodings in C well-separated clusters (class k near 2·e_k), with a little noise. */
function clusters(N: number, seed: number): Encodings {
  const rng = new Random(seed);
  const z = new Float32Array(N * H), labels = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    labels[n] = n % C;
    for (let h = 0; h < H; h++) z[n * H + h] = (h === labels[n] ? 2 : 0) + 0.3 * rng.normal();
  }
  return { z, labels, size: H };
}

function run(gen: Generator<TrainEvent, TrainResult>): { events: TrainEvent[]; result: TrainResult } {
  const events: TrainEvent[] = [];
  let r = gen.next();
  while (!r.done) { events.push(r.value); r = gen.next(); }
  return { events, result: r.value };
}

/** The head's probabilities for encodings z (N, H), computed from the model's own head tensors. */
function headProbabilities(m: SequenceClassifier, z: Float32Array, N: number): number[][] {
  const W = m.tensors().find((t) => t.name === 'head.W')!.data, b = m.tensors().find((t) => t.name === 'head.b')!.data;
  return Array.from({ length: N }, (_, n) => {
    const logits = Array.from({ length: C }, (_, c) => b[c] + Array.from({ length: H }, (_, h) => W[c * H + h] * z[n * H + h]).reduce((a, v) => a + v, 0));
    const max = Math.max(...logits), e = logits.map((l) => Math.exp(l - max)), s = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / s);
  });
}

describe('encodeDataset', () => {
  it('gives what the head reads: the head on the encodings is the model\'s forward, example by example', () => {
    const m = model();
    const data = randomDataset(70, 2); // more than one encoding batch (64)
    const enc = encodeDataset(m, data);
    expect(enc.z.length).toBe(70 * H);
    expect(Array.from(enc.labels)).toEqual(Array.from(data.labels));
    const fromEncodings = headProbabilities(m, enc.z, 70);
    for (const n of [0, 1, 63, 64, 69]) {
      const x = new Float32Array(T * F); // (T, 1, F)
      x.set(data.x.subarray(n * T * F, (n + 1) * T * F));
      const p = m.forward(x, T, 1);
      for (let c = 0; c < C; c++) expect(fromEncodings[n][c]).toBeCloseTo(p[c], 5);
    }
  });
});

describe('trainHead', () => {
  const options = { epochs: 60, batchSize: 16, learningRate: 0.05, weightDecay: 1e-4, labelSmoothing: 0, seed: 3, earlyStopping: { patience: 10, minEpochs: 0 } };

  it('learns separable encodings, writes the kept head into the model and leaves the recurrent layers alone', () => {
    const m = model();
    const recurrent = Float32Array.from(m.params.subarray(0, m.layers[0].paramCount));
    const train = clusters(90, 4), validation = clusters(30, 5);
    const before = headProbabilities(m, validation.z, 30);
    const { events, result } = run(trainHead(m, train, validation, options));
    expect(events[0]).toMatchObject({ type: 'start', examples: 90, paramCount: C * H + C });
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.length).toBe(result.epochs);
    expect(result.history.length).toBe(result.epochs);
    // the kept epoch is the lowest validation loss, and the model's head is that epoch's
    const lowest = result.history.reduce((a, r) => ((r.valLoss as number) < (a.valLoss as number) ? r : a));
    expect(result.bestEpoch).toBe(lowest.epoch);
    const after = headProbabilities(m, validation.z, 30);
    const accuracy = after.filter((p, n) => p.indexOf(Math.max(...p)) === validation.labels[n]).length / 30;
    expect(accuracy).toBe(1);
    expect(lowest.valAccuracy).toBe(1);
    expect(before.filter((p, n) => p.indexOf(Math.max(...p)) === validation.labels[n]).length / 30).toBeLessThan(1);
    expect(Array.from(m.params.subarray(0, m.layers[0].paramCount))).toEqual(Array.from(recurrent));
  });

  it('stops early once the validation loss stops improving, and keeps no epoch before minEpochs', () => {
    const m = model();
    // validation labels unrelated to the encodings: the loss soon rises
    const validation = { ...clusters(30, 6), labels: Int32Array.from({ length: 30 }, (_, i) => (i * 7 + 1) % C) };
    const { events, result } = run(trainHead(m, clusters(90, 4), validation, { ...options, epochs: 200, earlyStopping: { patience: 5, minEpochs: 4 } }));
    expect(result.reason).toBe('early-stopped');
    expect(result.epochs).toBeLessThan(200);
    expect(result.bestEpoch).toBeGreaterThanOrEqual(4);
    expect(result.epochs - result.bestEpoch).toBe(5);
    expect(events.at(-1)).toEqual({ type: 'early-stop', epoch: result.epochs, bestEpoch: result.bestEpoch });
  });

  it('refuses encodings of another size, and stops when cancelled', () => {
    const m = model();
    expect(() => run(trainHead(m, { ...clusters(9, 1), size: H + 1 }, null, options))).toThrow(HarkError);
    const controller = new AbortController();
    const gen = trainHead(m, clusters(90, 4), null, { ...options, signal: controller.signal });
    gen.next(); // start
    gen.next(); // epoch 1
    controller.abort();
    let caught: unknown;
    try { gen.next(); } catch (e) { caught = e; }
    expect((caught as HarkError).code).toBe('aborted');
  });
});
