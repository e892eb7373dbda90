// A project's trained and imported models: <project>/models/<id>/ holds
//   model.hark   the keyword model (core/kws/model-file.ts: weights, labels, feature
//                settings, recipe, history); "export" hands out its ONNX form
//   meta.json    name, creation time, architecture, accuracy, where it came from
//   report.json  the evaluation report (per-class metrics, confusion, misclassified clips)
// and <project>/models/active.json names the active model. Every write is atomic.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { HarkError } from '../../core/errors.js';
import { exportKwsModel, loadKwsModel, modelFormatOf, saveKwsModel } from '../../core/kws/model-file.js';
import type { KwsModel } from '../../core/kws/recipe.js';
import { isTempName, writeFileAtomic } from '../node/dataset/atomic.js';
import type { ModelInfo, ModelReport } from '../shared/protocol.js';
import { trainingRunOf } from '../shared/training-summary.js';

export class ModelLibraryError extends HarkError {}

/**
 * A name Hark gives a model, `<prefix> 2026-12-03 14.05` in local time: a valid model name
 * by construction (the protocol's rename check refuses ':' among path characters, so the
 * time reads with a dot), so Models → Rename → Save works without editing it.
 */
export function defaultModelName(at: Date, prefix: 'Model' | 'Recovered model' = 'Model'): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${prefix} ${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}.${two(at.getMinutes())}`;
}

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

/** A repair made when the library was opened after a crash (one sentence each). */
export interface ModelRecovery {
  code: 'temp-removed' | 'model-recovered' | 'model-removed' | 'model-unreadable' | 'active-cleared';
  path: string;
  message: string;
}

export class ModelLibrary {
  constructor(readonly dir: string) {}

  /**
   * The library after what a crash can leave is repaired: temporary files of interrupted
   * writes are removed; a model folder without meta.json (an add cut short: meta is written
   * last) gets its meta rebuilt from its model file when that loads, and is removed when it
   * does not; an active.json naming a model that is not there is removed. Nothing a user
   * trained is lost if its model file was complete.
   */
  static async open(dir: string): Promise<{ library: ModelLibrary; recovery: ModelRecovery[] }> {
    const library = new ModelLibrary(dir);
    const recovery: ModelRecovery[] = [];
    await mkdir(dir, { recursive: true });
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile() && isTempName(entry.name)) {
        await rm(path.join(dir, entry.name), { force: true });
        recovery.push({ code: 'temp-removed', path: entry.name, message: `removed ${entry.name}, left by an interrupted write` });
      }
      if (!entry.isDirectory() || !ID.test(entry.name)) continue;
      const modelDir = path.join(dir, entry.name);
      for (const f of await readdir(modelDir)) {
        if (!isTempName(f)) continue;
        await rm(path.join(modelDir, f), { force: true });
        recovery.push({ code: 'temp-removed', path: `${entry.name}/${f}`, message: `removed ${entry.name}/${f}, left by an interrupted write` });
      }
      if (await library.readMeta(entry.name).then(() => true, () => false)) continue;
      recovery.push(await library.repair(entry.name));
    }
    const active = await library.activeId();
    if (active !== null && !(await library.readMeta(active).then(() => true, () => false))) {
      await rm(path.join(dir, ACTIVE_FILE), { force: true });
      recovery.push({ code: 'active-cleared', path: ACTIVE_FILE, message: `the active model ${active} is not there any more: no model is active` });
    }
    return { library, recovery };
  }

  /** A model folder without meta.json: its meta rebuilt from the model file, or the folder removed. */
  private async repair(id: string): Promise<ModelRecovery> {
    const dir = this.modelDir(id);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path.join(dir, MODEL_FILE)));
    } catch {
      // No model file (only what the interrupted add made before it): nothing to keep.
      await rm(dir, { recursive: true, force: true });
      return { code: 'model-removed', path: id, message: `removed ${id}: its training or import was interrupted before the model was saved` };
    }
    let model: KwsModel;
    try {
      model = loadKwsModel(bytes);
    } catch (err) {
      // A model file that does not load now is left where it is: never delete what may be someone's model.
      return { code: 'model-unreadable', path: id, message: `${id} has a model file but no description, and the file does not load (${(err as Error).message}); it is left in place and not listed` };
    }
    const report = await this.readReport(id);
    const createdAt = (await stat(path.join(dir, MODEL_FILE))).mtime.toISOString();
    const meta: Meta = {
      id, name: defaultModelName(new Date(createdAt), 'Recovered model'), createdAt, labels: model.labels,
      cell: model.model.config.cell, hiddenSize: model.model.config.hiddenSize, layers: model.model.config.layers,
      accuracy: report?.accuracy ?? null, source: model.history.length > 0 ? 'trained' : 'imported',
      // The model file does not keep which epoch early stopping chose: not known any more.
      training: null,
    };
    await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta));
    return { code: 'model-recovered', path: id, message: `recovered ${id} (its save was interrupted after the model was written) as "${meta.name}"` };
  }

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
      // An imported file's history (if any) is another run's, and says nothing of the epoch it kept.
      training: m.source === 'trained' ? trainingRunOf(m.model) : null,
    };
    // meta.json last: a model folder without it is an interrupted add and is not listed.
    await writeFileAtomic(path.join(dir, META_FILE), JSON.stringify(meta));
    return { ...meta, active: (await this.activeId()) === id };
  }

  /**
   * Adds a model file from outside, .hark or .onnx (loadKwsModel treats both as hostile:
   * bounded sizes, CRC, operator allow-list, each refusal a typed error). A refusal keeps
   * its code and says, naming the file (`fileName`, else the model's name), that nothing
   * was imported; the refusal itself is its cause.
   */
  async importBytes(name: string, bytes: Uint8Array, fileName?: string): Promise<ModelInfo> {
    let model: KwsModel;
    try {
      model = loadKwsModel(bytes);
    } catch (err) {
      if (!(err instanceof HarkError)) throw err;
      const kind = modelFormatOf(bytes) === 'hark' ? 'a .hark model' : 'an ONNX model';
      throw new ModelLibraryError(err.code, `${fileName ?? `“${name}”`} is not ${kind} Hark can read (${err.message}); nothing was imported.`, { cause: err });
    }
    return this.add({ name, source: 'imported', model });
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
    return this.readReport(id);
  }

  private async readReport(id: string): Promise<ModelReport | null> {
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
      const meta = JSON.parse(await readFile(path.join(this.modelDir(id), META_FILE), 'utf8')) as Omit<Meta, 'training'> & { training?: Meta['training'] };
      // Saved before the run was recorded.
      return { ...meta, training: meta.training ?? null };
    } catch (err) {
      if (err instanceof ModelLibraryError) throw err;
      throw new ModelLibraryError('not-found', `no model ${JSON.stringify(id)}`);
    }
  }
}
