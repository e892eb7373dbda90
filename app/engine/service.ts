// The engine service: one per engine process, serving every connected UI channel. It owns
// the open project (its dataset store and model library), the training jobs and the live
// detector, and turns them into the protocol's handlers. Hosts (Electron's utility
// process, the Node child of `npm run serve`, tests) construct it with a data folder and
// connect channels to it; nothing here knows which host it runs under.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { HarkError } from '../../core/errors.js';
import { openDataset, type ClipEntry, type Dataset } from '../node/dataset/store.js';
import { ModelLibrary } from './model-library.js';
import { listProjects, projectDir, type OpenProject } from './projects.js';
import { importUploadedWavs } from './wav-upload.js';
import { serveChannel, type EngineHandlers, type ServedChannel } from './rpc-server.js';
import { TrainingJobs } from './training-jobs.js';
import { EngineServiceError } from './service-error.js';
import { LiveSession } from './live-session.js';
import type { MessageChannelLike } from '../shared/channel.js';
import { ERROR_CODES, PROTOCOL_VERSION, SAMPLE_RATE, type ClipEnvelope, type ClipInfo, type EngineEvent, type HostKind } from '../shared/protocol.js';
import { peakEnvelope } from '../shared/envelope.js';


export interface EngineServiceOptions {
  /** Root of all projects (Electron: the user-data folder; serve: --data). */
  dataDir: string;
  host: HostKind;
  version: string;
}

