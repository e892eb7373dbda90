// Atomic file writes for the dataset store, and its typed error.
//
// writeFileAtomic writes to a temp file in the same directory (so the rename cannot cross
// file systems), fsyncs it, renames it over the target and fsyncs the directory, so after a
// crash the target holds either its old or its new bytes, never a mix. A crash before the
// rename leaves a temp file behind; cleanTempFiles (called when a dataset is opened) removes
// it. Temp names are `.<name>.hark-tmp-<pid>-<random>` — hidden, and recognisable.

import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HarkError } from '../../../core/errors.js';

/** A dataset operation that failed; `code` says why (locked, bad-name, not-found, ...). */
export class DatasetError extends HarkError {}

export const TEMP_MARKER = '.hark-tmp-';

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

/** fsync a directory so a rename or unlink in it is durable (a no-op where unsupported). */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Windows cannot open or fsync a directory; the rename is as durable as it gets there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

/** Replace `path` with `bytes` atomically: temp file, fsync, rename, directory fsync. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = tempPathFor(path);
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    renamed = true;
    await fsyncDir(dirname(path));
  } catch (err) {
    if (!renamed) await rm(temp, { force: true }).catch(() => undefined);
    throw new DatasetError('write-failed', `could not write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Remove temp files left by interrupted writes under `dir` (recursively). Returns their paths. */
export async function cleanTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && isTempName(entry.name)) {
        await rm(full, { force: true });
        removed.push(full);
      }
    }
  };
  await walk(dir);
  if (removed.length > 0) await fsyncDir(dir);
  return removed;
}
