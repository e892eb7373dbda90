// `hark train --hidden` (and compare's) within what can listen live: a size whose model the
// loader would refuse as too slow is a usage error at once, before the folder is read, with
// the most that fits for the chosen cell and depth — the same bound trainModel checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../../core/kws/recipe.js';
import { maxLiveHiddenSize } from '../../../app/node/keyword-training.js';
import { expectOneLineError, hark, removeAll, tempDir } from './helpers.js';

const dirs: string[] = [];
let dir: string;
beforeAll(async () => { dir = await tempDir('hark-cli-hidden-', dirs); });
afterAll(() => removeAll(dirs));
const most = (cell: 'lstm' | 'gru', layers: number): number => maxLiveHiddenSize({ cell, layers, features: DEFAULT_RECIPE.features }, 3);

describe('hark train --hidden', () => {
  it('refuses 512 units, saying how many fit', async () => {
    expect(most('lstm', 1)).toBeLessThan(512);
    const r = await hark(['train', 'data', '--out', 'm.hark', '--hidden', '512'], { cwd: dir });
    expectOneLineError(r, 2, new RegExp(`^hark: --hidden must be at most ${most('lstm', 1)} with 1 lstm layer: a larger network is too slow to listen live`));
  });

  it('refuses 256 units × 3 layers, and the limit follows the cell and the depth', async () => {
    expect(most('lstm', 3)).toBeLessThan(256);
    const r = await hark(['train', 'data', '--out', 'm.hark', '--hidden', '256', '--layers', '3'], { cwd: dir });
    expectOneLineError(r, 2, new RegExp(`^hark: --hidden must be at most ${most('lstm', 3)} with 3 lstm layers`));
    const c = await hark(['compare', 'data', '--hidden', '512'], { cwd: dir });
    expectOneLineError(c, 2, /^hark: --hidden must be at most/);
    // The most a gru may have is taken: the run goes on to read the (missing) folder.
    const g = await hark(['train', 'data', '--out', 'm.hark', '--cell', 'gru', '--hidden', String(most('gru', 1))], { cwd: dir });
    expectOneLineError(g, 1, /^hark: cannot read the folder/);
  });

  it('says in its help how many units fit', async () => {
    const r = await hark(['train', '--help'], { cwd: dir });
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`--hidden N units per recurrent layer; a larger network must still be fast enough to listen live (1–1024 units; default 64; at most ${most('lstm', 1)} with one lstm layer`);
  });
});
