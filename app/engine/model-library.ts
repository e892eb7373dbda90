// A project's trained and imported models: <project>/models/<id>/ holds
//   model.hark   the keyword model (core/kws/model-file.ts: weights, labels, feature
//                settings, recipe, history); "export" hands out its ONNX form
//   meta.json    name, creation time, architecture, accuracy, where it came from
//   report.json  the evaluation report (per-class metrics, confusion, misclassified clips)
// and <project>/models/active.json names the active model. Every write is atomic.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { HarkError } from '../../core/errors.js';
import { exportKwsModel, loadKwsModel, saveKwsModel } from '../../core/kws/model-file.js';
import type { KwsModel } from '../../core/kws/recipe.js';
import { writeFileAtomic } from './dataset/atomic.js';
import type { ModelInfo, ModelReport } from '../shared/protocol.js';

export class ModelLibraryError extends HarkError {}

type Meta = Omit<ModelInfo, 'active'>;

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MODEL_FILE = 'model.hark';
const META_FILE = 'meta.json';
const REPORT_FILE = 'report.json';
const ACTIVE_FILE = 'active.json';

export interface NewModel {
  name: string;
  source: ModelInfo['source'];
  model: KwsModel;
  report?: ModelReport;
}

export class ModelLibrary {
  constructor(readonly dir: string) {}

  async list(): Promise<ModelInfo[]> {
    await mkdir(this.dir, { recursive: true });
    const active = await this.activeId();
    const out: ModelInfo[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !ID.test(entry.name)) continue;
      const meta = await this.readMeta(entry.name).catch(() => null);
      if (meta) out.push({ ...meta, active: meta.id === active });
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async add(m: NewModel): Promise<ModelInfo> {
    const id = `m-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const dir = this.modelDir(id);
    await mkdir(dir, { recursive: true });
    const bytes = saveKwsModel(m.model);
    await writeFileAtomic(path.join(dir, MODEL_FILE), bytes);
    if (m.report) await writeFileAtomic(path.join(dir, REPORT_FILE), JSON.stringify(m.report));
    const meta: Meta = {
      id,
      name: m.name,
      createdAt: new Date().toISOString(),
      labels: m.model.labels,
      cell: m.model.model.config.cell,
      hiddenSize: m.model.model.config.hiddenSize,
      layers: m.model.model.config.layers,
      accuracy: m.report?.accuracy ?? null,
      source: m.source,
    };
    // meta.json last: a model folder without it is an interrupted add and is not listed.
    await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta));
    return { ...meta, active: (await this.activeId()) === id };
  }

  /**
   * Adds a model file from outside, .hark or .onnx (loadKwsModel treats both as hostile:
   * bounded sizes, CRC, operator allow-list, each refusal a typed error).
   */
  async importBytes(name: string, bytes: Uint8Array): Promise<ModelInfo> {
    return this.add({ name, source: 'imported', model: loadKwsModel(bytes) });
  }

  async activate(id: string): Promise<ModelInfo> {
    const meta = await this.readMeta(id);
    await writeFileAtomic(path.join(this.dir, ACTIVE_FILE), JSON.stringify({ id }));
    return { ...meta, active: true };
  }

  async rename(id: string, name: string): Promise<ModelInfo> {
    const meta = { ...(await this.readMeta(id)), name };
    await writeFileAtomic(path.join(this.modelDir(id), META_FILE), JSON.stringify(meta));
    return { ...meta, active: (await this.activeId()) === id };
  }

  async delete(id: string): Promise<void> {
    await this.readMeta(id);
    if ((await this.activeId()) === id) await rm(path.join(this.dir, ACTIVE_FILE), { force: true });
    await rm(this.modelDir(id), { recursive: true, force: true });
  }

  async report(id: string): Promise<ModelReport | null> {
    await this.readMeta(id);
    try {
      const report = JSON.parse(await readFile(path.join(this.modelDir(id), REPORT_FILE), 'utf8')) as Omit<ModelReport, 'split'> & { split: string };
      // Reports saved before measuredOn existed could be on the training clips: those were never a test.
      if (report.split !== 'testing' && report.split !== 'validation') return null;
      return { ...report, split: report.split, measuredOn: report.measuredOn ?? null };
    } catch {
      return null;
    }
  }

  /** The model as ONNX (labels and feature settings in its metadata). */
  async onnxBytes(id: string): Promise<Uint8Array> {
    return exportKwsModel((await this.load(id)).model);
  }

  async load(id: string): Promise<{ model: KwsModel; info: Meta }> {
    const info = await this.readMeta(id);
    const bytes = new Uint8Array(await readFile(path.join(this.modelDir(id), MODEL_FILE)));
    return { model: loadKwsModel(bytes), info };
  }

  async activeId(): Promise<string | null> {
    try {
      const { id } = JSON.parse(await readFile(path.join(this.dir, ACTIVE_FILE), 'utf8')) as { id?: unknown };
      return typeof id === 'string' && ID.test(id) ? id : null;
    } catch {
      return null;
    }
  }

  private modelDir(id: string): string {
    if (!ID.test(id)) throw new ModelLibraryError('not-found', `no model ${JSON.stringify(id)}`);
    return path.join(this.dir, id);
  }

  private async readMeta(id: string): Promise<Meta> {
    try {
      return JSON.parse(await readFile(path.join(this.modelDir(id), META_FILE), 'utf8')) as Meta;
    } catch (err) {
      if (err instanceof ModelLibraryError) throw err;
      throw new ModelLibraryError('not-found', `no model ${JSON.stringify(id)}`);
    }
  }
}
