// Checks the CLI makes before it does work it could not keep: a model file must be
// writable before training starts (a real write, not a stat), errors name the user's file
// and not a temp file, export refuses to write over its own input, and a model whose
// output is not finite is refused instead of being scored.
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { checkWritable, writeFileSafely } from '../../../app/cli/model-io.js';
import { expectOneLineError, hark, removeAll, tempDir } from './helpers.js';

const dirs: string[] = [];
let dir: string;
afterAll(() => removeAll(dirs));

function tinyModel(weights?: number): Uint8Array {
  const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 4, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
  if (weights !== undefined) model.params.fill(weights);
  return saveKwsModel({ model, labels: ['go', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, history: [], warnings: [], recipe: resolveRecipe() });
}

beforeAll(async () => {
  dir = await tempDir('hark-cli-writes-', dirs);
  await writeFile(join(dir, 'tiny.hark'), tinyModel());
  await writeFile(join(dir, 'huge.hark'), tinyModel(1e38));
  await mkdir(join(dir, 'set', 'go'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(join(dir, 'set', 'go', `s${i}_nohash_0.wav`), encodeWav(new Float32Array(16000).map((_, j) => 0.2 * Math.sin(j / (3 + i))), 16000));
});

// /sys refuses new files even to root (where permission bits do not stop anything).
describe.runIf(process.platform === 'linux')('an output folder that cannot be written', () => {
  it('hark train fails at once, naming the model file, before it reads the data', async () => {
    const r = await hark(['train', 'no-such-folder', '--out', '/sys/model.hark'], { cwd: dir });
    expectOneLineError(r, 1, /^hark: cannot write \/sys\/model\.hark: permission denied$/);
  });

  it('checkWritable and writeFileSafely name the user file, not a temp file', async () => {
    await expect(checkWritable('/sys/model.hark')).rejects.toThrow(/^cannot write \/sys\/model\.hark: permission denied$/);
    await expect(writeFileSafely('/sys/model.hark', new Uint8Array(8))).rejects.toThrow(/^cannot write \/sys\/model\.hark: permission denied$/);
  });
});

describe('checkWritable', () => {
  it('leaves nothing behind in a folder it can write', async () => {
    const out = await tempDir('hark-cli-probe-', dirs);
    await checkWritable(join(out, 'model.hark'));
    expect(await readdir(out)).toEqual([]);
  });
});

describe('hark export', () => {
  it('refuses to write over its own input, by name or through a link', async () => {
    const before = await readFile(join(dir, 'tiny.hark'));
    await symlink(join(dir, 'tiny.hark'), join(dir, 'link.hark'));
    for (const out of ['tiny.hark', './tiny.hark', 'link.hark']) {
      const r = await hark(['export', 'tiny.hark', out], { cwd: dir });
      expectOneLineError(r, 1, /^hark: .*\.hark is the model being exported; writing it would replace the model/);
    }
    expect(await readFile(join(dir, 'tiny.hark'))).toEqual(before);
    const ok = await hark(['export', 'tiny.hark', 'tiny.onnx'], { cwd: dir });
    expect(ok.code).toBe(0);
  });
});

describe('hark eval', () => {
  it('refuses a model whose output is NaN instead of scoring it', async () => {
    const r = await hark(['eval', 'huge.hark', 'set'], { cwd: dir });
    expectOneLineError(r, 1, /^hark: .*huge\.hark is not a usable Hark model \(\.hark or \.onnx\): the model gives NaN instead of a probability/);
    expect(r.stdout).toBe('');
  });
});
