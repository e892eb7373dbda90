// Exporting the dataset: a copy in `dest` (which must not exist or be empty) of its clips,
// background noise and manifest, with validation_list.txt / testing_list.txt holding the
// split a run uses, so other tools (and Hark anywhere) train on the same splits. Runs in
// one turn of the write queue, so the copy is of one state of the dataset.

import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKGROUND_DIR } from '../../../core/kws/labels.js';
import { DatasetError, writeFileAtomic } from './atomic.js';
import { backgroundFiles } from './backgrounds.js';
import type { ClipIndex } from './clip-index.js';
import { exists } from './fs-helpers.js';
import { writeManifest, type ClipEntry } from './manifest.js';
import { formatSplitLists, TESTING_LIST, VALIDATION_LIST } from './split.js';

/** Copy the dataset of `index` to `dest`; `runClips` are its clips with the split a run uses (Dataset.splitPlan). */
export async function exportDataset(index: ClipIndex, runClips: readonly ClipEntry[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  if ((await readdir(dest)).length > 0) throw new DatasetError('not-empty', `${dest} is not empty`);
  for (const e of index.clips()) {
    await mkdir(join(dest, e.label), { recursive: true });
    await copyFile(join(index.root, e.path), join(dest, e.path));
  }
  if (await exists(join(index.root, BACKGROUND_DIR))) await mkdir(join(dest, BACKGROUND_DIR), { recursive: true });
  for (const path of await backgroundFiles(index.root)) await copyFile(join(index.root, path), join(dest, path));
  const lists = formatSplitLists(runClips);
  await writeFileAtomic(join(dest, VALIDATION_LIST), lists.validation);
  await writeFileAtomic(join(dest, TESTING_LIST), lists.testing);
  await writeManifest(dest, index.manifest());
}
