// The dataset store, shared by the CLI and the app's engine.
//
// A dataset is a folder in the Speech Commands layout:
//
//   <label>/<speaker>_nohash_<n>.wav     clips (folders starting with '.' or '_' are not labels)
//   _background_noise_/*.wav              background noise (not clips)
//   validation_list.txt, testing_list.txt optional; if present they decide the splits
//   hark-manifest.json                    { schemaVersion, entries: [{ path, label, speaker,
//                                           durationSeconds, sha256, split, source }] }
//   .hark-lock                            the one writer: pid and process start (lock.ts)
//   .hark-trash/                          deleted clips and background recordings, moved here
//                                         (restoreClip / restoreBackground undo a delete)
//   .hark-staging/                        scratch folders of imports in progress (stagingDir)
//
// Any such folder opens, with or without a manifest. Opening takes the lock (a stale lock is
// taken over; a live writer's is a DatasetError 'locked'), removes what interrupted writes
// left (temp files, scratch folders, label folders created for a clip that never arrived),
// and reconciles the manifest with the disk: every clip is hashed; listed
// clips whose bytes changed are re-read, clips on disk that the manifest lacks (a crash
// between writing a clip and writing the manifest, or a clip copied in by hand) are added,
// listed clips that are gone are dropped; each such repair is reported in `recovery`. A
// missing or corrupt manifest is rebuilt from the disk. Every write goes through
// writeFileAtomic or a rename, then the manifest is rewritten atomically, so a crash at any
// point leaves a state the next open recovers.
//
// The lock keeps other processes out; within this one, every mutation (clips, background,
// relabel, delete, restore, import, export, the manifest and list files) runs on the
// dataset's WriteQueue, one at a time. An import takes one turn per file, so a recording
// made during a long import is not kept waiting for all of it.

import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { decodeWav, encodeWav } from '../../../core/audio/wav.js';
import { resample } from '../../../core/audio/resample.js';
import { HarkError } from '../../../core/errors.js';
import { BACKGROUND_DIR, SILENCE_DIR, UNKNOWN_LABEL } from '../../../core/kws/labels.js';
import { TRASH_DIR } from '../../shared/protocol.js';
import { cleanTempFiles, DatasetError, fsyncDir, isTempName, writeFileAtomic } from './atomic.js';
import { acquireLock, releaseLock } from './lock.js';
import { formatSplitLists, hashName, planSplits, readSplitLists, splitOf, whichSet, TESTING_LIST, VALIDATION_LIST, type Split, type SplitBasis, type SplitLists } from './split.js';
import { WriteQueue } from './write-queue.js';
import { readBackgroundFile, readClipFile, readWavFileLayout } from '../wav-file.js';

export { DatasetError } from './atomic.js';
export { LOCK_FILE } from './lock.js';

export const MANIFEST_FILE = 'hark-manifest.json';
export { TRASH_DIR };
export const STAGING_DIR = '.hark-staging';
export { BACKGROUND_DIR, SILENCE_DIR };
/** Other speech (never a word): Speech Commands' `_unknown_` folder, core's unknown class. */
export const OTHER_SPEECH_LABEL = UNKNOWN_LABEL;
export const SCHEMA_VERSION = 1;
export const SAMPLE_RATE = 16000;
/**
 * Longest label or speaker, in UTF-8 bytes. Both become file names, and the longest name the
 * store makes from a speaker, `.<speaker>_nohash_<n>.wav.hark-tmp-<pid>-<hex>`, must stay
 * within the 255 bytes most file systems allow (about 50 more than the speaker).
 */
export const MAX_NAME_BYTES = 200;

export interface ClipEntry {
  /** Relative to the dataset root, '/'-separated: `<label>/<speaker>_nohash_<n>.wav`. */
  path: string;
  label: string;
  speaker: string;
  durationSeconds: number;
  sha256: string;
  split: Split;
  /** Where the clip came from: 'recorded', 'import:<file>', 'found' (on disk, not in a manifest). */
  source: string;
}

/** A background-noise recording (not a clip, not in the manifest). */
export interface BackgroundEntry {
  /** `_background_noise_/<file>.wav`, relative to the root. */
  path: string;
  /** The file name. */
  name: string;
  /** From the WAV header; null when the header cannot be read. */
  durationSeconds: number | null;
}

