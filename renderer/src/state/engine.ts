// The app's connection to the engine and the project's data it lists (clips, labels,
// models), shared by every screen through provide/inject. One instance, made by App.vue.

import { inject, provide, ref, shallowRef, type InjectionKey } from 'vue';
import { connectEngine, type EngineConnection } from '../bridge';
import { createTrainingState, type TrainingState } from './training';
import type { EngineClient } from '../../../app/shared/client.js';
import type { ClipInfo, EngineInfo, ModelInfo } from '../../../app/shared/protocol.js';

export type EngineStatus = 'connecting' | 'connected' | 'absent' | 'lost';

export const DEFAULT_PROJECT = 'My words';

export function createEngineState() {
  const status = ref<EngineStatus>('connecting');
  const problem = ref('');
  const client = shallowRef<EngineClient | null>(null);
  const info = shallowRef<EngineInfo | null>(null);
  const project = ref('');
  const clips = shallowRef<ClipInfo[]>([]);
  const labels = shallowRef<string[]>([]);
  const models = shallowRef<ModelInfo[]>([]);
  let connection: EngineConnection | null = null;

  async function refreshClips(): Promise<void> {
    if (!client.value) return;
    const [c, l] = await Promise.all([client.value.call('dataset.clips'), client.value.call('dataset.labels')]);
    clips.value = c;
    labels.value = l;
  }

  async function refreshModels(): Promise<void> {
    if (!client.value) return;
    models.value = await client.value.call('models.list');
  }

  async function connect(): Promise<void> {
    status.value = 'connecting';
    try {
      connection = await connectEngine();
    } catch (e) {
      status.value = 'lost';
      problem.value = e instanceof Error ? e.message : String(e);
      return;
    }
    if (!connection) { status.value = 'absent'; return; }
    const c = connection.client;
    connection.onClose(() => { status.value = 'lost'; client.value = null; problem.value = 'The connection to the engine was lost.'; });
    c.on('models.changed', () => { void refreshModels(); });
    info.value = await c.call('engine.info');
    const projects = await c.call('project.list');
    const name = projects[0]?.name ?? DEFAULT_PROJECT;
    const opened = await c.call('project.open', { name, create: projects.length === 0 });
    project.value = opened.name;
    clips.value = opened.clips;
    labels.value = opened.labels;
    client.value = c;
    status.value = 'connected';
    await refreshModels();
  }

  return { status, problem, client, info, project, clips, labels, models, connect, refreshClips, refreshModels };
}

export type EngineState = ReturnType<typeof createEngineState>;
const KEY: InjectionKey<EngineState> = Symbol('hark-engine');
const TRAINING: InjectionKey<TrainingState> = Symbol('hark-training');

export function provideEngine(state: EngineState): void {
  provide(KEY, state);
  provide(TRAINING, createTrainingState(state));
}

export function useTraining(): TrainingState {
  const state = inject(TRAINING);
  if (!state) throw new Error('useTraining() outside the app');
  return state;
}

export function useEngine(): EngineState {
  const state = inject(KEY);
  if (!state) throw new Error('useEngine() outside the app');
  return state;
}
