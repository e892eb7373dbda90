// What opening a dataset repairs. Every write is atomic (a temp file renamed over the
// target) and is followed by a rewrite of the manifest, so a crash at any point leaves a
// state this recovers from: it removes what interrupted writes left (temp files, staging
// folders, label folders made for a clip that never arrived), then reconciles the manifest
// with the disk. Every clip is hashed: listed clips whose bytes changed are re-read, clips
// on disk that the manifest lacks (a crash between writing a clip and the manifest, or a
// clip copied in by hand) are added, listed clips that are gone are dropped. A missing or
// corrupt manifest is rebuilt from the folder. Each repair is reported as a RecoveryNote.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { listSpeechCommands, type SpeechCommandsEntry } from '../speech-commands.js';
import { cleanTempFiles } from './atomic.js';
import { ClipIndex } from './clip-index.js';
import { removeIfEmpty, toPosix } from './fs-helpers.js';
import { durationOf, MANIFEST_FILE, readManifest, sha256, type ClipEntry, type ManifestRead } from './manifest.js';
import { cleanStaging } from './staging.js';

export type RecoveryCode =
  | 'stale-lock' | 'temp-removed' | 'manifest-missing' | 'manifest-corrupt'
  | 'missing-file' | 'checksum-mismatch' | 'unlisted-file' | 'unreadable-clip' | 'empty-folder-removed';

export interface RecoveryNote {
  code: RecoveryCode;
  path?: string;
  message: string;
}

export interface Recovered {
  index: ClipIndex;
  /** Whether the manifest on disk differs from the index (it must be rewritten). */
  dirty: boolean;
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

/** Remove the leftovers of interrupted writes: staging folders and temp files. */
async function removeLeftovers(dir: string, notes: RecoveryNote[]): Promise<void> {
  for (const path of await cleanStaging(dir)) {
    notes.push({ code: 'temp-removed', path, message: 'removed the scratch folder of an interrupted import' });
  }
  for (const t of await cleanTempFiles(dir)) {
    notes.push({ code: 'temp-removed', path: toPosix(relative(dir, t)), message: 'removed the temp file of an interrupted write' });
  }
}

/**
 * The entry of a clip on disk: the listed one when its bytes are unchanged, else read anew
 * (null when it is not a readable WAV). Notes what it repaired; `changed` says whether the
 * manifest must be rewritten for it.
 */
async function entryOnDisk(
  dir: string, clip: SpeechCommandsEntry, old: ClipEntry | undefined, gone: ReadonlyMap<string, ClipEntry>, manifestOk: boolean, notes: RecoveryNote[],
): Promise<{ entry: ClipEntry | null; changed: boolean }> {
  const { path, label, speaker, split } = clip;
  const bytes = new Uint8Array(await readFile(join(dir, path)));
  const sum = sha256(bytes);
  if (old && old.sha256 === sum) {
    return { entry: { ...old, label, speaker, split }, changed: old.split !== split || old.label !== label || old.speaker !== speaker };
  }
  let durationSeconds: number;
  try {
    durationSeconds = durationOf(bytes);
  } catch (err) {
    notes.push({ code: 'unreadable-clip', path, message: `not a readable WAV file (${(err as Error).message}); left on disk, not listed` });
    return { entry: null, changed: old !== undefined };
  }
  let source = 'found';
  if (old) {
    source = old.source;
    notes.push({ code: 'checksum-mismatch', path, message: 'the file changed since the manifest was written; re-read it' });
  } else {
    // A listed file that went missing with these bytes was moved here: it keeps its source.
    const moved = gone.get(sum);
    if (moved) source = moved.source;
    if (manifestOk) notes.push({ code: 'unlisted-file', path, message: 'on disk but not in the manifest; added' });
  }
  return { entry: { path, label, speaker, durationSeconds, sha256: sum, split, source }, changed: true };
}

/** The index of the clips on disk, reconciled with what the manifest read says. */
async function reconcile(dir: string, read: ManifestRead, notes: RecoveryNote[]): Promise<Recovered> {
  let dirty = read.kind !== 'ok';
  const listed = new Map<string, ClipEntry>(read.kind === 'ok' ? read.manifest.entries.map((e) => [e.path, e]) : []);
  // A folder whose listed clips are all gone is emptied by that (reported below as missing
  // files); an empty folder the manifest never had a clip in was made for a write that never happened.
  const listedLabels = new Set([...listed.values()].map((e) => e.label));
  for (const label of await removeEmptyLabelFolders(dir)) {
    if (!listedLabels.has(label)) notes.push({ code: 'empty-folder-removed', path: label, message: 'removed an empty label folder (made for a clip whose write was interrupted, or by hand)' });
  }
  const { clips, lists } = await listSpeechCommands(dir);
  const onDisk = clips.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const present = new Set(onDisk.map((c) => c.path));
  const gone = new Map<string, ClipEntry>(); // sha256 → entry of a listed file that is missing (maybe moved)
  for (const [path, e] of listed) {
    if (!present.has(path)) {
      gone.set(e.sha256, e);
      notes.push({ code: 'missing-file', path, message: 'listed in the manifest but not on disk; dropped' });
      dirty = true;
    }
  }
  const entries = new Map<string, ClipEntry>();
  for (const clip of onDisk) {
    const { entry, changed } = await entryOnDisk(dir, clip, listed.get(clip.path), gone, read.kind === 'ok', notes);
    if (entry) entries.set(entry.path, entry);
    dirty ||= changed;
  }
  return { index: new ClipIndex(dir, entries, lists), dirty };
}

/** Repair the dataset at `dir` (whose lock the caller holds), noting each repair in `notes`. */
export async function recoverDataset(dir: string, notes: RecoveryNote[]): Promise<Recovered> {
  await removeLeftovers(dir, notes);
  const read = await readManifest(dir);
  if (read.kind === 'missing') notes.push({ code: 'manifest-missing', message: `no ${MANIFEST_FILE}; built one from the folder` });
  if (read.kind === 'corrupt') notes.push({ code: 'manifest-corrupt', message: `${MANIFEST_FILE} was unreadable (${read.reason}); rebuilt it from the folder` });
  return reconcile(dir, read, notes);
}
