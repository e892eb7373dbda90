// The Train form in the training state (renderer/src/state/training.ts): it outlives the
// Train screen, starts with every word ticked, ticks words that appear later, keeps the
// user's unticked words unticked, and drops words that are gone. A finished run's model
// (active, as the engine makes it) and report are kept for the Train screen.
import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, shallowRef } from 'vue';
import { createTrainingState, type TrainingEngine } from '../../renderer/src/state/training.js';
import type { EngineClient } from '../../app/shared/client.js';
import type { ModelInfo } from '../../app/shared/protocol.js';
import { DEFAULT_RECIPE } from '../../core/kws/recipe.js';

function setup() {
  const labels = shallowRef<string[]>(['yes', 'no']);
  const engine: TrainingEngine = { client: shallowRef(null), labels, refreshModels: async () => undefined };
  const scope = effectScope();
  const training = scope.run(() => createTrainingState(engine))!;
  return { labels, training, scope };
}

describe('the Train form', () => {
  it('starts with the recipe\'s defaults and every word ticked', () => {
    const { training, scope } = setup();
    expect(training.form.cell.value).toBe(DEFAULT_RECIPE.cell);
    expect(training.form.hiddenSize.value).toBe(DEFAULT_RECIPE.hiddenSize);
    expect(training.form.layers.value).toBe(DEFAULT_RECIPE.layers);
    expect(training.form.epochs.value).toBe(DEFAULT_RECIPE.epochs);
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

describe('a finished run in the training state', () => {
  it('keeps the model the engine made active and its report, and lists the models again', async () => {
    const handlers = new Map<string, (e: unknown) => void>();
    const client = { on: (type: string, h: (e: unknown) => void) => { handlers.set(type, h); return () => handlers.delete(type); } } as unknown as EngineClient;
    let refreshed = 0;
    const engine: TrainingEngine = { client: shallowRef(client), labels: shallowRef(['yes']), refreshModels: async () => { refreshed++; } };
    const scope = effectScope();
    const training = scope.run(() => createTrainingState(engine))!;
    training.begin('job-2');
    const model = { id: 'm-2', name: 'second', active: true, training: { epochs: 12, maxEpochs: 30, keptEpoch: 9 } } as ModelInfo;
    handlers.get('training.done')!({ type: 'training.done', jobId: 'job-1', model, report: null, notMeasured: 'stale' });
    expect(training.state.value).toBe('running'); // another job's event
    handlers.get('training.done')!({ type: 'training.done', jobId: 'job-2', model, report: null, notMeasured: 'Not measured: too few takes.' });
    await nextTick();
    expect(training.state.value).toBe('done');
    expect(training.model.value).toMatchObject({ name: 'second', active: true, training: { keptEpoch: 9 } });
    expect(training.notMeasured.value).toBe('Not measured: too few takes.');
    expect(refreshed).toBe(1);
    scope.stop();
  });
});