export interface Manifest {
  schemaVersion: number;
  entries: ClipEntry[];
}

export type RecoveryCode =
  | 'stale-lock' | 'temp-removed' | 'manifest-missing' | 'manifest-corrupt'
  | 'missing-file' | 'checksum-mismatch' | 'unlisted-file' | 'unreadable-clip' | 'empty-folder-removed';

export interface RecoveryNote {
  code: RecoveryCode;
  path?: string;
  message: string;
}

export interface Rejection {
  file: string;
  code: string;
  message: string;
}

export interface ImportResult {
  imported: ClipEntry[];
  /** Background-noise files imported into `_background_noise_/` (paths relative to the root). */
  background: string[];
  rejected: Rejection[];
}

export interface ImportOptions {
  /** Label for every file; default: the name of the folder the file is in. */
  label?: string;
  /** Speaker for every file; default: the part of the file name before `_nohash_`. */
  speaker?: string;
}

const CLIP_NAME = /^(.+)_nohash_(\d+)\.wav$/i;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const toPosix = (p: string): string => p.split(sep).join('/');

/** A long name shortened for a message (whole characters). */
function preview(name: unknown): string {
  if (typeof name !== 'string') return JSON.stringify(name);
  const chars = [...name];
  return JSON.stringify(chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : name);
}

