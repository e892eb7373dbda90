import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, type FeatureConfig } from '../../../core/features/config.js';
import { exportKwsModel, loadKwsModel, modelFormatOf, saveKwsModel } from '../../../core/kws/model-file.js';
import { DEFAULT_RECIPE, resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import type { ClassifierConfig } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
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

/** A keyword model of these settings (random weights), saved or exported, for the load checks. */
function modelOf(features: FeatureConfig, network: Partial<ClassifierConfig> = {}, labels = ['on', 'off', '_background_']): KwsModel {
  const config: ClassifierConfig = { cell: 'lstm', inputSize: featureCount(features), hiddenSize: 8, layers: 1, classes: labels.length, dropout: 0, pooling: 'last', ...network };
  const model = new SequenceClassifier(config, { seed: 2 });
  return { model, labels, features, recipe: resolveRecipe({ cell: config.cell, hiddenSize: config.hiddenSize, layers: config.layers, features }), history: [], warnings: [] };
}

const refusalOf = (bytes: Uint8Array): HarkError => {
  try {
    loadKwsModel(bytes);
  } catch (err) {
    if (err instanceof HarkError) return err;
    throw err;
  }
  throw new Error('the model was accepted');
};

describe('calibrated thresholds in model files', () => {
  const calibration = {
    thresholds: { on: 0.93, off: 0.62 },
    words: [{ label: 'on', threshold: 0.93, falseActivations: 0, reached: true }, { label: 'off', threshold: 0.62, falseActivations: 0, reached: true }],
    seconds: 201.5, targetPerHour: 1,
  };

  it('travel with the model in both forms', () => {
    const m = { ...sample(), calibration };
    expect(loadKwsModel(saveKwsModel(m)).calibration).toEqual(calibration);
    expect(loadKwsModel(exportKwsModel(m)).calibration).toEqual(calibration);
    // A model without them loads without them.
    expect(loadKwsModel(saveKwsModel(sample())).calibration).toBeNull();
    expect(loadKwsModel(exportKwsModel(sample())).calibration).toBeNull();
  });

  it('are dropped when they do not fit the model (a hand-edited file): the detector\'s default applies', () => {
    for (const bad of [
      { ...calibration, thresholds: { on: 0.93 } },                  // a word missing
      { ...calibration, thresholds: { on: 0.93, off: 1.5 } },        // not a probability
      { ...calibration, thresholds: { on: 0.9, off: 0.6, up: 0.7 } }, // a word the model does not have
      { ...calibration, words: 'all' },
    ]) {
      const back = loadKwsModel(saveKwsModel({ ...sample(), calibration: bad as unknown as typeof calibration }));
      expect(back.calibration, JSON.stringify(bad)).toBeNull();
    }
  });
});

describe('loading checks a model before anyone uses it', () => {
  it('refuses the extreme model of issue 14 (hop 1, 8192-point FFT, 30 s window): it cannot listen in real time', () => {
    const extreme = modelOf({ ...DEFAULT_FEATURE_CONFIG, hopSamples: 1, windowSamples: 8192, windowSeconds: 30 });
    for (const bytes of [saveKwsModel(extreme), exportKwsModel(extreme)]) {
      const err = refusalOf(bytes);
      expect(err.code).toBe('too-slow');
      expect(err.message).toMatch(/too slow for live listening/);
      expect(err.message).toMatch(/hopSamples 1\b/);
    }
  });

  it('accepts the default model and the largest the Train screen offers (128 units × 2 layers, every cell)', () => {
    const defaults = modelOf({ ...DEFAULT_FEATURE_CONFIG }, { cell: DEFAULT_RECIPE.cell, hiddenSize: DEFAULT_RECIPE.hiddenSize, layers: DEFAULT_RECIPE.layers });
    expect(loadKwsModel(saveKwsModel(defaults)).model.params).toEqual(defaults.model.params);
    expect(loadKwsModel(exportKwsModel(defaults)).labels).toEqual(defaults.labels);
    for (const cell of CELL_KINDS) {
      const large = modelOf({ ...DEFAULT_FEATURE_CONFIG }, { cell, hiddenSize: 128, layers: 2 });
      expect(loadKwsModel(saveKwsModel(large)).model.config).toMatchObject({ cell, hiddenSize: 128, layers: 2 });
    }
  });

  it('refuses a network whose input size is not what its feature settings give', () => {
    const m = modelOf({ ...DEFAULT_FEATURE_CONFIG }, { inputSize: 13 });
    for (const bytes of [saveKwsModel(m), exportKwsModel(m)]) {
      const err = refusalOf(bytes);
      expect(err.code).toBe('model-mismatch');
      expect(err.message).toMatch(/takes 13 values per frame, but its feature settings give 28/);
    }
  });

  it('refuses a model whose output is not finite (all-huge weights: NaN on every clip)', () => {
    const m = modelOf({ ...DEFAULT_FEATURE_CONFIG });
    m.model.params.fill(1e38); // finite, so saving and ONNX export accept it
    for (const bytes of [saveKwsModel(m), exportKwsModel(m)]) {
      const err = refusalOf(bytes);
      expect(err.code).toBe('non-finite-output');
      expect(err.message).toMatch(/NaN instead of a probability on silence/);
    }
  });
});

