import { describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { Trainer, evaluateDataset, type GradientSource, type TrainEvent, type TrainOptions, type TrainResult } from '../../../core/train/trainer.js';
import type { SequenceDataset } from '../../../core/train/dataset.js';
import { clipByGlobalNorm, globalNorm } from '../../../core/train/clip.js';
import { ConfigError, NonFiniteError, TrainingAbortedError } from '../../../core/errors.js';
import { lastFrameOnly, randomDataset, recallFirstToken } from './tasks.js';

async function runAll(trainer: Trainer, train: SequenceDataset, val: SequenceDataset | null, onEvent?: (e: TrainEvent) => void): Promise<{ result: TrainResult; events: TrainEvent[] }> {
  const events: TrainEvent[] = [];
  const it = trainer.run(train, val);
  for (;;) {
    const next = await it.next();
    if (next.done) return { result: next.value, events };
    events.push(next.value);
    onEvent?.(next.value);
  }
}

/** A gradient source whose every result is poisoned (a numerically broken computation). */
function brokenGradients(model: SequenceClassifier): GradientSource {
  return {
    lossAndGrad(...args: Parameters<SequenceClassifier['lossAndGrad']>) {
      const r = model.lossAndGrad(...args);
      model.grads[0] = NaN;
      return r;
    },
  };
}

const config = (cell: ClassifierConfig['cell'], F: number, C: number, H = 16): ClassifierConfig => ({ cell, inputSize: F, hiddenSize: H, layers: 1, classes: C, dropout: 0, pooling: 'last' });

describe('memory task: the token at step 0 decides the class 30 steps later', () => {
  const C = 3, T = 30;
  const train = recallFirstToken(600, T, C, 1);
  const test = recallFirstToken(300, T, C, 2);

  it.each(CELL_KINDS)('%s learns it', async (cell) => {
    const model = new SequenceClassifier(config(cell, C + 1, C), { seed: 3 });
    const trainer = new Trainer(model, { epochs: 40, learningRate: 1e-2, seed: 4, earlyStopping: { patience: 8, monitor: 'accuracy' } });
    await runAll(trainer, train, test);
    const { accuracy } = evaluateDataset(model, test);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
  });

  it('a model without recurrence (it sees only the final frame) stays at chance', async () => {
    const model = new SequenceClassifier(config('lstm', C + 1, C), { seed: 3 });
    const trainer = new Trainer(model, { epochs: 15, learningRate: 1e-2, seed: 4 });
    await runAll(trainer, lastFrameOnly(train), null);
    const { accuracy } = evaluateDataset(model, lastFrameOnly(test));
    expect(accuracy).toBeLessThan(0.45); // chance is 1/3
  });
});

describe('training: learning, determinism, clipping and early stopping', () => {
  it('overfits 16 random sequences to 100% accuracy', async () => {
    const data = randomDataset(16, 12, 5, 4, 7);
    const model = new SequenceClassifier(config('lstm', 5, 4, 32), { seed: 1 });
    const trainer = new Trainer(model, { epochs: 150, batchSize: 16, learningRate: 1e-2, weightDecay: 0 });
    await runAll(trainer, data, null);
    expect(evaluateDataset(model, data).accuracy).toBe(1);
  });

  it('the same seed gives bit-identical training twice', async () => {
    const data = recallFirstToken(100, 8, 3, 9);
    const run = async () => {
      const model = new SequenceClassifier({ ...config('gru', 4, 3), layers: 2, dropout: 0.2 }, { seed: 5 });
      const { result } = await runAll(new Trainer(model, { epochs: 3, batchSize: 16, seed: 6 }), data, data);
      return { params: Float32Array.from(model.params), history: result.history.map(({ seconds: _s, ...r }) => r) };
    };
    const a = await run(), b = await run();
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
    expect(a.history).toEqual(b.history);
    // and a different seed gives different weights (the check can fail)
    const model = new SequenceClassifier({ ...config('gru', 4, 3), layers: 2, dropout: 0.2 }, { seed: 5 });
    await runAll(new Trainer(model, { epochs: 3, batchSize: 16, seed: 7 }), data, data);
    expect(Buffer.from(model.params.buffer).equals(Buffer.from(a.params.buffer))).toBe(false);
  });

  it('an exploding setup stays finite with clipping, and the clipped norm is within the bound', async () => {
    const data = randomDataset(64, 40, 6, 3, 2);
    const model = new SequenceClassifier(config('lstm', 6, 3, 32), { seed: 2 });
    // A head 100x too large: logits in the hundreds and gradients 15-50x the bound.
    for (const t of model.tensors()) if (t.name === 'head.W') for (let i = 0; i < t.data.length; i++) t.data[i] *= 100;
    const bound = 1;
    const steps: Extract<TrainEvent, { type: 'step' }>[] = [];
    await runAll(new Trainer(model, { epochs: 3, batchSize: 16, learningRate: 1e-2, clipNorm: bound }), data, null, (e) => { if (e.type === 'step') steps.push(e); });
    expect(steps.some((s) => s.clipped && s.gradNorm > 10 * bound)).toBe(true);
    expect(Array.from(model.params).every(Number.isFinite)).toBe(true);
    // the clipped gradient itself
    const labels = Array.from(data.labels.subarray(0, 16));
    const x = new Float32Array(40 * 16 * 6);
    for (let b = 0; b < 16; b++) for (let t = 0; t < 40; t++) for (let f = 0; f < 6; f++) x[(t * 16 + b) * 6 + f] = data.x[(b * 40 + t) * 6 + f];
    model.lossAndGrad(x, labels, 40, 16);
    const before = clipByGlobalNorm(model.grads, bound);
    expect(before).toBeGreaterThan(bound);
    expect(globalNorm(model.grads)).toBeLessThanOrEqual(bound * (1 + 1e-5));
  });

  it('early stopping restores the best weights', async () => {
    const train = randomDataset(40, 8, 4, 3, 1); // pure noise: validation loss rises as it memorises
    const val = randomDataset(40, 8, 4, 3, 2);
    const model = new SequenceClassifier(config('lstm', 4, 3, 32), { seed: 1 });
    const { result, events } = await runAll(new Trainer(model, { epochs: 60, batchSize: 8, learningRate: 2e-2, earlyStopping: { patience: 3 } }), train, val);
    expect(result.reason).toBe('early-stopped');
    expect(events.some((e) => e.type === 'early-stop')).toBe(true);
    const best = result.history[result.bestEpoch - 1];
    expect(best.valLoss).toBe(Math.min(...result.history.map((r) => r.valLoss as number)));
    expect(result.epochs).toBe(result.bestEpoch + 3);
    expect(evaluateDataset(model, val).loss).toBeCloseTo(best.valLoss as number, 10);
  });

  it('early stopping keeps nothing from before minEpochs: the best is chosen from then on, the stop comes after it', async () => {
    const train = randomDataset(40, 8, 4, 3, 1); // pure noise, as above: validation loss is lowest early
    const val = randomDataset(40, 8, 4, 3, 2);
    const free = await runAll(new Trainer(new SequenceClassifier(config('lstm', 4, 3, 32), { seed: 1 }), { epochs: 60, batchSize: 8, learningRate: 2e-2, earlyStopping: { patience: 3 } }), train, val);
    const minEpochs = free.result.bestEpoch + 5;
    const model = new SequenceClassifier(config('lstm', 4, 3, 32), { seed: 1 });
    const { result } = await runAll(new Trainer(model, { epochs: 60, batchSize: 8, learningRate: 2e-2, earlyStopping: { patience: 3, minEpochs } }), train, val);
    expect(result.bestEpoch).toBeGreaterThanOrEqual(minEpochs);
    const from = result.history.slice(minEpochs - 1).map((r) => r.valLoss as number);
    expect(result.history[result.bestEpoch - 1].valLoss).toBe(Math.min(...from));
    expect(result.epochs).toBe(result.reason === 'early-stopped' ? result.bestEpoch + 3 : 60);
    expect(() => new Trainer(model, { epochs: 5, earlyStopping: { patience: 3, minEpochs: -1 } })).toThrow(/minEpochs/);
  });
});

describe('training: aborts, non-finite steps, options and progress', () => {
  it('answers an abort within half a second, leaving the latest weights', async () => {
    const data = randomDataset(2000, 49, 13, 10, 1);
    const model = new SequenceClassifier(config('lstm', 13, 10, 64), { seed: 1 });
    const initial = Float32Array.from(model.params);
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => { abortedAt = performance.now(); controller.abort(); }, 300);
    const trainer = new Trainer(model, { epochs: 100, signal: controller.signal });
    const err = await runAll(trainer, data, null).catch((e: unknown) => e);
    const latency = performance.now() - abortedAt;
    expect(err).toBeInstanceOf(TrainingAbortedError);
    expect((err as TrainingAbortedError).code).toBe('aborted');
    expect(abortedAt).toBeGreaterThan(0);
    expect(latency).toBeLessThan(500);
    // It trained for a while, and the model holds that (not the initial weights: no epoch
    // finished, so there is no "best" to fall back to).
    expect(trainer.state().step).toBeGreaterThan(0);
    expect(trainer.state().best).toBeNull();
    expect(Buffer.from(model.params.buffer).equals(Buffer.from(initial.buffer))).toBe(false);
  });

  it('rolls back and recovers from a transient non-finite step at half the learning rate', async () => {
    const data = randomDataset(64, 10, 4, 3, 1);
    const model = new SequenceClassifier(config('gru', 4, 3), { seed: 1 });
    const events: TrainEvent[] = [];
    const { result } = await runAll(new Trainer(model, { epochs: 3, batchSize: 8 }), data, null, (e) => {
      events.push(e);
      if (e.type === 'step' && e.step === 3) model.params[5] = NaN; // a fault after step 3
    });
    const bad = events.filter((e): e is Extract<TrainEvent, { type: 'non-finite' }> => e.type === 'non-finite');
    expect(bad.map((e) => e.learningRateScale)).toEqual([0.5]);
    expect(result.epochs).toBe(3);
    expect(Array.from(model.params).every(Number.isFinite)).toBe(true);
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(3 * 8 - 1); // every batch but the skipped one
  });

  it('stops a run that stays non-finite with a typed error after halving the rate each time, weights rolled back', async () => {
    const data = randomDataset(64, 10, 4, 3, 1);
    const model = new SequenceClassifier(config('gru', 4, 3), { seed: 1 });
    const initial = Float32Array.from(model.params);
    const events: TrainEvent[] = [];
    const err = await runAll(new Trainer(model, { epochs: 5, batchSize: 8, maxNonFinite: 4, gradients: brokenGradients(model) }), data, null, (e) => events.push(e)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as NonFiniteError).code).toBe('non-finite');
    const bad = events.filter((e): e is Extract<TrainEvent, { type: 'non-finite' }> => e.type === 'non-finite');
    expect(bad.map((e) => e.learningRateScale)).toEqual([0.5, 0.25, 0.125, 0.0625]);
    expect(Buffer.from(model.params.buffer).equals(Buffer.from(initial.buffer))).toBe(true);
  });

  it('a resumed run that meets a non-finite step rolls back to its own weights, not to zeros', async () => {
    const data = randomDataset(64, 10, 4, 3, 1);
    const model = new SequenceClassifier(config('lstm', 4, 3), { seed: 1 });
    const first = new Trainer(model, { epochs: 1, batchSize: 8 });
    await runAll(first, data, null);
    const resumedAt = Float32Array.from(model.params);
    const second = new Trainer(model, { epochs: 2, batchSize: 8, maxNonFinite: 1, gradients: brokenGradients(model) }, first.state());
    await expect(runAll(second, data, null)).rejects.toBeInstanceOf(NonFiniteError);
    expect(Buffer.from(model.params.buffer).equals(Buffer.from(resumedAt.buffer))).toBe(true);
  });

  it('rejects unusable options with a typed error before training', () => {
    const model = new SequenceClassifier(config('lstm', 4, 3), { seed: 1 });
    for (const bad of [{ classWeights: [1, NaN, 1] }, { classWeights: [1, 1] }, { classWeights: [0, 0, 0] }, { classWeights: [1, -1, 1] }, { epochs: 0 }, { learningRate: -1 }, { labelSmoothing: 1 }]) {
      expect(() => new Trainer(model, { epochs: 1, ...bad })).toThrow(ConfigError);
    }
  });

  it('reports progress events with throughput', async () => {
    const data = randomDataset(40, 5, 3, 2, 1);
    const model = new SequenceClassifier(config('cifg', 3, 2), { seed: 1 });
    const options: TrainOptions = { epochs: 2, batchSize: 10 };
    const { events } = await runAll(new Trainer(model, options), data, data);
    expect(events[0]).toMatchObject({ type: 'start', epochs: 2, stepsPerEpoch: 4, examples: 40 });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(8);
    for (const s of steps) {
      expect(s.examplesPerSecond).toBeGreaterThan(0);
      expect(Number.isFinite(s.loss)).toBe(true);
    }
    const epochs = events.filter((e) => e.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs[1].valAccuracy).not.toBeNull();
  });
});
