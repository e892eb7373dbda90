// Deleting and restoring, of clips and of background recordings. A delete is one rename
// into `.hark-trash/<path>` (`.<i>` added if that is taken), so a crash leaves the file
// either in place or in the trash, and a restore moves it back under a free name. Every
// function runs in a turn of the dataset's write queue.

import { mkdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BACKGROUND_DIR } from '../../../core/kws/labels.js';
import { TRASH_DIR } from '../../shared/protocol.js';
import { DatasetError, fsyncDir } from './atomic.js';
import { backgroundEntry, requireBackground, type BackgroundEntry } from './backgrounds.js';
import type { ClipIndex } from './clip-index.js';
import { exists, removeIfEmpty, toPosix } from './fs-helpers.js';
import { durationOf, sha256, type ClipEntry } from './manifest.js';
import { checkName } from './names.js';
import { hashName } from './split.js';

/** Move `path` (relative to `root`) into the trash under a free name; that name, relative to `root`. */
async function moveToTrash(root: string, path: string): Promise<string> {
  let trashed = `${TRASH_DIR}/${path}`;
  for (let i = 1; await exists(join(root, trashed)); i++) trashed = `${TRASH_DIR}/${path}.${i}`;
  const trashDir = dirname(join(root, trashed));
  await mkdir(trashDir, { recursive: true });
  await rename(join(root, path), join(root, trashed));
  await fsyncDir(trashDir);
  await fsyncDir(dirname(join(root, path)));
  return trashed;
}

/** Remove a clip from the dataset: moved to the trash (returned), not destroyed. */
export async function trashClip(index: ClipIndex, path: string): Promise<string> {
  const entry = index.require(path);
  const trashed = await moveToTrash(index.root, entry.path);
  index.delete(entry.path);
  await index.save();
  await removeIfEmpty(join(index.root, entry.label));
  return trashed;
}

/** Undo trashClip: move a file from the trash (the path trashClip returned) back into its label. */
export async function restoreClip(index: ClipIndex, trashed: string): Promise<ClipEntry> {
  const rel = toPosix(trashed);
  const parts = rel.split('/');
  if (parts.length !== 3 || parts[0] !== TRASH_DIR || parts.includes('..')) {
    throw new DatasetError('not-found', `${trashed} is not a clip in ${TRASH_DIR}/`);
  }
  const label = parts[1];
  // The speaker of `<speaker>_nohash_<n>.wav`, also with the `.<i>` a second trashing of the name adds.
  const speaker = hashName(parts[2]).replace(/\.wav(\.\d+)?$/i, '');
  checkName('label', label);
  checkName('speaker', speaker);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(index.root, rel)));
  } catch (err) {
    throw new DatasetError('not-found', `cannot read ${trashed}: ${(err as Error).message}`, { cause: err });
  }
  const durationSeconds = durationOf(bytes);
  const target = await index.freePath(label, speaker);
  await mkdir(join(index.root, label), { recursive: true });
  await rename(join(index.root, rel), join(index.root, target));
  await fsyncDir(join(index.root, label));
  const entry: ClipEntry = {
    path: target, label, speaker, durationSeconds, sha256: sha256(bytes), split: index.splitFor(target, speaker), source: 'restored',
  };
  index.set(entry);
  await index.save();
  return entry;
}

/** Remove a background recording: moved to the trash (returned), as trashClip does. */
export async function trashBackground(root: string, path: string): Promise<string> {
  await requireBackground(root, path);
  return moveToTrash(root, toPosix(path));
}

/** Undo trashBackground: move the file back (under a free name if its own was taken since). */
export async function restoreBackground(root: string, trashed: string): Promise<BackgroundEntry> {
  const rel = toPosix(trashed);
  const parts = rel.split('/');
  const file = parts[2]?.replace(/(\.wav)\.\d+$/i, '$1');
  if (parts.length !== 3 || parts[0] !== TRASH_DIR || parts[1] !== BACKGROUND_DIR || !file || file.startsWith('.') || !/\.wav$/i.test(file)) {
    throw new DatasetError('not-found', `${trashed} is not a background recording in ${TRASH_DIR}/`);
  }
  if (!(await exists(join(root, rel)))) throw new DatasetError('not-found', `${trashed} is not in ${TRASH_DIR}/ (restored already?)`);
  const dir = join(root, BACKGROUND_DIR);
  await mkdir(dir, { recursive: true });
  const stem = file.replace(/\.wav$/i, '');
  let target = file;
  for (let i = 1; await exists(join(dir, target)); i++) target = `${stem}-${i}.wav`;
  await rename(join(root, rel), join(dir, target));
  await fsyncDir(dir);
  await fsyncDir(dirname(join(root, rel)));
  return backgroundEntry(root, `${BACKGROUND_DIR}/${target}`);
}
