// The coordinator's side of data-parallel training without any thread behind it: workers
// that never answer must not hang the caller. (Real threads: test/app/node/training-threads.test.ts.)
import { describe, expect, it } from 'vitest';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { Random } from '../../../core/tensor/random.js';
import { DataParallelGradients, type GradientWorkerError } from '../../../core/train/data-parallel.js';

describe('DataParallelGradients', () => {
  it('gives up on workers that never answer after its deadline, tells the owner, and computes the batch itself', () => {
    const T = 5, B = 16, F = 3, C = 3;
    const model = new SequenceClassifier({ cell: 'cifg', inputSize: F, hiddenSize: 6, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 1 });
    const lost: GradientWorkerError[] = [];
    const gradients = new DataParallelGradients(model, { workers: 1, maxSteps: T, maxBatch: B, timeoutMs: 300, onWorkerLost: (e) => lost.push(e) });
    const rng = new Random(2);
    const x = new Float32Array(T * B * F).map(() => rng.normal());
    const labels = Int32Array.from({ length: B }, () => rng.int(C));
    const expected = model.lossAndGrad(x, labels, T, B);
    const expectedGrads = Float32Array.from(model.grads);
    const started = performance.now();
    const got = gradients.lossAndGrad(x, labels, T, B); // no thread was ever started
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(lost.map((e) => e.code)).toEqual(['worker-lost']);
    expect(got.loss).toBe(expected.loss);
    expect(Array.from(model.grads)).toEqual(Array.from(expectedGrads));
    gradients.lossAndGrad(x, labels, T, B); // later batches do not wait again
    expect(lost).toHaveLength(1);
  });

  it('an error in its own shard reaches the caller (after the workers are accounted for)', () => {
    const model = new SequenceClassifier({ cell: 'lstm', inputSize: 2, hiddenSize: 4, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
    const gradients = new DataParallelGradients(model, { workers: 1, maxSteps: 3, maxBatch: 8, timeoutMs: 100 });
    const labels = Int32Array.from([7, 0, 1, 0, 1, 0, 1, 0]);
    expect(() => gradients.lossAndGrad(new Float32Array(3 * 8 * 2), labels, 3, 8)).toThrow(/label 7/);
  });
});
