// The dataset's clips: the index (path → entry, the manifest's content) and the files it
// lists, changed together. A clip is written atomically under the next free
// `<label>/<speaker>_nohash_<n>.wav`, then the manifest (and, in list mode, the list files)
// rewritten, so a crash between the two leaves a file the next open adds (recovery.ts).
// Nothing here waits its turn: every change must run in a turn of the dataset's write queue
// (store.ts), which is what keeps two writers from picking the same free name.

import { mkdir, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { encodeWav } from '../../../core/audio/wav.js';
import { DatasetError, fsyncDir, writeFileAtomic } from './atomic.js';
import { exists, removeIfEmpty, toPosix } from './fs-helpers.js';
import { SCHEMA_VERSION, sha256, writeManifest, type ClipEntry, type Manifest } from './manifest.js';
import { checkName } from './names.js';
import { requireAudio } from './audio-check.js';
import { formatSplitLists, readSplitLists, whichSet, TESTING_LIST, VALIDATION_LIST, type Split, type SplitLists } from './split.js';

const CLIP_NAME = /^(.+)_nohash_(\d+)\.wav$/i;
const byPath = (a: ClipEntry, b: ClipEntry): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export class ClipIndex {
  readonly root: string;
  private readonly entries: Map<string, ClipEntry>;
  /** The list files, when the dataset has them: they, not the rule by speaker, decide its splits. */
  private lists: SplitLists | undefined;

  constructor(root: string, entries: Map<string, ClipEntry>, lists: SplitLists | undefined) {
    this.root = root;
    this.entries = entries;
    this.lists = lists;
  }

  /** Whether validation_list.txt / testing_list.txt decide the dataset's own split. */
  get fromLists(): boolean {
    return this.lists !== undefined;
  }

  /** Copies of every entry (the dataset's own split), sorted by path. */
  clips(): ClipEntry[] {
    return [...this.entries.values()].sort(byPath).map((e) => ({ ...e }));
  }

  labels(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.label))].sort();
  }

  manifest(): Manifest {
    return { schemaVersion: SCHEMA_VERSION, entries: this.clips() };
  }

  find(path: string): ClipEntry | undefined {
    return this.entries.get(toPosix(path));
  }

  /** The entry of `path`; DatasetError 'not-found' when it is not listed. */
  require(path: string): ClipEntry {
    const e = this.find(path);
    if (!e) throw new DatasetError('not-found', `no clip ${path} in the dataset`);
    return e;
  }

  /** List a clip whose file is in place (the manifest is written by save). */
  set(entry: ClipEntry): void {
    this.entries.set(entry.path, entry);
  }

  /** Stop listing a clip (the manifest is written by save). */
  delete(path: string): void {
    this.entries.delete(path);
  }

  /** `<label>/<speaker>_nohash_<n>.wav` at the next `<n>` free both in the index and on disk. */
  async freePath(label: string, speaker: string): Promise<string> {
    let n = 0;
    for (const e of this.entries.values()) {
      const m = CLIP_NAME.exec(basename(e.path));
      if (e.label === label && m && m[1] === speaker) n = Math.max(n, Number(m[2]) + 1);
    }
    while (await exists(join(this.root, label, `${speaker}_nohash_${n}.wav`))) n++;
    return `${label}/${speaker}_nohash_${n}.wav`;
  }

  /** The split of a new clip: in list mode the speaker's existing split, else the hash rule. */
  splitFor(path: string, speaker: string): Split {
    if (this.lists) {
      for (const e of this.entries.values()) if (e.speaker === speaker) return e.split;
    }
    return whichSet(path);
  }

  /** Write 16 kHz samples as a new clip and list it; the manifest is written by save. */
  async writeClip(label: string, speaker: string, samples: Float32Array, source: string): Promise<ClipEntry> {
    checkName('label', label);
    checkName('speaker', speaker);
    requireAudio('clip', samples);
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

  /** Move a clip to another label (the next free `<n>` there), and save. */
  async relabel(path: string, newLabel: string): Promise<ClipEntry> {
    checkName('label', newLabel);
    const old = this.require(path);
    if (old.label === newLabel) return old;
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
    return entry;
  }

  /** Rewrite the manifest (and, in list mode, the list files) atomically. */
  async save(): Promise<void> {
    if (this.lists) {
      const lists = formatSplitLists(this.entries.values());
      await writeFileAtomic(join(this.root, VALIDATION_LIST), lists.validation);
      await writeFileAtomic(join(this.root, TESTING_LIST), lists.testing);
      this.lists = await readSplitLists(this.root);
    }
    await writeManifest(this.root, this.manifest());
  }
}
