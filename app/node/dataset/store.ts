// The dataset store, shared by the CLI and the app's engine.
//
// A dataset is a folder in the Speech Commands layout (read by ../speech-commands.ts):
//
//   <label>/<speaker>_nohash_<n>.wav     clips (folders starting with '.' or '_' are not labels)
//   _background_noise_/*.wav              background noise (not clips; backgrounds.ts)
//   validation_list.txt, testing_list.txt optional; if present they decide the splits (split.ts)
//   hark-manifest.json                    the index of the clips (manifest.ts)
//   .hark-lock                            the one writer: pid and process start (lock.ts)
//   .hark-trash/                          deleted clips and background recordings, moved here
//                                         (restoreClip / restoreBackground undo a delete; trash.ts)
//   .hark-staging/                        scratch folders of imports in progress (staging.ts)
//
// Any such folder opens, with or without a manifest. Opening takes the lock (a stale lock is
// taken over; a live writer's is a DatasetError 'locked') and repairs what interrupted
// writes left, reconciling the manifest with the disk (recovery.ts); each repair is
// reported in `recovery`. Every write goes through writeFileAtomic or a rename, then the
// manifest is rewritten atomically, so a crash at any point leaves a state the next open
// recovers.
//
// The lock keeps other processes out; within this one, every mutation (clips, background,
// relabel, delete, restore, import, export, the manifest and list files) runs on the
// dataset's WriteQueue, one at a time. An import takes one turn per file (import-folder.ts),
// so a recording made during a long import is not kept waiting for all of it. This file is
// the Dataset that composes the parts: who may change the folder, and when.

import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '../../../core/audio/wav.js';
import { to16k } from '../speech-commands.js';
import { DatasetError } from './atomic.js';
import { backgroundEntry, backgroundFiles, requireBackground, writeBackground, type BackgroundEntry } from './backgrounds.js';
import type { ClipIndex } from './clip-index.js';
import { exportDataset } from './export.js';
import { importFolder, type ImportOptions, type ImportResult } from './import-folder.js';
import { acquireLock, releaseLock } from './lock.js';
import type { ClipEntry, Manifest } from './manifest.js';
import { recoverDataset, type RecoveryNote } from './recovery.js';
import { planSplits, type SplitBasis } from './split.js';
import { makeStagingDir } from './staging.js';
import { restoreBackground, restoreClip, trashBackground, trashClip } from './trash.js';
import { WriteQueue } from './write-queue.js';

