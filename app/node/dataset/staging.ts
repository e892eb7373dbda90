// Scratch folders inside the dataset, `.hark-staging/<random>`, for files on their way in
// (e.g. uploaded WAVs on their way to importFolder). The caller removes its folder when
// done; one a crash left behind is removed by the next open (cleanStaging, recovery.ts).

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeIfEmpty } from './fs-helpers.js';

export const STAGING_DIR = '.hark-staging';

/** A new empty scratch folder in the dataset at `root`; its path. */
export async function makeStagingDir(root: string): Promise<string> {
  const dir = join(root, STAGING_DIR, randomBytes(6).toString('hex'));
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Remove the scratch folders of imports that never finished. Returns their paths. */
export async function cleanStaging(root: string): Promise<string[]> {
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
