// The pretrained encoder as the engine finds, reads and uses it: a run starts from it when
// it fits the recipe, trains from scratch with a warning when it does not, and never when
// asked not to; a damaged file is a typed error that names it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { featureCount } from '../../../core/features/config.js';
import { saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe, type KwsModel } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { trainModel } from '../../../app/node/keyword-training.js';
import { ENCODER_FILE, EncoderError, findEncoder, PRETRAINED_DIR, readEncoder } from '../../../app/node/pretrained.js';
import { encoderMismatch } from '../../../core/kws/pretrained.js';
import { toneSet } from '../../core/kws/tones.js';

let dir = '';
let file = '';
const features = resolveRecipe().features;
const F = featureCount(features);
const normalization = { mean: Array.from({ length: F }, (_, i) => i / 10), std: Array.from({ length: F }, (_, i) => 1 + i / 100) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hark-encoder-'));
  const model = new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize: 8, layers: 1, classes: 4, dropout: 0, pooling: 'last' }, { seed: 3 });
  model.setNormalization(normalization);
  const encoder: KwsModel = { model, labels: ['a', 'b', '_unknown_', '_background_'], features, history: [], warnings: [], recipe: resolveRecipe({ hiddenSize: 8 }) };
  file = join(dir, 'encoder.hark');
  await writeFile(file, saveKwsModel(encoder));
  process.env.HARK_ENCODER = file; // read once per process: set before any run
});
afterAll(async () => {
  delete process.env.HARK_ENCODER;
  await rm(dir, { recursive: true, force: true });
});

/** Whether a model's normalisation is the encoder's (to float32 precision, as the model keeps it). */
const isEncoders = (m: KwsModel): boolean => {
  const n = m.model.getNormalization();
  return n !== null && n.mean.every((v, i) => Math.abs(v - normalization.mean[i]) < 1e-6) && n.std.every((v, i) => Math.abs(v - normalization.std[i]) < 1e-6);
};

const clips = toneSet(['low', 'high'], 6, 5);
const quick = { epochs: 1, augmentedCopies: 0, calibrate: false };
async function run(recipe: Record<string, unknown>, pretrained?: boolean): Promise<{ model: KwsModel; warnings: string[] }> {
  const warnings: string[] = [];
  const r = await trainModel({ train: clips, validation: [], background: [] }, { ...quick, ...recipe }, { workers: 0, bundledSpeech: false, pretrained, onWarning: (m) => warnings.push(m) });
  return { model: r.model, warnings };
}

describe('the pretrained encoder', () => {
  it('is found through HARK_ENCODER, and an empty value means none', () => {
    expect(findEncoder()).toBe(file);
    process.env.HARK_ENCODER = '';
    try { expect(findEncoder()).toBeNull(); } finally { process.env.HARK_ENCODER = file; }
  });

  it('refuses a damaged file with a typed error that names it', async () => {
    const bad = join(dir, 'bad.hark');
    await writeFile(bad, new Uint8Array([1, 2, 3, 4, 5]));
    const err = await readEncoder(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EncoderError);
    expect((err as EncoderError).code).toBe('bad-encoder');
    expect((err as EncoderError).message).toContain(bad);
  });

  it('starts a run whose network fits it, and not one asked to train from scratch', async () => {
    const started = await run({ hiddenSize: 8 });
    expect(started.warnings).toEqual([]);
    expect(isEncoders(started.model)).toBe(true); // the encoder's statistics, not this data's
    const scratch = await run({ hiddenSize: 8 }, false);
    expect(isEncoders(scratch.model)).toBe(false);
  }, 60_000);

  it('leaves a run of another network to train from scratch, and says so', async () => {
    const other = await run({ hiddenSize: 12 });
    expect(other.warnings.some((w) => /^Training from scratch, not from the pretrained model: .*size 8, not 12/.test(w))).toBe(true);
    expect(isEncoders(other.model)).toBe(false);
  }, 60_000);

  it('is bundled: it fits the default recipe, within the 2 MB the app allows it', async () => {
    const bundled = join(import.meta.dirname, '../../../assets', PRETRAINED_DIR, ENCODER_FILE);
    expect((await readFile(bundled)).length).toBeLessThanOrEqual(2 * 1024 * 1024);
    const e = await readEncoder(bundled);
    const r = resolveRecipe();
    expect(encoderMismatch(e, { cell: r.cell, inputSize: featureCount(r.features), hiddenSize: r.hiddenSize, layers: r.layers, pooling: r.pooling }, r.features)).toBeNull();
    expect(e.labels.length).toBeGreaterThan(20); // many words: what it lends is telling words apart
  });
});