// The store's public API, for its many importers: one import for the dataset and its names.
export { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
export { BACKGROUND_DIR, SILENCE_DIR } from '../../../core/kws/labels.js';
export { TRASH_DIR } from '../../shared/protocol.js';
export { OTHER_SPEECH_LABEL } from '../speech-commands.js';
export { DatasetError } from './atomic.js';
export type { BackgroundEntry } from './backgrounds.js';
export type { ImportOptions, ImportResult, Rejection } from './import-folder.js';
export { LOCK_FILE } from './lock.js';
export { MANIFEST_FILE, SCHEMA_VERSION, type ClipEntry, type Manifest } from './manifest.js';
export { MAX_NAME_BYTES } from './names.js';
export type { RecoveryCode, RecoveryNote } from './recovery.js';
export { STAGING_DIR } from './staging.js';

export class Dataset {
  readonly root: string;
  /** What opening repaired: stale lock, crash leftovers, manifest rebuilt, files dropped or added. */
  readonly recovery: RecoveryNote[];
  /** The clips and their manifest: changed only in a turn of the queue. */
  private readonly index: ClipIndex;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The one writer: every change to the folder and the index runs here, one at a time. */
  private readonly queue = new WriteQueue();
  /** Mutations called and not yet finished (close waits for them). */
  private readonly inFlight = new Set<Promise<unknown>>();

  /** @internal use openDataset */
  constructor(index: ClipIndex, recovery: RecoveryNote[]) {
    this.root = index.root;
    this.index = index;
    this.recovery = recovery;
  }

  /**
   * All clips, sorted by path. Every clip the store hands out carries the split a run on
   * every word uses (splitPlan); the manifest keeps the dataset's own.
   */
  clips(): ClipEntry[] {
    return this.splitPlan().clips;
  }

  /** Copies of `entries` with the split a run uses (see clips()). */
  private planned(entries: readonly ClipEntry[]): ClipEntry[] {
    const split = new Map(this.splitPlan().clips.map((c) => [c.path, c.split]));
    return entries.map((e) => ({ ...e, split: split.get(e.path) ?? e.split }));
  }

  /**
   * The split a training run on `words` (default: every label) uses: the dataset's own
   * (list files or the rule by speaker, as the manifest records it) when it gives every
   * word training and held-out clips, else by take within each speaker (split.ts).
   */
  splitPlan(words?: readonly string[]): { basis: SplitBasis; fallback: string | null; clips: ClipEntry[] } {
    const own = this.index.clips();
    const plan = planSplits(own, words, this.index.fromLists);
    return { basis: plan.basis, fallback: plan.fallback, clips: own.map((e, i) => ({ ...e, split: plan.splits[i] })) };
  }

  get(path: string): ClipEntry | undefined {
    const e = this.index.find(path);
    return e ? this.planned([e])[0] : undefined;
  }

  labels(): string[] {
    return this.index.labels();
  }

  manifest(): Manifest {
    return this.index.manifest();
  }

  /** Record a clip: 16 kHz mono samples in [-1, 1], written as 16-bit WAV at the next free `<n>`. */
  addClip(label: string, speaker: string, samples16k: Float32Array, source = 'recorded'): Promise<ClipEntry> {
    return this.mutation(() => this.queue.run(async () => {
      const entry = await this.index.writeClip(label, speaker, samples16k, source);
      await this.index.save();
      return this.planned([entry])[0];
    }));
  }

  /** A clip's audio (16 kHz mono), for playback and training. Only listed clips can be read. */
  async readClip(path: string): Promise<Float32Array> {
    this.checkOpen();
    const entry = this.index.require(path);
    return to16k(decodeWav(new Uint8Array(await readFile(join(this.root, entry.path)))));
  }

  /** Add a background-noise recording (not a clip): `_background_noise_/<name>.wav`, returned. */
  addBackground(name: string, samples16k: Float32Array): Promise<string> {
    return this.mutation(() => this.queue.run(() => writeBackground(this.root, name, samples16k)));
  }

  /** Background-noise recordings, paths relative to the root, sorted. */
  async backgroundFiles(): Promise<string[]> {
    this.checkOpen(); // a rejected promise, like every other method's, when closed
    return backgroundFiles(this.root);
  }

  /**
   * The background recordings with their length read from each header (no audio is read);
   * null for a file whose header cannot be read, listed so that it can be deleted.
   */
  async backgrounds(): Promise<BackgroundEntry[]> {
    const out: BackgroundEntry[] = [];
    for (const path of await this.backgroundFiles()) out.push(await backgroundEntry(this.root, path));
    return out;
  }

  /** A background recording's audio (16 kHz mono); `path` as backgroundFiles lists it. */
  async readBackground(path: string): Promise<Float32Array> {
    this.checkOpen();
    await requireBackground(this.root, path);
    return to16k(decodeWav(new Uint8Array(await readFile(join(this.root, path)))));
  }

  /** Remove a background recording: like deleteClip, moved to `.hark-trash/<path>` (returned); restoreBackground undoes it. */
  deleteBackground(path: string): Promise<string> {
    return this.mutation(() => this.queue.run(() => trashBackground(this.root, path)));
  }

  /** Undo deleteBackground: move the file back (under a free name if its own was taken since), and list it. */
  restoreBackground(trashed: string): Promise<BackgroundEntry> {
    return this.mutation(() => this.queue.run(() => restoreBackground(this.root, trashed)));
  }

  /** Move a clip to another label (it gets the next free `<n>` there). */
  relabel(path: string, newLabel: string): Promise<ClipEntry> {
    return this.mutation(() => this.queue.run(async () => this.planned([await this.index.relabel(path, newLabel)])[0]));
  }

  /** Remove a clip from the dataset: it is moved to `.hark-trash/<path>` (returned), not destroyed. */
  deleteClip(path: string): Promise<string> {
    return this.mutation(() => this.queue.run(() => trashClip(this.index, path)));
  }

  /** Undo deleteClip: move a file from `.hark-trash/` (the path deleteClip returned) back into its label. */
  restoreClip(trashed: string): Promise<ClipEntry> {
    return this.mutation(() => this.queue.run(async () => this.planned([await restoreClip(this.index, trashed)])[0]));
  }

  /**
   * Import every .wav under `src` (any rate, channels and sample format; converted to 16 kHz
   * mono 16-bit), with label and speaker from the folder and file names unless given. Each
   * file that is not imported is in `rejected` with its reason (import-folder.ts).
   */
  importFolder(src: string, options: ImportOptions = {}): Promise<ImportResult> {
    return this.mutation(async () => {
      const result = await importFolder(this.index, this.queue, src, options);
      return { ...result, imported: this.planned(result.imported) };
    });
  }

  /**
   * Copy the dataset to `dest` (which must not exist or be empty): clips, background noise,
   * the manifest, and validation_list.txt / testing_list.txt so other tools see the same splits.
   * One turn on the write queue, so the copy is of one state of the dataset.
   */
  exportTo(dest: string): Promise<void> {
    // The split runs here use, so the copy trains the same way anywhere.
    return this.mutation(() => this.queue.run(() => exportDataset(this.index, this.splitPlan().clips, dest)));
  }

  /**
   * A new empty scratch folder inside the dataset (`.hark-staging/<random>`) for files on
   * their way in, e.g. uploaded WAVs to importFolder. The caller removes it when done; if a
   * crash leaves it behind, the next open removes it.
   */
  stagingDir(): Promise<string> {
    return this.mutation(() => makeStagingDir(this.root));
  }

  /** Release the lock, once every mutation already called has finished. The dataset cannot be written after this. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await Promise.allSettled([...this.inFlight]);
      await this.queue.drained();
      await releaseLock(this.root);
    })();
    return this.closing;
  }

  private checkOpen(): void {
    if (this.closed) throw new DatasetError('closed', 'the dataset has been closed');
  }

  /** A public mutation: refused once the dataset is closed; close waits for it. Its writes take turns on the queue. */
  private mutation<T>(run: () => Promise<T>): Promise<T> {
    let done: Promise<T>;
    try {
      this.checkOpen();
      done = run();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.inFlight.add(done);
    const forget = (): void => { this.inFlight.delete(done); };
    done.then(forget, forget);
    return done;
  }

  /** @internal */
  persist(): Promise<void> {
    return this.mutation(() => this.queue.run(() => this.index.save()));
  }
}

/**
 * Open the dataset at `dir` (created if `create` and it does not exist) for writing: take
 * the lock, recover from interrupted writes, and reconcile the manifest with the disk.
 * Close it to release the lock.
 */
export async function openDataset(dir: string, options: { create?: boolean } = {}): Promise<Dataset> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new DatasetError('not-a-directory', `${dir} is not a folder`);
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) {
      throw new DatasetError('not-found', `cannot open the dataset at ${dir}: ${(err as Error).message}`, { cause: err });
    }
    await mkdir(dir, { recursive: true });
  }
  const recovery: RecoveryNote[] = [];
  const lockNote = await acquireLock(dir);
  if (lockNote) recovery.push({ code: 'stale-lock', message: lockNote });
  try {
    const { index, dirty } = await recoverDataset(dir, recovery);
    const dataset = new Dataset(index, recovery);
    if (dirty) await dataset.persist();
    return dataset;
  } catch (err) {
    await releaseLock(dir);
    throw err;
  }
}