function checkName(kind: 'label' | 'speaker' | 'background name', name: string): void {
  if (typeof name === 'string' && Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new DatasetError('name-too-long', `the ${kind} ${preview(name)} is ${Buffer.byteLength(name, 'utf8')} bytes in UTF-8; at most ${MAX_NAME_BYTES} fit in a file name`);
  }
  // A lone surrogate cannot be written to a file name (it becomes U+FFFD on disk).
  // The one label that may start with '_': other speech, the folder Speech Commands calls `_unknown_`.
  if (kind === 'label' && name === OTHER_SPEECH_LABEL) return;
  const ok = typeof name === 'string' && name.length > 0 && !/[/\\\0:*?"<>|]|\p{Cs}/u.test(name) &&
    !name.startsWith('.') && !name.startsWith('_') && name.trim() === name && !name.includes('_nohash_');
  if (!ok) throw new DatasetError('bad-name', `${preview(name)} is not a valid ${kind} (no slashes, no leading '.' or '_', no '_nohash_')`);
}

/** A name from a file or folder made safe as a label or speaker (too long a name is refused by checkName, never cut). */
function sanitise(name: string): string {
  return name.replace(/_nohash_/g, '-').replace(/[/\\\0:*?"<>|\s]+/g, '-').replace(/^[._]+/, '');
}

/** A label or speaker taken from a folder or file name: it must name something (a letter or digit), not only separators. */
function derivedName(kind: 'label' | 'speaker', from: string, raw: string): string {
  const name = sanitise(raw);
  if (!/[\p{L}\p{N}]/u.test(name)) {
    throw new DatasetError('bad-name', kind === 'label'
      ? `the folder name ${preview(from)} has no letter or digit to use as a label; rename the folder or give a label`
      : `the file name ${preview(from)} has no letter or digit to use as a speaker; name it <speaker>_nohash_<n>.wav or give a speaker`);
  }
  checkName(kind, name);
  return name;
}

function isEntry(x: unknown): x is ClipEntry {
  const e = x as Record<string, unknown>;
  return typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.label === 'string' &&
    typeof e.speaker === 'string' && typeof e.durationSeconds === 'number' && typeof e.sha256 === 'string' &&
    typeof e.split === 'string' && typeof e.source === 'string';
}

type ManifestRead = { kind: 'ok'; manifest: Manifest } | { kind: 'missing' } | { kind: 'corrupt'; reason: string };

async function readManifest(root: string): Promise<ManifestRead> {
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { kind: 'corrupt', reason: `not JSON (${(err as Error).message})` };
  }
  const m = parsed as Partial<Manifest>;
  if (typeof m !== 'object' || m === null || typeof m.schemaVersion !== 'number') return { kind: 'corrupt', reason: 'no schemaVersion' };
  if (m.schemaVersion > SCHEMA_VERSION) {
    throw new DatasetError('newer-schema', `the manifest has schema version ${m.schemaVersion}; this version of Hark reads up to ${SCHEMA_VERSION}`);
  }
  if (m.schemaVersion !== SCHEMA_VERSION || !Array.isArray(m.entries) || !m.entries.every(isEntry)) {
    return { kind: 'corrupt', reason: 'entries missing or malformed' };
  }
  return { kind: 'ok', manifest: m as Manifest };
}

function decodeForEntry(bytes: Uint8Array): number {
  return decodeWav(bytes).durationSeconds;
}

export class Dataset {
  readonly root: string;
  /** What opening repaired: stale lock, crash leftovers, manifest rebuilt, files dropped or added. */
  readonly recovery: RecoveryNote[];
  private readonly entries: Map<string, ClipEntry>;
  private lists: SplitLists | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** The one writer: every change to the folder and the index runs here, one at a time. */
  private readonly queue = new WriteQueue();
  /** Mutations called and not yet finished (close waits for them). */
  private readonly inFlight = new Set<Promise<unknown>>();

  /** @internal use openDataset */
  constructor(root: string, entries: Map<string, ClipEntry>, lists: SplitLists | undefined, recovery: RecoveryNote[]) {
    this.root = root;
    this.entries = entries;
    this.lists = lists;
    this.recovery = recovery;
  }

  /**
   * All clips, sorted by path. Every clip the store hands out carries the split a run on
   * every word uses (splitPlan); the manifest keeps the dataset's own.
   */
  clips(): ClipEntry[] {
    return this.splitPlan().clips;
  }

  /** The dataset's own split of every clip (list files or the rule by speaker), sorted by path. */
  private ownClips(): ClipEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((e) => ({ ...e }));
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
    const own = this.ownClips();
    const plan = planSplits(own, words, this.lists !== undefined);
    return { basis: plan.basis, fallback: plan.fallback, clips: own.map((e, i) => ({ ...e, split: plan.splits[i] })) };
  }

  get(path: string): ClipEntry | undefined {
    const e = this.entries.get(toPosix(path));
    return e ? this.planned([e])[0] : undefined;
  }

  labels(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.label))].sort();
  }

  manifest(): Manifest {
    return { schemaVersion: SCHEMA_VERSION, entries: this.ownClips() };
  }

  /** Record a clip: 16 kHz mono samples in [-1, 1], written as 16-bit WAV at the next free `<n>`. */
  addClip(label: string, speaker: string, samples16k: Float32Array, source = 'recorded'): Promise<ClipEntry> {
    return this.mutation(() => this.queue.run(async () => {
      const entry = await this.writeClip(label, speaker, samples16k, source);
      await this.save();
      return this.planned([entry])[0];
    }));
  }

  /** A clip's audio (16 kHz mono), for playback and training. Only listed clips can be read. */
  async readClip(path: string): Promise<Float32Array> {
    this.checkOpen();
    const entry = this.require(path);
    const decoded = decodeWav(new Uint8Array(await readFile(join(this.root, entry.path))));
    return decoded.sampleRate === SAMPLE_RATE ? decoded.samples : resample(decoded.samples, decoded.sampleRate, SAMPLE_RATE);
  }

  /** Add a background-noise recording (not a clip): `_background_noise_/<name>.wav`, returned. */
  addBackground(name: string, samples16k: Float32Array): Promise<string> {
    return this.mutation(() => {
      if (!(samples16k instanceof Float32Array) || samples16k.length === 0) throw new DatasetError('empty-clip', 'a recording needs at least one sample');
      return this.queue.run(() => this.writeBackground(name, samples16k));
    });
  }

  /** Background-noise recordings, paths relative to the root, sorted. */
  async backgroundFiles(): Promise<string[]> {
    this.checkOpen();
    const dir = join(this.root, BACKGROUND_DIR);
    if (!(await exists(dir))) return [];
    return (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.wav') && !isTempName(f)).sort().map((f) => `${BACKGROUND_DIR}/${f}`);
  }

  /**
   * The background recordings with their length read from each header (no audio is read);
   * null for a file whose header cannot be read, listed so that it can be deleted.
   */
  async backgrounds(): Promise<BackgroundEntry[]> {
    const out: BackgroundEntry[] = [];
    for (const path of await this.backgroundFiles()) out.push(await this.backgroundEntry(path));
    return out;
  }

  private async backgroundEntry(path: string): Promise<BackgroundEntry> {
    let durationSeconds: number | null;
    try {
      durationSeconds = (await readWavFileLayout(join(this.root, path))).durationSeconds;
    } catch {
      durationSeconds = null;
    }
    return { path, name: basename(path), durationSeconds };
  }

  /** A background recording's audio (16 kHz mono); `path` as backgroundFiles lists it. */
  async readBackground(path: string): Promise<Float32Array> {
    this.checkOpen();
    await this.requireBackground(path);
    const decoded = decodeWav(new Uint8Array(await readFile(join(this.root, path))));
    return decoded.sampleRate === SAMPLE_RATE ? decoded.samples : resample(decoded.samples, decoded.sampleRate, SAMPLE_RATE);
  }

  /**
   * Remove a background recording: like deleteClip, one rename to `.hark-trash/<path>`
   * (returned; `.<n>` added if that is taken), so a crash leaves it either in place or in
   * the trash, and restoreBackground undoes it.
   */
  deleteBackground(path: string): Promise<string> {
    return this.mutation(() => this.queue.run(async () => {
      await this.requireBackground(path);
      let trashed = `${TRASH_DIR}/${path}`;
      for (let i = 1; await exists(join(this.root, trashed)); i++) trashed = `${TRASH_DIR}/${path}.${i}`;
      const trashDir = dirname(join(this.root, trashed));
      await mkdir(trashDir, { recursive: true });
      await rename(join(this.root, path), join(this.root, trashed));
      await fsyncDir(trashDir);
      await fsyncDir(join(this.root, BACKGROUND_DIR));
      return trashed;
    }));
  }

  /** Undo deleteBackground: move the file back (under a free name if its own was taken since), and list it. */
  restoreBackground(trashed: string): Promise<BackgroundEntry> {
    return this.mutation(() => this.queue.run(async () => {
      const rel = toPosix(trashed);
      const parts = rel.split('/');
      const file = parts[2]?.replace(/(\.wav)\.\d+$/i, '$1');
      if (parts.length !== 3 || parts[0] !== TRASH_DIR || parts[1] !== BACKGROUND_DIR || !file || file.startsWith('.') || !/\.wav$/i.test(file)) {
        throw new DatasetError('not-found', `${trashed} is not a background recording in ${TRASH_DIR}/`);
      }
      if (!(await exists(join(this.root, rel)))) throw new DatasetError('not-found', `${trashed} is not in ${TRASH_DIR}/ (restored already?)`);
      const dir = join(this.root, BACKGROUND_DIR);
      await mkdir(dir, { recursive: true });
      const stem = file.replace(/\.wav$/i, '');
      let target = file;
      for (let i = 1; await exists(join(dir, target)); i++) target = `${stem}-${i}.wav`;
      await rename(join(this.root, rel), join(dir, target));
      await fsyncDir(dir);
      await fsyncDir(dirname(join(this.root, rel)));
      return this.backgroundEntry(`${BACKGROUND_DIR}/${target}`);
    }));
  }

  /** Move a clip to another label (it gets the next free `<n>` there). */
  relabel(path: string, newLabel: string): Promise<ClipEntry> {
    return this.mutation(() => this.queue.run(async () => {
      checkName('label', newLabel);
      const old = this.require(path);
      if (old.label === newLabel) return this.planned([old])[0];
      const target = await this.freePath(newLabel, old.speaker);
      await mkdir(join(this.root, newLabel), { recursive: true });
      await rename(join(this.root, old.path), join(this.root, target));
      await fsyncDir(join(this.root, newLabel));
      await fsyncDir(join(this.root, old.label));
      this.entries.delete(old.path);
      const entry: ClipEntry = { ...old, path: target, label: newLabel };
      this.entries.set(target, entry);
      await this.save();
      await removeIfEmpty(join(this.root, old.label));
      return this.planned([entry])[0];
    }));
  }

  /** Remove a clip from the dataset: it is moved to `.hark-trash/<path>` (returned), not destroyed. */
  deleteClip(path: string): Promise<string> {
    return this.mutation(() => this.queue.run(async () => {
      const entry = this.require(path);
      let trashed = `${TRASH_DIR}/${entry.path}`;
      for (let i = 1; await exists(join(this.root, trashed)); i++) trashed = `${TRASH_DIR}/${entry.path}.${i}`;
      const trashDir = dirname(join(this.root, trashed));
      await mkdir(trashDir, { recursive: true });
      await rename(join(this.root, entry.path), join(this.root, trashed));
      await fsyncDir(trashDir);
      await fsyncDir(join(this.root, entry.label));
      this.entries.delete(entry.path);
      await this.save();
      await removeIfEmpty(join(this.root, entry.label));
      return trashed;
    }));
  }

  /** Undo deleteClip: move a file from `.hark-trash/` (the path deleteClip returned) back into its label. */
  restoreClip(trashed: string): Promise<ClipEntry> {
    return this.mutation(() => this.queue.run(async () => {
      const rel = toPosix(trashed);
      const parts = rel.split('/');
      if (parts.length !== 3 || parts[0] !== TRASH_DIR || parts.includes('..')) {
        throw new DatasetError('not-found', `${trashed} is not a clip in ${TRASH_DIR}/`);
      }
      const label = parts[1];
      const speaker = hashName(parts[2]).replace(/\.wav(\.\d+)?$/i, '');
      checkName('label', label);
      checkName('speaker', speaker);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(join(this.root, rel)));
      } catch (err) {
        throw new DatasetError('not-found', `cannot read ${trashed}: ${(err as Error).message}`, { cause: err });
      }
      const durationSeconds = decodeForEntry(bytes);
      const target = await this.freePath(label, speaker);
      await mkdir(join(this.root, label), { recursive: true });
      await rename(join(this.root, rel), join(this.root, target));
      await fsyncDir(join(this.root, label));
      const entry: ClipEntry = {
        path: target, label, speaker, durationSeconds, sha256: sha256(bytes), split: this.splitFor(target, speaker), source: 'restored',
      };
      this.entries.set(target, entry);
      await this.save();
      return this.planned([entry])[0];
    }));
  }

  /**
   * Import every .wav under `src` (any rate, channels and sample format; converted to 16 kHz
   * mono 16-bit). The label is the file's folder name (or options.label); the speaker the
   * part of its name before `_nohash_` (or options.speaker). Files under a
   * `_background_noise_` folder go to the dataset's background noise. Each file that is not
   * imported is reported in `rejected` with the reason (not a readable WAV, cut off, too long
   * for a clip or for background noise, a name that gives no label or speaker or is too
   * long, a hidden file); the rest are imported. Files are read through a handle, so a huge
   * one is refused from its header.
   * Not all-or-nothing: clips are written one by one (each in its own turn on the write
   * queue) and the manifest is saved once, so a crash part-way leaves (after the next open's
   * recovery) the dataset before the import plus a prefix of the imported clips, in import
   * order (test/.../fault-injection.test.ts).
   */
  importFolder(src: string, options: ImportOptions = {}): Promise<ImportResult> {
    return this.mutation(async () => {
      if (options.label !== undefined) checkName('label', options.label);
      if (options.speaker !== undefined) checkName('speaker', options.speaker);
      const files = await listWavs(src);
      const result: ImportResult = { imported: [], background: [], rejected: [] };
      const srcName = basename(src);
      try {
        for (const { path: file, hidden } of files) {
          const rel = toPosix(relative(src, file));
          try {
            if (hidden) {
              throw new DatasetError('hidden-file', "a hidden file (its name starts with '.', like the ._ copies macOS leaves on other disks) is not imported; rename it to import it");
            }
            const parts = rel.split('/');
            const background = parts.includes(BACKGROUND_DIR) || parts.includes(SILENCE_DIR);
            // Through a file handle: the header is checked (cut off, too long for a clip or for
            // background) before any audio is read, so a huge file costs kilobytes to refuse.
            const decoded = await (background ? readBackgroundFile : readClipFile)(file, { refuseCutOff: true });
            const samples = decoded.sampleRate === SAMPLE_RATE ? decoded.samples : resample(decoded.samples, decoded.sampleRate, SAMPLE_RATE);
            if (background) {
              result.background.push(await this.queue.run(() => this.writeBackground(basename(file), samples)));
              continue;
            }
            if (options.label === undefined && parts.length < 2) throw new DatasetError('no-label', 'the file is not in a label folder and no label was given');
            const folder = parts[parts.length - 2];
            // Speech Commands' `_unknown_` is other speech here too.
            const label = options.label ?? (folder === OTHER_SPEECH_LABEL ? OTHER_SPEECH_LABEL : derivedName('label', folder, folder));
            const speaker = options.speaker ?? derivedName('speaker', basename(file), hashName(basename(file).replace(/\.wav$/i, '')));
            const source = `import:${srcName}/${rel}`;
            const entry = await this.queue.run(() => this.writeClip(label, speaker, samples, source));
            result.imported.push({ ...entry });
          } catch (err) {
            result.rejected.push({
              file: rel,
              code: err instanceof HarkError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'unreadable'),
              message: (err as Error).message,
            });
          }
        }
      } finally {
        if (result.imported.length > 0) await this.queue.run(() => this.save());
      }
      return { ...result, imported: this.planned(result.imported) };
    });
  }

  /**
   * Copy the dataset to `dest` (which must not exist or be empty): clips, background noise,
   * the manifest, and validation_list.txt / testing_list.txt so other tools see the same splits.
   * One turn on the write queue, so the copy is of one state of the dataset.
   */
  exportTo(dest: string): Promise<void> {
    return this.mutation(() => this.queue.run(async () => {
      await mkdir(dest, { recursive: true });
      if ((await readdir(dest)).length > 0) throw new DatasetError('not-empty', `${dest} is not empty`);
      for (const e of this.entries.values()) {
        await mkdir(join(dest, e.label), { recursive: true });
        await copyFile(join(this.root, e.path), join(dest, e.path));
      }
      const bg = join(this.root, BACKGROUND_DIR);
      if (await exists(bg)) {
        await mkdir(join(dest, BACKGROUND_DIR), { recursive: true });
        for (const f of await readdir(bg)) {
          if (f.toLowerCase().endsWith('.wav') && !isTempName(f)) await copyFile(join(bg, f), join(dest, BACKGROUND_DIR, f));
        }
      }
      // The split runs here use, so the copy trains the same way anywhere.
      const lists = formatSplitLists(this.splitPlan().clips);
      await writeFileAtomic(join(dest, VALIDATION_LIST), lists.validation);
      await writeFileAtomic(join(dest, TESTING_LIST), lists.testing);
      await writeFileAtomic(join(dest, MANIFEST_FILE), `${JSON.stringify(this.manifest(), null, 1)}\n`);
    }));
  }

  /**
   * A new empty scratch folder inside the dataset (`.hark-staging/<random>`) for files on
   * their way in, e.g. uploaded WAVs to importFolder. The caller removes it when done; if a
   * crash leaves it behind, the next open removes it.
   */
  stagingDir(): Promise<string> {
    return this.mutation(async () => {
      const dir = join(this.root, STAGING_DIR, randomBytes(6).toString('hex'));
      await mkdir(dir, { recursive: true });
      return dir;
    });
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

  // ---- internals ----

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

  private async requireBackground(path: string): Promise<void> {
    if (!(await this.backgroundFiles()).includes(toPosix(path))) throw new DatasetError('not-found', `no background recording ${path}`);
  }

  private require(path: string): ClipEntry {
    const e = this.entries.get(toPosix(path));
    if (!e) throw new DatasetError('not-found', `no clip ${path} in the dataset`);
    return e;
  }

  private async freePath(label: string, speaker: string): Promise<string> {
    let n = 0;
    for (const e of this.entries.values()) {
      const m = CLIP_NAME.exec(basename(e.path));
      if (e.label === label && m && m[1] === speaker) n = Math.max(n, Number(m[2]) + 1);
    }
    while (await exists(join(this.root, label, `${speaker}_nohash_${n}.wav`))) n++;
    return `${label}/${speaker}_nohash_${n}.wav`;
  }

  /** The split of a new clip: in list mode the speaker's existing split, else the hash rule. */
  private splitFor(path: string, speaker: string): Split {
    if (this.lists) {
      for (const e of this.entries.values()) if (e.speaker === speaker) return e.split;
    }
    return whichSet(path);
  }

  /** Only in a turn of the write queue. */
  private async writeClip(label: string, speaker: string, samples: Float32Array, source: string): Promise<ClipEntry> {
    checkName('label', label);
    checkName('speaker', speaker);
    if (!(samples instanceof Float32Array) || samples.length === 0) throw new DatasetError('empty-clip', 'a clip needs at least one sample');
    const path = await this.freePath(label, speaker);
    const dir = join(this.root, label);
    if (!(await exists(dir))) {
      await mkdir(dir, { recursive: true });
      await fsyncDir(this.root);
    }
    const bytes = encodeWav(samples, SAMPLE_RATE);
    await writeFileAtomic(join(this.root, path), bytes);
    const entry: ClipEntry = {
      path, label, speaker, durationSeconds: samples.length / SAMPLE_RATE, sha256: sha256(bytes), split: this.splitFor(path, speaker), source,
    };
    this.entries.set(path, entry);
    return entry;
  }

  /** Only in a turn of the write queue. */
  private async writeBackground(name: string, samples: Float32Array): Promise<string> {
    const stem = sanitise(name.replace(/\.wav$/i, '')) || 'noise';
    checkName('background name', stem);
    const dir = join(this.root, BACKGROUND_DIR);
    await mkdir(dir, { recursive: true });
    let file = `${stem}.wav`;
    for (let i = 1; await exists(join(dir, file)); i++) file = `${stem}-${i}.wav`;
    await writeFileAtomic(join(dir, file), encodeWav(samples, SAMPLE_RATE));
    return `${BACKGROUND_DIR}/${file}`;
  }

  /** Rewrite the manifest (and, in list mode, the list files) atomically. Only in a turn of the write queue. */
  private async save(): Promise<void> {
    if (this.lists) {
      const lists = formatSplitLists(this.entries.values());
      await writeFileAtomic(join(this.root, VALIDATION_LIST), lists.validation);
      await writeFileAtomic(join(this.root, TESTING_LIST), lists.testing);
      this.lists = await readSplitLists(this.root);
    }
    await writeFileAtomic(join(this.root, MANIFEST_FILE), `${JSON.stringify(this.manifest(), null, 1)}\n`);
  }

  /** @internal */
  persist(): Promise<void> {
    return this.mutation(() => this.queue.run(() => this.save()));
  }
}

