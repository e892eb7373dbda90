// The model library after a crash (issue 14): an add cut short before meta.json (written
// last) used to leave a model folder that was never listed and never cleaned, and temp
// files of interrupted writes stayed for ever. Opening repairs both, and says so.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelLibrary } from '../../../app/engine/model-library.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';

const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

function tiny(): KwsModel {
  const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 8, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
  return { model, labels: ['yes', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, recipe: resolveRecipe({ cell: 'gru', hiddenSize: 8 }), history: [], warnings: [] };
}

describe('ModelLibrary.open after a crash', () => {
  it('rebuilds the description of a complete model, removes an add that never saved one, clears temp files and a dangling active model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hark-models-'));
    dirs.push(dir);
    const { library } = await ModelLibrary.open(dir);
    const kept = await library.add({ name: 'kept', source: 'trained', model: tiny() });
    // The crash's leftovers: a model file without meta.json, a folder with only a temp file,
    // a temp file next to a finished model, an active.json naming a model that is gone.
    await mkdir(join(dir, 'm-half-saved'));
    await writeFile(join(dir, 'm-half-saved', 'model.hark'), saveKwsModel(tiny()));
    await mkdir(join(dir, 'm-never-saved'));
    await writeFile(join(dir, 'm-never-saved', '.model.hark.hark-tmp-1-ab'), 'partial');
    await writeFile(join(dir, kept.id, '.meta.json.hark-tmp-2-cd'), '{');
    await writeFile(join(dir, 'active.json'), JSON.stringify({ id: 'm-gone' }));

    const before = await library.list();
    expect(before.map((m) => m.id)).toEqual([kept.id]); // the half-saved model was invisible

    const { library: again, recovery } = await ModelLibrary.open(dir);
    expect(recovery.map((r) => [r.code, r.path]).sort()).toEqual([
      ['active-cleared', 'active.json'],
      ['model-recovered', 'm-half-saved'],
      ['model-removed', 'm-never-saved'],
      ['temp-removed', `${kept.id}/.meta.json.hark-tmp-2-cd`],
      ['temp-removed', 'm-never-saved/.model.hark.hark-tmp-1-ab'],
    ].sort());
    const listed = await again.list();
    expect(listed.map((m) => m.id).sort()).toEqual([kept.id, 'm-half-saved'].sort());
    expect(listed.find((m) => m.id === 'm-half-saved')).toMatchObject({ name: expect.stringMatching(/^Recovered model /), labels: ['yes', '_background_'], source: 'imported', active: false });
    expect(await again.activeId()).toBeNull();
    expect((await readdir(dir)).sort()).toEqual([kept.id, 'm-half-saved'].sort());
    // Opened again: nothing left to repair.
    expect((await ModelLibrary.open(dir)).recovery).toEqual([]);
  });

  it('leaves a model file that does not load where it is, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hark-models-'));
    dirs.push(dir);
    await mkdir(join(dir, 'm-damaged'));
    await writeFile(join(dir, 'm-damaged', 'model.hark'), 'HARKCKPT not really');
    const { recovery } = await ModelLibrary.open(dir);
    expect(recovery.map((r) => r.code)).toEqual(['model-unreadable']);
    expect(await readdir(join(dir, 'm-damaged'))).toEqual(['model.hark']);
  });
});
