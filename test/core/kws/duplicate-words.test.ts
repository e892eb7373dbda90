// A word listed twice would give a model two classes of one name: its ONNX export could
// not be imported again (the importer refuses duplicate labels). checkWords refuses such a
// list before a run starts; checkKwsModel refuses such a model, whichever form it comes in.
import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { DEFAULT_FEATURE_CONFIG } from '../../../core/features/config.js';
import { BACKGROUND_LABEL, checkWords, UNKNOWN_LABEL } from '../../../core/kws/labels.js';
import { checkKwsModel, exportKwsModel, loadKwsModel, saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';

const failure = (run: () => unknown): { type: string; code: string; message: string } => {
  try {
    run();
  } catch (err) {
    return { type: (err as Error).constructor.name, code: err instanceof HarkError ? err.code : 'untyped', message: (err as Error).message };
  }
  return { type: 'none', code: 'accepted', message: '' };
};

function modelWith(labels: string[]): KwsModel {
  const model = new SequenceClassifier({ cell: 'gru', inputSize: 28, hiddenSize: 4, layers: 1, classes: labels.length, dropout: 0, pooling: 'last' }, { seed: 1 });
  return { model, labels, features: { ...DEFAULT_FEATURE_CONFIG }, recipe: resolveRecipe({ cell: 'gru', hiddenSize: 4 }), history: [], warnings: [] };
}

describe('checkWords', () => {
  it('accepts words listed once each', () => {
    expect(failure(() => checkWords(['yes', 'no', 'Yes']))).toMatchObject({ code: 'accepted' });
  });

  it('refuses a word listed twice, naming it, with a typed ConfigError', () => {
    const f = failure(() => checkWords(['yes', 'no', 'yes']));
    expect(f).toMatchObject({ type: 'ConfigError', code: 'bad-word' });
    expect(f.message).toMatch(/"yes" is listed twice/);
  });

  it('refuses the reserved class names as words', () => {
    for (const w of [UNKNOWN_LABEL, BACKGROUND_LABEL]) expect(failure(() => checkWords(['yes', w]))).toMatchObject({ type: 'ConfigError', code: 'bad-word' });
  });
});

describe('models with a label twice', () => {
  it('checkKwsModel refuses one with a typed error', () => {
    const f = failure(() => checkKwsModel(modelWith(['on', 'on', BACKGROUND_LABEL])));
    expect(f).toMatchObject({ type: 'ConfigError', code: 'bad-labels' });
    expect(f.message).toMatch(/"on" twice/);
    expect(failure(() => checkKwsModel(modelWith(['on', 'off', BACKGROUND_LABEL])))).toMatchObject({ code: 'accepted' });
  });

  it('neither a .hark checkpoint nor an .onnx file with a label twice loads; both errors are typed', () => {
    const m = modelWith(['on', 'on', BACKGROUND_LABEL]);
    expect(failure(() => loadKwsModel(saveKwsModel(m)))).toMatchObject({ type: 'ConfigError', code: 'bad-labels' });
    const onnx = failure(() => loadKwsModel(exportKwsModel(m)));
    expect(onnx.code).not.toBe('accepted');
    expect(onnx.code).not.toBe('untyped');
    expect(onnx.message).toMatch(/"on" twice/);
  });
});