/**
 * Remove `dir` if nothing is in it; whether it did. Tidying only, so it never fails the
 * operation that asked (a folder still there is removed by the next open).
 */
async function removeIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** The .wav files under `src`, in name order. Hidden ones are listed (to be reported, not imported); hidden folders are not entered. */
async function listWavs(src: string): Promise<{ path: string; hidden: boolean }[]> {
  const out: { path: string; hidden: boolean }[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      const hidden = e.name.startsWith('.');
      if (e.isDirectory()) {
        if (!hidden) await walk(full);
      } else if (e.isFile() && e.name.toLowerCase().endsWith('.wav')) {
        out.push({ path: full, hidden });
      }
    }
  };
  try {
    await walk(src);
  } catch (err) {
    throw new DatasetError('not-found', `cannot read the folder ${src}: ${(err as Error).message}`, { cause: err });
  }
  return out;
}

/** Clip files on disk: `<label>/<file>.wav` for every folder not starting with '.' or '_', and other speech's. */
async function scanClips(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(root, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.') || (d.name.startsWith('_') && d.name !== OTHER_SPEECH_LABEL)) continue;
    for (const f of await readdir(join(root, d.name), { withFileTypes: true })) {
      if (f.isFile() && f.name.toLowerCase().endsWith('.wav') && !isTempName(f.name)) out.push(`${d.name}/${f.name}`);
    }
  }
  return out.sort();
}

