// What the model library says about a file it cannot import, and what it keeps of a
// trained model's run (issue 15): the refusal names the file, says nothing was imported
// and keeps its typed code, with the parser's particulars only in its cause; a trained
// model lists how its run went, and a description saved before that was recorded reads as
// not known.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelLibrary, ModelLibraryError } from '../../../app/engine/model-library.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { exportKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { NOT_ONNX, OnnxImportError } from '../../../core/onnx/import.js';
import { methodSchemas } from '../../../app/shared/protocol.js';

const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

async function library(): Promise<{ dir: string; library: ModelLibrary }> {
  const dir = await mkdtemp(join(tmpdir(), 'hark-models-'));
  dirs.push(dir);
  return { dir, library: (await ModelLibrary.open(dir)).library };
}

function tiny(history: KwsModel['history'] = [], keptEpoch?: number): KwsModel {
  const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 8, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
  return { model, labels: ['yes', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, recipe: resolveRecipe({ cell: 'gru', hiddenSize: 8, epochs: 30 }), history, warnings: [], keptEpoch };
}

const record = (epoch: number, valLoss: number) => ({ epoch, trainLoss: 1, trainAccuracy: 0.5, valLoss, valAccuracy: 0.5, learningRate: 0.01, seconds: 1 });

describe('importing a file that is not a model', () => {
  it('names the file, says nothing was imported, keeps the code and leaves the jargon to the cause', async () => {
    const { dir, library: models } = await library();
    // A JSON file renamed to .onnx: the protobuf walk refuses it at its first byte.
    const bytes = new TextEncoder().encode('{"graph": {"node": []}}');
    const refusal = await models.importBytes('notes', bytes, 'notes.onnx').then(() => null, (e: unknown) => e);
    expect(refusal).toBeInstanceOf(ModelLibraryError);
    const error = refusal as ModelLibraryError;
    expect(error.code).toBe('not-onnx');
    expect(error.message).toBe(`notes.onnx is not an ONNX model Hark can read (${NOT_ONNX}); nothing was imported.`);
    expect(error.cause).toBeInstanceOf(OnnxImportError);
    expect((error.cause as OnnxImportError).detail).toMatch(/wire type|byte/);
    // Nothing was imported: no model folder, nothing listed.
    expect(await models.list()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes the file name for its messages only as one printable line', () => {
    const params = (fileName: string) => ({ name: 'notes', bytes: new Uint8Array([1]), fileName });
    expect(methodSchemas['models.import'].safeParse(params('notes.onnx')).success).toBe(true);
    expect(methodSchemas['models.import'].safeParse(params('notes\nimported fine.onnx')).success).toBe(false);
    expect(methodSchemas['models.import'].safeParse(params('n'.repeat(201))).success).toBe(false);
  });

  it('names the model when no file name is given, and says so of a damaged .hark file too', async () => {
    const { library: models } = await library();
    await expect(models.importBytes('mine', new TextEncoder().encode('HARKCKPT not really'))).rejects.toThrow(/^“mine” is not a \.hark model Hark can read \(.+\); nothing was imported\.$/);
  });
});

describe('a trained model\'s run in its description', () => {
  it('lists the epochs run, the most allowed and the epoch kept; imports and old descriptions have none', async () => {
    const { dir, library: models } = await library();
    const trained = await models.add({ name: 'early', source: 'trained', model: tiny([record(1, 0.9), record(2, 0.3), record(3, 0.4)], 2) });
    expect(trained.training).toEqual({ epochs: 3, maxEpochs: 30, keptEpoch: 2 });
    const imported = await models.importBytes('copy', exportKwsModel(tiny()), 'copy.onnx');
    expect(imported.training).toBeNull();

    // A description saved before the run was recorded.
    const metaFile = join(dir, trained.id, 'meta.json');
    const { training: _dropped, ...old } = JSON.parse(await readFile(metaFile, 'utf8')) as Record<string, unknown>;
    await writeFile(metaFile, JSON.stringify(old));
    expect((await models.list()).find((m) => m.id === trained.id)?.training).toBeNull();
  });
});
