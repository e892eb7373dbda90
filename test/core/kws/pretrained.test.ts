import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { featureCount } from '../../../core/features/config.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { encoderMismatch, startFromEncoder } from '../../../core/kws/pretrained.js';
import { resolveRecipe, trainKeywordModel, type KwsModel } from '../../../core/kws/recipe.js';
import { toneSet } from './tones.js';

const features = resolveRecipe().features;
const F = featureCount(features);
const shape: { cell: 'lstm' | 'gru'; inputSize: number; hiddenSize: number; layers: number; pooling: 'last' | 'mean' } = { cell: 'lstm', inputSize: F, hiddenSize: 8, layers: 1, pooling: 'last' };

/** An encoder of `classes` classes with recognisable weights and statistics. */
function encoder(classes = 5, over: Partial<typeof shape> = {}): SequenceClassifier {
  const e = new SequenceClassifier({ ...shape, ...over, classes, dropout: 0 }, { seed: 7 });
  e.setNormalization({ mean: Array.from({ length: F }, (_, i) => i / 10), std: Array.from({ length: F }, (_, i) => 1 + i / 100) });
  return e;
}

const recurrentCount = (m: SequenceClassifier): number => m.layers.reduce((n, l) => n + l.paramCount, 0);

describe('a pretrained start', () => {
  it('copies the recurrent layers and the normalisation, and leaves the head as it was', () => {
    const from = encoder(5);
    const model = new SequenceClassifier({ ...shape, classes: 3, dropout: 0, pooling: 'last' }, { seed: 1 });
    const head = model.params.slice(recurrentCount(model));
    startFromEncoder(model, from);
    const R = recurrentCount(model);
    expect(R).toBeGreaterThan(0);
    expect(Array.from(model.params.subarray(0, R))).toEqual(Array.from(from.params.subarray(0, R)));
    expect(Array.from(model.params.subarray(R))).toEqual(Array.from(head)); // its own head, sized for its own classes
    expect(model.getNormalization()).toEqual(from.getNormalization());
  });

  it('refuses an encoder of another network, saying what differs', () => {
    const model = new SequenceClassifier({ ...shape, classes: 3, dropout: 0, pooling: 'last' }, { seed: 1 });
    const cases: [Partial<typeof shape>, string][] = [[{ hiddenSize: 16 }, 'size 16, not 8'], [{ cell: 'gru' }, 'cell gru, not lstm'], [{ layers: 2 }, 'layers 2, not 1'], [{ pooling: 'mean' }, 'pooling mean, not last']];
    for (const [over, says] of cases) {
      let err: unknown;
      try { startFromEncoder(model, encoder(5, over)); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(HarkError);
      expect((err as HarkError).code).toBe('bad-encoder');
      expect((err as HarkError).message).toContain(says);
    }
    const bare = new SequenceClassifier({ ...shape, classes: 5, dropout: 0, pooling: 'last' }, { seed: 2 }); // never normalised
    expect(() => startFromEncoder(model, bare)).toThrow(/no input normalisation/);
  });

  it('is refused for other feature settings', () => {
    const e = { model: encoder(), features };
    expect(encoderMismatch(e, shape, features)).toBeNull();
    expect(encoderMismatch(e, shape, { ...features, melBands: features.melBands + 2 })).toMatch(/other feature settings \(melBands\)/);
    expect(encoderMismatch(e, { ...shape, hiddenSize: 9 }, features)).toMatch(/size 8, not 9/);
  });

  it('starts a training run: the model learns from the encoder\'s weights and keeps its normalisation', async () => {
    const from = encoder(5);
    const clips = toneSet(['low', 'high'], 6, 3);
    const run = async (start?: Pick<KwsModel, 'model' | 'features'>): Promise<KwsModel> => {
      const gen = trainKeywordModel({ train: clips, validation: [], background: [] }, { hiddenSize: 8, epochs: 1, learningRate: 1e-6, augmentedCopies: 0, calibrate: false },
        { encoder: start });
      let r = await gen.next();
      while (!r.done) r = await gen.next();
      return r.value;
    };
    const started = await run({ model: from, features });
    const scratch = await run();
    const R = recurrentCount(from);
    // one epoch at a tiny learning rate: the weights are still (almost) the encoder's, not a fresh init
    const distance = (m: KwsModel): number => Math.max(...Array.from(m.model.params.subarray(0, R), (v, i) => Math.abs(v - from.params[i])));
    expect(distance(started)).toBeLessThan(1e-3);
    expect(distance(scratch)).toBeGreaterThan(1e-2);
    expect(started.model.getNormalization()).toEqual(from.getNormalization());
    expect(scratch.model.getNormalization()).not.toEqual(from.getNormalization());
    await expect(run({ model: encoder(5, { hiddenSize: 16 }), features })).rejects.toThrow(/size 16, not 8/);
  }, 60_000);
});
