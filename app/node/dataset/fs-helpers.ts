// Small file-system helpers the dataset store's parts share.

import { rmdir, stat } from 'node:fs/promises';
import { sep } from 'node:path';

/** A path relative to the root with '/' separators, as the manifest and the API name files. */
export const toPosix = (p: string): string => p.split(sep).join('/');

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Remove `dir` if nothing is in it; whether it did. Tidying only, so it never fails the
 * operation that asked (a folder still there is removed by the next open).
 */
export async function removeIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}
