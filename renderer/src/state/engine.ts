// The app's connection to the engine and the project's data it lists (clips, labels,
// models), shared by every screen through provide/inject. One instance, made by App.vue.

import { inject, provide, ref, shallowRef, type InjectionKey } from 'vue';
import { connectEngine, type EngineConnection } from '../bridge';
import { gaveUpReason } from '../../../app/shared/engine-connection.js';
import { createTrainingState, type TrainingState } from './training';
import type { EngineClient } from '../../../app/shared/client.js';
import type { BackgroundInfo, ClipInfo, EngineInfo, ModelInfo } from '../../../app/shared/protocol.js';

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
  const backgrounds = shallowRef<BackgroundInfo[]>([]);
  let connection: EngineConnection | null = null;

  async function refreshClips(): Promise<void> {
    if (!client.value) return;
    const [c, l] = await Promise.all([client.value.call('dataset.clips'), client.value.call('dataset.labels')]);
    clips.value = c;
    labels.value = l;
  }

  async function refreshBackgrounds(): Promise<void> {
    if (!client.value) return;
    backgrounds.value = await client.value.call('dataset.backgrounds');
  }

  async function refreshModels(): Promise<void> {
    if (!client.value) return;
    models.value = await client.value.call('models.list');
  }

  /** Opens (or creates) the project and lists what the UI shows. */
  async function openProject(c: EngineClient): Promise<void> {
    info.value = await c.call('engine.info');
    const projects = await c.call('project.list');
    const name = project.value || projects[0]?.name || DEFAULT_PROJECT;
    const opened = await c.call('project.open', { name, create: !projects.some((p) => p.name === name) });
    project.value = opened.name;
    clips.value = opened.clips;
    labels.value = opened.labels;
    backgrounds.value = await c.call('dataset.backgrounds');
  }

  function listen(c: EngineClient): void {
    c.on('models.changed', () => { void refreshModels(); });
    c.on('host.engine-restarted', (e) => {
      if (e.gaveUp) { status.value = 'lost'; client.value = null; problem.value = gaveUpReason(e); return; }
      // The host restarted the engine behind the same connection: open the project again.
      void openProject(c).then(refreshModels).catch((err: unknown) => { problem.value = String(err); });
    });
  }

  async function connect(): Promise<void> {
    status.value = 'connecting';
    try {
      connection = await connectEngine();
      if (!connection) { status.value = 'absent'; return; }
      const c = connection.client;
      connection.onClose((reason) => { status.value = 'lost'; client.value = null; problem.value = reason; });
      connection.onReplaced((fresh) => {
        // Electron restarted the engine and handed over a new port.
        listen(fresh);
        void openProject(fresh).then(() => { client.value = fresh; return refreshModels(); })
          .catch((err: unknown) => { status.value = 'lost'; problem.value = String(err); });
      });
      listen(c);
      await openProject(c);
      client.value = c;
      status.value = 'connected';
      await refreshModels();
    } catch (e) {
      status.value = 'lost';
      client.value = null;
      problem.value = e instanceof Error ? e.message : String(e);
    }
  }

  /** Electron's folder dialog, or null in a browser (there the page picks files itself). */
  const pickImportFolder = () => connection?.pickImportFolder ?? null;

  return { status, problem, client, info, project, clips, labels, models, backgrounds, connect, refreshClips, refreshModels, refreshBackgrounds, pickImportFolder };
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