const toClipInfo = (e: ClipEntry): ClipInfo => ({ ...e });
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class EngineService {
  private project: OpenProject | null = null;
  private readonly channels = new Set<ServedChannel>();
  /** Folders the host (not the UI) allowed for import, by opaque grant id. */
  private readonly grants = new Map<string, string>();
  readonly training: TrainingJobs;
  readonly live: LiveSession;

  constructor(readonly options: EngineServiceOptions) {
    this.training = new TrainingJobs(() => this.requireProject(), (e) => this.emit(e));
    this.live = new LiveSession(() => this.requireProject(), (e) => this.emit(e));
  }

  /** Serves one UI channel until it closes. */
  connect(channel: MessageChannelLike): ServedChannel {
    const served = serveChannel(channel, this.handlers, { publicMessage: (m) => this.relativePaths(m) });
    this.channels.add(served);
    return {
      emit: served.emit,
      close: () => {
        this.channels.delete(served);
        served.close();
      },
    };
  }

  emit(event: EngineEvent): void {
    for (const channel of this.channels) channel.emit(event);
    // Every change of the models (a finished training run, activate, import, delete) is
    // announced this way: a running live session follows the active model.
    // Its failures reach the page as 'live.switchFailed'; nothing of it may reject unhandled.
    if (event.type === 'models.changed') void this.live.followActiveModel().catch(() => undefined);
  }

  /**
   * A message for the page with no absolute path of this machine in it: a path inside the
   * open dataset becomes relative to it (`yes/alice_nohash_0.wav`), inside the project
   * relative to the project (`models/…/model.hark`), inside the data folder relative to
   * that; a granted folder is named by its last segment. The roots themselves are named.
   */
  relativePaths(message: string): string {
    const roots: Array<[string, string]> = [];
    if (this.project) roots.push([this.project.dataset.root, 'the dataset'], [this.project.dir, `the project ${this.project.name}`]);
    for (const folder of this.grants.values()) roots.push([folder, path.basename(folder)]);
    roots.push([this.options.dataDir, 'the data folder']);
    let out = message;
    // Deepest first, so a path is made relative to the nearest root that holds it.
    for (const [root, name] of roots.map(([r, n]): [string, string] => [path.resolve(r), n]).sort((a, b) => b[0].length - a[0].length)) {
      const at = escapeRegExp(root);
      // Under the root: drop the root. The root itself (then an end, a space, quote or
      // punctuation, never more of a name): name it.
      out = out.replace(new RegExp(`${at}${escapeRegExp(path.sep)}+`, 'g'), '').replace(new RegExp(`${at}(?=$|[\\s'"\`:,;)\\]]|\\.(?!\\w))`, 'g'), name);
    }
    return out;
  }

  /** Called by the host only (e.g. after Electron's folder dialog): an id the UI may import from. */
  grantFolder(folder: string): string {
    if (!path.isAbsolute(folder)) throw new EngineServiceError(ERROR_CODES.notAllowed, 'a granted folder must be absolute');
    const id = randomBytes(12).toString('hex');
    this.grants.set(id, folder);
    return id;
  }

  async shutdown(): Promise<void> {
    await this.training.cancelAll();
    await this.live.stop();
    await this.closeProject();
    for (const channel of this.channels) channel.close();
    this.channels.clear();
  }

  requireProject(): OpenProject {
    if (!this.project) throw new EngineServiceError(ERROR_CODES.noProject, 'no project is open (call project.open first)');
    return this.project;
  }

  private async closeProject(): Promise<void> {
    const project = this.project;
    if (!project) return;
    await this.live.stop();
    await this.training.cancelAll();
    this.project = null;
    await project.dataset.close();
  }

  readonly handlers: EngineHandlers = {
    'engine.info': () => ({
      protocol: PROTOCOL_VERSION,
      version: this.options.version,
      host: this.options.host,
      engines: ['typescript', 'onnxruntime'],
      pid: process.pid,
    }),

    'project.list': async () => (await listProjects(this.options.dataDir)).map((name) => ({ name })),
    'project.open': async ({ name, create }) => {
      const dir = projectDir(this.options.dataDir, name);
      if (this.project?.name === name) {
        const { dataset } = this.project;
        return { name, clips: dataset.clips().map(toClipInfo), labels: dataset.labels(), recovery: [] };
      }
      if (this.training.running()) throw new EngineServiceError(ERROR_CODES.busy, 'a training run is in progress; cancel it first');
      await this.closeProject();
      let dataset: Dataset;
      try {
        dataset = await openDataset(path.join(dir, 'dataset'), { create: create ?? false });
      } catch (err) {
        if (err instanceof HarkError) throw err;
        throw new EngineServiceError(ERROR_CODES.notFound, `no project ${JSON.stringify(name)}`, { cause: err });
      }
      let opened: Awaited<ReturnType<typeof ModelLibrary.open>>;
      try {
        opened = await ModelLibrary.open(path.join(dir, 'models'));
      } catch (err) {
        await dataset.close(); // or this process keeps the dataset locked
        throw err;
      }
      const { library: models, recovery } = opened;
      this.project = { name, dir, dataset, models };
      return {
        name,
        clips: dataset.clips().map(toClipInfo),
        labels: dataset.labels(),
        recovery: [...dataset.recovery.map((r) => ({ ...r })), ...recovery.map((r) => ({ ...r, path: `models/${r.path}` }))],
      };
    },
    'project.close': () => this.closeProject(),

    'dataset.clips': () => this.requireProject().dataset.clips().map(toClipInfo),
    'dataset.labels': () => this.requireProject().dataset.labels(),
    'dataset.addClip': async ({ label, speaker, samples }) => toClipInfo(await this.requireProject().dataset.addClip(label, speaker, samples, 'recorded')),
    'dataset.relabel': async ({ path: clip, label }) => toClipInfo(await this.requireProject().dataset.relabel(clip, label)),
    'dataset.deleteClip': async ({ path: clip }) => ({ trashed: await this.requireProject().dataset.deleteClip(clip) }),
    'dataset.restoreClip': async ({ trashed }) => toClipInfo(await this.requireProject().dataset.restoreClip(trashed)),
    'dataset.addBackground': async ({ name, samples }) => ({ path: await this.requireProject().dataset.addBackground(name, samples) }),
    'dataset.readClip': async ({ path: clip }) => ({
      path: clip,
      sampleRate: SAMPLE_RATE,
      samples: await this.requireProject().dataset.readClip(clip),
    }),
    'dataset.clipEnvelopes': async ({ paths }) => {
      const { dataset } = this.requireProject();
      const out: ClipEnvelope[] = [];
      for (const clip of paths) {
        try {
          out.push({ path: clip, peaks: peakEnvelope(await dataset.readClip(clip)) });
        } catch (err) {
          // A thumbnail is best effort: a clip gone since the list was drawn, or unreadable, is left out.
          if (!(err instanceof HarkError)) throw err;
        }
      }
      return out;
    },
    'dataset.backgrounds': () => this.requireProject().dataset.backgrounds(),
    'dataset.readBackground': async ({ path: file }) => ({
      path: file,
      sampleRate: SAMPLE_RATE,
      samples: await this.requireProject().dataset.readBackground(file),
    }),
    'dataset.deleteBackground': async ({ path: file }) => ({ trashed: await this.requireProject().dataset.deleteBackground(file) }),
    'dataset.restoreBackground': ({ trashed }) => this.requireProject().dataset.restoreBackground(trashed),
    'dataset.importWavs': async ({ files, label, speaker }) => {
      const result = await importUploadedWavs(this.requireProject().dataset, files, { label, speaker });
      return { ...result, imported: result.imported.map(toClipInfo) };
    },
    'dataset.importFolder': async ({ grant }) => {
      const folder = this.grants.get(grant);
      if (folder === undefined) throw new EngineServiceError(ERROR_CODES.notAllowed, 'that folder was not granted by the host');
      const result = await this.requireProject().dataset.importFolder(folder);
      return { ...result, imported: result.imported.map(toClipInfo) };
    },

    'training.start': (params) => this.training.start(params),
    'training.cancel': ({ jobId }) => this.training.cancel(jobId),
    'training.resume': ({ jobId }) => this.training.resume(jobId),
    'training.list': () => this.training.list(),

    'models.list': () => this.requireProject().models.list(),
    'models.activate': async ({ id }) => {
      const info = await this.requireProject().models.activate(id);
      this.emit({ type: 'models.changed' });
      return info;
    },
    'models.rename': async ({ id, name }) => {
      const info = await this.requireProject().models.rename(id, name);
      this.emit({ type: 'models.changed' });
      return info;
    },
    'models.delete': async ({ id }) => {
      await this.requireProject().models.delete(id);
      this.emit({ type: 'models.changed' });
    },
    'models.report': ({ id }) => this.requireProject().models.report(id),
    'models.exportOnnx': async ({ id }) => {
      const { models } = this.requireProject();
      const info = (await models.list()).find((m) => m.id === id);
      const bytes = await models.onnxBytes(id);
      const stem = (info?.name ?? id).replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '') || id;
      return { fileName: `${stem}.onnx`, bytes };
    },
    'models.import': async ({ name, bytes, fileName }) => {
      const info = await this.requireProject().models.importBytes(name, bytes, fileName);
      this.emit({ type: 'models.changed' });
      return info;
    },

    'live.start': (params) => this.live.start(params),
    'live.pushFrames': ({ frames, count, session }) => this.live.pushFrames(frames, count, session),
    'live.pushAudio': ({ samples }) => this.live.pushAudio(samples),
    'live.setOptions': ({ options }) => this.live.setOptions(options),
    'live.setPosteriors': ({ enabled }) => this.live.setPosteriors(enabled),
    'live.stop': () => this.live.stop(),
  };
}
