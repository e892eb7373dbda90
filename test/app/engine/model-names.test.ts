// The names Hark gives models (a training run's, a recovered model's) are names the user
// can keep: Models → Rename → Save with the name unchanged goes through the protocol's
// check of models.rename, which refused the ':' of "Model 2026-12-03 14:05".
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultModelName, ModelLibrary } from '../../../app/engine/model-library.js';
import { methodSchemas } from '../../../app/shared/protocol.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';

const rename = methodSchemas['models.rename'];
const renames = (name: string) => rename.safeParse({ id: 'm-1', name }).success;
const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

function tiny(): KwsModel {
  const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 8, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
  return { model, labels: ['yes', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, recipe: resolveRecipe({ cell: 'gru', hiddenSize: 8 }), history: [], warnings: [] };
}

describe('default model names', () => {
  it('read as the local date and time, with no character the rename check refuses', () => {
    const at = new Date(2026, 11, 3, 9, 5);
    expect(defaultModelName(at)).toBe('Model 2026-12-03 09.05');
    expect(defaultModelName(at, 'Recovered model')).toBe('Recovered model 2026-12-03 09.05');
    // The old form is refused: this is what the user met when saving a rename unchanged.
    expect(renames('Model 2026-12-03 09:05')).toBe(false);
    for (const when of [at, new Date(2026, 0, 1, 0, 0), new Date(1999, 11, 31, 23, 59), new Date()]) {
      for (const name of [defaultModelName(when), defaultModelName(when, 'Recovered model')]) {
        expect(renames(name), name).toBe(true);
        expect(renames(`${name} (2)`), `${name} (2)`).toBe(true); // a second run in the same minute
      }
    }
  });

  it('a model recovered after a crash gets one too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hark-model-names-'));
    dirs.push(dir);
    await mkdir(join(dir, 'm-half-saved'));
    await writeFile(join(dir, 'm-half-saved', 'model.hark'), saveKwsModel(tiny()));
    const { library } = await ModelLibrary.open(dir);
    const [recovered] = await library.list();
    expect(recovered.name).toMatch(/^Recovered model \d{4}-\d\d-\d\d \d\d\.\d\d$/);
    expect(renames(recovered.name)).toBe(true);
    // And the library takes it back unchanged, as Rename → Save sends it.
    expect((await library.rename(recovered.id, recovered.name)).name).toBe(recovered.name);
  });
});
