import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { DEFAULT_FEATURE_CONFIG } from '../../../core/features/config.js';
import { exportKwsModel, loadKwsModel, modelFormatOf, saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { exportOnnx } from '../../../core/onnx/export.js';
import { saveCheckpoint } from '../../../core/train/checkpoint.js';
import { Random } from '../../../core/tensor/random.js';

function sample(): KwsModel {
  const model = new SequenceClassifier({ cell: 'gru', inputSize: 28, hiddenSize: 8, layers: 1, classes: 3, dropout: 0, pooling: 'last' }, { seed: 4 });
  model.setNormalization({ mean: Array.from({ length: 28 }, (_, i) => i / 10), std: Array.from({ length: 28 }, (_, i) => 1 + i / 20) });
  return {
    model, labels: ['on', 'off', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, recipe: resolveRecipe({ cell: 'gru', hiddenSize: 8 }),
    history: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.6, learningRate: 0.004, seconds: 2 }],
    warnings: ['"on" has only 4 clips; record at least 10 (20–30 is better).'],
  };
}

function input(T: number, B: number): Float32Array {
  const x = new Float32Array(T * B * 28);
  new Random(1).fillNormal(x, 3);
  return x;
}

describe('keyword model files', () => {
  it('.hark keeps everything, bit for bit', () => {
    const m = sample();
    const bytes = saveKwsModel(m);
    expect(modelFormatOf(bytes)).toBe('hark');
    const back = loadKwsModel(bytes);
    expect(back.format).toBe('hark');
    expect(back.labels).toEqual(m.labels);
    expect(back.features).toEqual(m.features);
    expect(back.history).toEqual(m.history);
    expect(back.warnings).toEqual(m.warnings);
    expect(back.recipe).toEqual(m.recipe);
    expect(back.model.params).toEqual(m.model.params);
    expect(back.model.forward(input(20, 2), 20, 2)).toEqual(m.model.forward(input(20, 2), 20, 2));
  });

  it('.onnx loads with its labels and features and computes the same probabilities', () => {
    const m = sample();
    const bytes = exportKwsModel(m);
    expect(modelFormatOf(bytes)).toBe('onnx');
    const back = loadKwsModel(bytes);
    expect(back.format).toBe('onnx');
    expect(back.labels).toEqual(m.labels);
    expect(back.features).toEqual(m.features);
    expect(back.recipe.cell).toBe('gru');
    const a = m.model.forward(input(30, 3), 30, 3), b = back.model.forward(input(30, 3), 30, 3);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 6);
  });

  it('refuses files that are not keyword models, with typed errors', () => {
    const m = sample();
    const codeOf = (bytes: Uint8Array): string => { try { loadKwsModel(bytes); } catch (err) { return err instanceof HarkError ? err.code : 'untyped'; } return 'loaded'; };
    expect(codeOf(new TextEncoder().encode('hello, not a model'))).not.toBe('untyped');
    expect(codeOf(new Uint8Array(0))).not.toBe('untyped');
    const plain = saveCheckpoint({ model: m.model, labels: null, extra: {}, trainer: null });
    expect(codeOf(plain)).toBe('not-a-keyword-model');
    const noFeatures = exportOnnx(m.model, { labels: m.labels });
    expect(codeOf(noFeatures)).toBe('no-feature-settings');
    const truncated = saveKwsModel(m).subarray(0, 100);
    expect(codeOf(truncated)).not.toBe('untyped');
    expect(codeOf(truncated)).not.toBe('loaded');
  });
});
