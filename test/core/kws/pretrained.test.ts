import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { featureCount } from '../../../core/features/config.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { encoderMismatch, modelStartMismatch, startFromEncoder, startFromModel, type ModelStart } from '../../../core/kws/pretrained.js';
import { BACKGROUND_LABEL, UNKNOWN_LABEL } from '../../../core/kws/labels.js';
import { resolveRecipe, trainKeywordModel, type KwsClip, type KwsModel } from '../../../core/kws/recipe.js';
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

describe('a head-only fine-tune (recipe.fineTune "head")', () => {
  it('trains the head on the encoder\'s encodings and leaves every recurrent weight as the encoder had it', async () => {
    const from = encoder(5);
    const clips = toneSet(['low', 'high'], 6, 3);
    const gen = trainKeywordModel({ train: clips, validation: [], background: [] },
      { hiddenSize: 8, epochs: 30, learningRate: 0.05, augmentedCopies: 0, calibrate: false, fineTune: 'head' }, { encoder: { model: from, features } });
    const events = [];
    let r = await gen.next();
    while (!r.done) { events.push(r.value); r = await gen.next(); }
    const R = recurrentCount(from);
    expect(Array.from(r.value.model.params.subarray(0, R))).toEqual(Array.from(from.params.subarray(0, R)));
    expect(events.filter((e) => e.type === 'epoch').length).toBe(r.value.history.length);
    expect(() => resolveRecipe({ fineTune: 'layers' as 'head' })).toThrow(/fineTune must be one of all, head/);
  }, 60_000);
});

describe('a whole-model start', () => {
  const train = async (clips: KwsClip[], options: { start?: ModelStart; encoder?: Pick<KwsModel, 'model' | 'features'> } = {}, learningRate = 1e-6): Promise<KwsModel> => {
    const gen = trainKeywordModel({ train: clips, validation: [], background: [] }, { hiddenSize: 8, epochs: 1, learningRate, augmentedCopies: 0, calibrate: false }, options);
    let r = await gen.next();
    while (!r.done) r = await gen.next();
    return r.value;
  };
  const words = (ws: string[], unknown = false): KwsClip[] => [...toneSet(ws, 6, 3), ...(unknown ? toneSet(['rise'], 6, 4).map((c) => ({ ...c, label: UNKNOWN_LABEL })) : [])];

  it('copies every weight, the head too, and the normalisation', () => {
    const from = encoder(3);
    const model = new SequenceClassifier({ ...shape, classes: 3, dropout: 0, pooling: 'last' }, { seed: 1 });
    startFromModel(model, from);
    expect(Array.from(model.params)).toEqual(Array.from(from.params));
    expect(model.getNormalization()).toEqual(from.getNormalization());
    expect(() => startFromModel(model, encoder(4))).toThrow(/the model to start from has 4 classes, this model 3/);
    expect(() => startFromModel(model, encoder(3, { hiddenSize: 16 }))).toThrow(/the model to start from has another network \(size 16, not 8\)/);
  });

  it('says why a model cannot start a run: other words, other speech or not, another network or features', () => {
    const start = { model: encoder(4), labels: ['high', 'low', UNKNOWN_LABEL, BACKGROUND_LABEL], features };
    expect(modelStartMismatch(start, shape, start.labels, features)).toBeNull();
    const otherWords = modelStartMismatch(start, shape, ['high', 'up', UNKNOWN_LABEL, BACKGROUND_LABEL], features);
    expect(otherWords).toBe('the model to start from knows other words (high, low; this run\'s: high, up): it can only go on learning the same words');
    expect(modelStartMismatch(start, shape, ['high', 'low', 'up', BACKGROUND_LABEL], features)).toMatch(/knows other words \(high, low; this run's: high, low, up\)/);
    const noOther = modelStartMismatch({ ...start, labels: ['high', 'low', BACKGROUND_LABEL], model: encoder(3) }, shape, start.labels, features);
    expect(noOther).toMatch(/has no class for other speech and this run has other speech/);
    expect(modelStartMismatch(start, shape, ['high', 'low', BACKGROUND_LABEL], features)).toMatch(/learned other speech and this run has none/);
    // what a person reads never names the internal classes
    for (const m of [otherWords, noOther]) expect(m).not.toMatch(/_unknown_|_background_/);
    expect(modelStartMismatch(start, { ...shape, hiddenSize: 9 }, start.labels, features)).toMatch(/the model to start from has another network \(size 8, not 9\)/);
    expect(modelStartMismatch(start, shape, start.labels, { ...features, melBands: features.melBands + 2 })).toMatch(/the model to start from was trained on other feature settings \(melBands\)/);
  });

  it('starts a training run from the model\'s weights, and refuses another model before preparing anything', async () => {
    const clips = words(['low', 'high'], true);
    const first = await train(clips, {}, 3e-2); // far from the initial weights a run from scratch would have
    const again = await train(clips, { start: first });
    expect(again.labels).toEqual(first.labels);
    // one epoch at a tiny learning rate: every weight, the head's too, is still (almost) the first model's
    const distance = (m: KwsModel): number => Math.max(...Array.from(m.model.params, (v, i) => Math.abs(v - first.model.params[i])));
    expect(distance(again)).toBeLessThan(1e-3);
    expect(distance(await train(clips))).toBeGreaterThan(1e-2);
    expect(again.model.getNormalization()).toEqual(first.model.getNormalization());
    await expect(train(words(['low', 'fall'], true), { start: first })).rejects.toThrow(/knows other words \(high, low; this run's: fall, low\)/);
    await expect(train(words(['low', 'high']), { start: first })).rejects.toThrow(/learned other speech and this run has none/);
    await expect(train(clips, { start: first, encoder: { model: encoder(5), features } })).rejects.toThrow(/not from both/);
  }, 60_000);
});
