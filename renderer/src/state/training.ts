// The training job the UI follows, and the Train form, kept outside the Train screen so
// the curves, the report and the user's choices survive switching screens. Listens to
// the engine's training events.

import { ref, shallowRef, watch, type Ref } from 'vue';
import type { EngineClient } from '../../../app/shared/client.js';
import type { ModelInfo, ModelReport, WireError } from '../../../app/shared/protocol.js';
import { isWord } from '../labels.js';
import type { CellKind } from '../../../core/nn/layer.js';
import { DEFAULT_CELL, RECIPE_OPTIONS } from '../../../core/kws/options.js';

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export type JobState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** What the training state uses of the engine state (engine.ts). */
export interface TrainingEngine {
  readonly client: Readonly<Ref<EngineClient | null>>;
  readonly labels: Readonly<Ref<string[]>>;
  refreshModels(): Promise<void>;
}

export function createTrainingState(engine: TrainingEngine) {
  const jobId = ref<string | null>(null);
  const state = ref<JobState>('idle');
  const epochs = shallowRef<EpochPoint[]>([]);
  const totalEpochs = ref(0);
  const step = ref<{ epoch: number; loss: number; accuracy: number } | null>(null);
  const resumable = ref(false);
  const error = shallowRef<WireError | null>(null);
  const model = shallowRef<ModelInfo | null>(null);
  const report = shallowRef<ModelReport | null>(null);
  /** Why a finished run has no report (nothing could be held out), or null. */
  const notMeasured = ref<string | null>(null);
  let unsubscribe: Array<() => void> = [];

  // The Train form. Words: every word at first; later, a new word is ticked and a word
  // the user unticked stays unticked.
  const form = {
    cell: ref<CellKind>(DEFAULT_CELL),
    hiddenSize: ref<number>(RECIPE_OPTIONS.hiddenSize.default),
    layers: ref<number>(RECIPE_OPTIONS.layers.default),
    epochs: ref<number>(RECIPE_OPTIONS.epochs.default),
    /** Start from the pretrained model (the engine's default); off: from scratch. */
    pretrained: ref(true),
    words: ref<string[]>([]),
  };
  watch(engine.labels, (labels, before) => {
    const known = new Set(before ?? []);
    const ticked = new Set(form.words.value);
    form.words.value = labels.filter(isWord).filter((l) => !known.has(l) || ticked.has(l));
  }, { immediate: true });

  watch(engine.client, (client) => {
    for (const u of unsubscribe) u();
    unsubscribe = [];
    if (!client) return;
    unsubscribe = [
      client.on('training.progress', (e) => {
        if (e.jobId !== jobId.value) return;
        const ev = e.event as Record<string, unknown> & { type: string };
        if (ev.type === 'start') totalEpochs.value = Number(ev.epochs) || 0;
        else if (ev.type === 'step') step.value = { epoch: Number(ev.epoch), loss: Number(ev.loss), accuracy: Number(ev.accuracy) };
        else if (ev.type === 'epoch') {
          epochs.value = [...epochs.value, {
            epoch: Number(ev.epoch), trainLoss: Number(ev.trainLoss), trainAccuracy: Number(ev.trainAccuracy),
            valLoss: ev.valLoss == null ? null : Number(ev.valLoss), valAccuracy: ev.valAccuracy == null ? null : Number(ev.valAccuracy),
          }];
        }
      }),
      client.on('training.done', (e) => {
        if (e.jobId !== jobId.value) return;
        state.value = 'done';
        model.value = e.model;
        report.value = e.report;
        notMeasured.value = e.notMeasured;
        void engine.refreshModels();
      }),
      client.on('training.cancelled', (e) => {
        if (e.jobId !== jobId.value) return;
        state.value = 'cancelled';
        resumable.value = e.resumable;
      }),
      client.on('training.failed', (e) => {
        if (e.jobId !== jobId.value) return;
        state.value = 'failed';
        error.value = e.error;
      }),
    ];
  }, { immediate: true });

  function begin(id: string): void {
    jobId.value = id;
    state.value = 'running';
    epochs.value = [];
    step.value = null;
    error.value = null;
    model.value = null;
    report.value = null;
    notMeasured.value = null;
    resumable.value = false;
  }

  return { jobId, state, epochs, totalEpochs, step, resumable, error, model, report, notMeasured, form, begin };
}

export type TrainingState = ReturnType<typeof createTrainingState>;
