// trainModel checks the live budget before it trains: a network too slow to listen live
// (checkKwsModel refuses it on load, with LOAD_LIVE_SETTING) is refused at once, with a
// typed error saying which setting to lower and how far, instead of training to the end
// and then being refused.
import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { checkLiveBudget } from '../../../core/features/budget.js';
import { featureCount } from '../../../core/features/config.js';
import { LOAD_LIVE_SETTING } from '../../../core/kws/model-file.js';
import { DEFAULT_RECIPE, type KwsRecipe, type KwsTrainEvent } from '../../../core/kws/recipe.js';
import { maxLiveHiddenSize, trainModel } from '../../../app/node/keyword-training.js';
import { toneSet } from '../../core/kws/tones.js';

const train = toneSet(['low', 'high'], 6, 1);
const fast: Partial<KwsRecipe> = { epochs: 1, augment: false, calibrate: false };

/** How trainModel ends for these overrides, and the events it sent before. */
async function outcome(overrides: Partial<KwsRecipe>): Promise<{ code: string; message: string; events: KwsTrainEvent['type'][] }> {
  const events: KwsTrainEvent['type'][] = [];
  try {
    await trainModel({ train, validation: [], background: [] }, { ...fast, ...overrides }, { workers: 0, bundledSpeech: false, onEvent: (e) => events.push(e.type) });
    return { code: 'trained', message: '', events };
  } catch (err) {
    return { code: err instanceof HarkError ? err.code : 'untyped', message: (err as Error).message, events };
  }
}

describe('trainModel and the live budget', () => {
  it('refuses --hidden 512 before preparing a single example, saying how many units fit', async () => {
    const r = await outcome({ hiddenSize: 512 });
    expect(r.code).toBe('too-slow');
    expect(r.events).toEqual([]);
    const max = maxLiveHiddenSize({ ...DEFAULT_RECIPE, layers: 1 }, 4);
    expect(r.message).toMatch(new RegExp(`too slow to listen live.*Lower hiddenSize \\(hark train --hidden\\) to at most ${max}`));
  }, 120_000);

  it('refuses 256 units × 3 layers, offering fewer units or fewer layers', async () => {
    const r = await outcome({ hiddenSize: 256, layers: 3 });
    expect(r.code).toBe('too-slow');
    expect(r.events).toEqual([]);
    const three = maxLiveHiddenSize({ ...DEFAULT_RECIPE, layers: 3 }, 4), one = maxLiveHiddenSize({ ...DEFAULT_RECIPE, layers: 1 }, 4);
    expect(three).toBeLessThan(256);
    expect(r.message).toContain(`to at most ${three} with 3 layers, or use fewer layers (--layers; ${one} units fit in one)`);
  }, 120_000);

  it('the largest it allows is exactly what the loader accepts, for every cell and depth', () => {
    const F = featureCount(DEFAULT_RECIPE.features);
    for (const cell of ['lstm', 'peephole', 'cifg', 'gru'] as const) {
      for (const layers of [1, 2, 3]) {
        const max = maxLiveHiddenSize({ cell, layers, features: DEFAULT_RECIPE.features }, 4);
        const shape = (hiddenSize: number) => ({ cell, inputSize: F, hiddenSize, layers, classes: 4 });
        expect(() => checkLiveBudget(DEFAULT_RECIPE.features, shape(max), LOAD_LIVE_SETTING), `${cell} ${layers}`).not.toThrow();
        expect(() => checkLiveBudget(DEFAULT_RECIPE.features, shape(max + 1), LOAD_LIVE_SETTING), `${cell} ${layers}`).toThrow(/too slow/);
      }
    }
  });

  it('trains a network within the budget as before', async () => {
    const r = await outcome({ hiddenSize: 8 });
    expect(r.code).toBe('trained');
    expect(r.events).toContain('epoch');
  }, 120_000);
});