/** Remove the scratch folders of imports that never finished (see stagingDir). Returns their paths. */
async function cleanStaging(root: string): Promise<string[]> {
  const staging = join(root, STAGING_DIR);
  let names: string[];
  try {
    names = await readdir(staging);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  for (const name of names) await rm(join(staging, name), { recursive: true, force: true });
  await removeIfEmpty(staging);
  return names.sort().map((name) => `${STAGING_DIR}/${name}`);
}

/** Remove label folders with nothing in them: made for a clip whose write never happened. Returns their names. */
async function removeEmptyLabelFolders(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const d of await readdir(root, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.') || d.name.startsWith('_')) continue;
    if ((await readdir(join(root, d.name))).length > 0) continue;
    if (await removeIfEmpty(join(root, d.name))) removed.push(d.name);
  }
  return removed.sort();
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
    for (const path of await cleanStaging(dir)) {
      recovery.push({ code: 'temp-removed', path, message: 'removed the scratch folder of an interrupted import' });
    }
    for (const t of await cleanTempFiles(dir)) {
      recovery.push({ code: 'temp-removed', path: toPosix(relative(dir, t)), message: 'removed the temp file of an interrupted write' });
    }
    const read = await readManifest(dir);
    let dirty = read.kind !== 'ok';
    if (read.kind === 'missing') recovery.push({ code: 'manifest-missing', message: `no ${MANIFEST_FILE}; built one from the folder` });
    if (read.kind === 'corrupt') recovery.push({ code: 'manifest-corrupt', message: `${MANIFEST_FILE} was unreadable (${read.reason}); rebuilt it from the folder` });
    const listed = new Map<string, ClipEntry>(read.kind === 'ok' ? read.manifest.entries.map((e) => [e.path, e]) : []);
    // A folder whose listed clips are all gone is emptied by that (reported below as missing
    // files); an empty folder the manifest never had a clip in was made for a write that never happened.
    const listedLabels = new Set([...listed.values()].map((e) => e.label));
    for (const label of await removeEmptyLabelFolders(dir)) {
      if (!listedLabels.has(label)) recovery.push({ code: 'empty-folder-removed', path: label, message: 'removed an empty label folder (made for a clip whose write was interrupted, or by hand)' });
    }
    const lists = await readSplitLists(dir);

    const onDisk = await scanClips(dir);
    const present = new Set(onDisk);
    const gone = new Map<string, ClipEntry>(); // sha256 → entry of a listed file that is missing (maybe moved)
    for (const [path, e] of listed) {
      if (!present.has(path)) {
        gone.set(e.sha256, e);
        recovery.push({ code: 'missing-file', path, message: 'listed in the manifest but not on disk; dropped' });
        dirty = true;
      }
    }
    const entries = new Map<string, ClipEntry>();
    for (const path of onDisk) {
      const bytes = new Uint8Array(await readFile(join(dir, path)));
      const sum = sha256(bytes);
      const [label, file] = path.split('/');
      const speaker = hashName(file).replace(/\.wav$/i, '');
      const split = splitOf(path, lists);
      const old = listed.get(path);
      if (old && old.sha256 === sum) {
        if (old.split !== split || old.label !== label || old.speaker !== speaker) dirty = true;
        entries.set(path, { ...old, label, speaker, split });
        continue;
      }
      let durationSeconds: number;
      try {
        durationSeconds = decodeForEntry(bytes);
      } catch (err) {
        recovery.push({ code: 'unreadable-clip', path, message: `not a readable WAV file (${(err as Error).message}); left on disk, not listed` });
        if (old) dirty = true;
        continue;
      }
      dirty = true;
      let source = 'found';
      if (old) {
        source = old.source;
        recovery.push({ code: 'checksum-mismatch', path, message: 'the file changed since the manifest was written; re-read it' });
      } else {
        const moved = gone.get(sum);
        if (moved) source = moved.source;
        if (read.kind === 'ok') recovery.push({ code: 'unlisted-file', path, message: 'on disk but not in the manifest; added' });
      }
      entries.set(path, { path, label, speaker, durationSeconds, sha256: sum, split, source });
    }
    const dataset = new Dataset(dir, entries, lists, recovery);
    if (dirty) await dataset.persist();
    return dataset;
  } catch (err) {
    await releaseLock(dir);
    throw err;
  }
}
