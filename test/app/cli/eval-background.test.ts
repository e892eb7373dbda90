// `hark eval --stream` lays the folder's background recordings under the stream. A
// recording longer than the 600 s the whole-file decoder takes used to be skipped with a
// warning (and read whole first); it is now read a block at a time, only as far as the
// stream reaches.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { saveKwsModel } from '../../../core/kws/model-file.js';
import { resolveRecipe } from '../../../core/kws/recipe.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { hark, removeAll, tempDir } from './helpers.js';

const dirs: string[] = [];
let dir: string;
afterAll(() => removeAll(dirs));

beforeAll(async () => {
  dir = await tempDir('hark-cli-eval-bed-', dirs);
  const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 4, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
  await writeFile(join(dir, 'tiny.hark'), saveKwsModel({ model, labels: ['go', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, history: [], warnings: [], recipe: resolveRecipe() }));
  await mkdir(join(dir, 'set', 'go'), { recursive: true });
  await mkdir(join(dir, 'set', '_background_noise_'), { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(join(dir, 'set', 'go', `s${i}_nohash_0.wav`), encodeWav(new Float32Array(16000).map((_, j) => 0.2 * Math.sin(j / (3 + i))), 16000));
  // 11 minutes of quiet noise at 8 kHz (10.6 MB).
  const noise = new Float32Array(660 * 8000);
  let s = 3;
  for (let i = 0; i < noise.length; i++) { s = (s * 1103515245 + 12345) >>> 0; noise[i] = (s / 2 ** 32 - 0.5) * 0.02; }
  await writeFile(join(dir, 'set', '_background_noise_', 'street.wav'), encodeWav(noise, 8000));
});

describe('hark eval --stream', () => {
  it('uses a background recording longer than 600 s instead of skipping it', async () => {
    const r = await hark(['eval', 'tiny.hark', 'set', '--stream', '0.2', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    const result = JSON.parse(r.stdout) as { clips: number; stream: { hours: number } };
    expect(result.clips).toBe(3);
    expect(result.stream.hours).toBeCloseTo(0.2 / 60, 6);
  }, 60_000);
});
