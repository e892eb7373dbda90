// The Train form in the training state (renderer/src/state/training.ts): it outlives the
// Train screen, starts with every word ticked, ticks words that appear later, keeps the
// user's unticked words unticked, and drops words that are gone.
import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, shallowRef } from 'vue';
import { createTrainingState, type TrainingEngine } from '../../renderer/src/state/training.js';

function setup() {
  const labels = shallowRef<string[]>(['yes', 'no']);
  const engine: TrainingEngine = { client: shallowRef(null), labels, refreshModels: async () => undefined };
  const scope = effectScope();
  const training = scope.run(() => createTrainingState(engine))!;
  return { labels, training, scope };
}

describe('the Train form', () => {
  it('starts with defaults and every word ticked', () => {
    const { training, scope } = setup();
    expect(training.form.cell.value).toBe('lstm');
    expect(training.form.hiddenSize.value).toBe(64);
    expect(training.form.epochs.value).toBe(30);
    expect(training.form.words.value).toEqual(['yes', 'no']);
    scope.stop();
  });

  it('ticks a new word, keeps an unticked word unticked and drops a deleted one', async () => {
    const { labels, training, scope } = setup();
    training.form.words.value = ['yes']; // the user unticked "no"
    labels.value = ['yes', 'no', 'left'];
    await nextTick();
    expect(training.form.words.value).toEqual(['yes', 'left']);
    labels.value = ['no', 'left'];
    await nextTick();
    expect(training.form.words.value).toEqual(['left']);
    scope.stop();
  });

  it('is not reset by a training run', () => {
    const { training, scope } = setup();
    training.form.cell.value = 'gru';
    training.form.hiddenSize.value = 32;
    training.form.epochs.value = 12;
    training.begin('job-1'); // a training run does not reset the form
    expect([training.form.cell.value, training.form.hiddenSize.value, training.form.epochs.value]).toEqual(['gru', 32, 12]);
    scope.stop();
  });
});
