// The dataset's writer lock: `<root>/.hark-lock`, created with O_EXCL, naming the process
// that holds it.
//
// What makes a lock stale. A pid alone is not an identity: pids are reused, so once a
// writer has crashed, an unrelated process that later gets its pid would keep the dataset
// locked for as long as it runs. So the lock also records when its process started, as the
// system reports it (Linux: `starttime` in /proc/<pid>/stat, in clock ticks since boot,
// with the boot id because those ticks restart at every boot; macOS and other Unixes:
// `ps -o lstart=`). The holder is alive only if a process with that pid exists now and
// started at that same moment of the same boot. No heartbeat is needed, so a live writer
// that is busy or suspended (a closed laptop lid) keeps its lock, which a lock that must be
// refreshed could not promise. Where the start time cannot be read (Windows), only the pid
// is checked. A lock that names a live pid but no start time, on a system that can read
// one, was not written by this store (by hand, or by a Hark from before this check) and
// cannot be verified, so it is stale.
//
// Known limit: two processes taking over the same stale lock at the same instant can both
// succeed (the take-over is remove-then-create); a live writer's lock is never taken.

import { execFile } from 'node:child_process';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, fsyncDir } from './atomic.js';

export const LOCK_FILE = '.hark-lock';

/** A lock file that cannot be read yet may be one a writer is creating right now: honoured this long. */
const HALF_WRITTEN_GRACE_MS = 10_000;

interface LockHolder {
  pid: number;
  /** When the process started, as this system reports it; null where it cannot be read. */
  started: string | null;
  /** Linux's boot id (the `started` ticks count from boot); null elsewhere. */
  bootId: string | null;
}

let ownBootId: Promise<string | null> | undefined;

/** This boot's id (Linux), or null. */
function bootId(): Promise<string | null> {
  ownBootId ??= process.platform === 'linux'
    ? readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim() || null, () => null)
    : Promise.resolve(null);
  return ownBootId;
}

/** When process `pid` started, as an opaque string to compare; null if that cannot be read here (or it is gone). */
async function processStarted(pid: number): Promise<string | null> {
  if (process.platform === 'win32') return null;
  if (process.platform === 'linux') {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Field 2 (the command) is in parentheses and may hold spaces; field 22 is starttime.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[19] ?? null;
    } catch {
      return null;
    }
  }
  // LC_ALL=C: the same date format whoever runs it.
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'lstart=', '-p', String(pid)], { env: { ...process.env, LC_ALL: 'C' }, timeout: 5000 }, (err, stdout) => {
      resolve(err ? null : stdout.trim() || null);
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process a lock names is the one that wrote it, and still running. */
async function holderAlive(holder: LockHolder): Promise<boolean> {
  const here = await bootId();
  if (holder.bootId !== null && here !== null && holder.bootId !== here) return false;
  if (!pidAlive(holder.pid)) return false;
  const now = await processStarted(holder.pid);
  // Cannot be read here (Windows, or a process hidden from us): the pid is all there is to go on.
  if (now === null) return pidAlive(holder.pid);
  return holder.started === now;
}

/** The holder a lock file names (a start time and boot id it lacks are null), or undefined if it names none. */
function parseHolder(text: string): LockHolder | undefined {
  const x = JSON.parse(text) as Record<string, unknown>;
  if (typeof x !== 'object' || x === null || typeof x.pid !== 'number' || !Number.isInteger(x.pid) || x.pid <= 0) return undefined;
  return {
    pid: x.pid,
    started: typeof x.started === 'string' ? x.started : null,
    bootId: typeof x.bootId === 'string' ? x.bootId : null,
  };
}

let ownStart: Promise<string | null> | undefined;

async function me(): Promise<LockHolder> {
  ownStart ??= processStarted(process.pid);
  return { pid: process.pid, started: await ownStart, bootId: await bootId() };
}

/** Create the lock file with 'wx'; take over a stale one. Returns a sentence saying so if it did. */
export async function acquireLock(root: string): Promise<string | undefined> {
  const path = join(root, LOCK_FILE);
  const holder = await me();
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify({ ...holder, createdAt: new Date().toISOString() }));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsyncDir(root);
      return tookOver;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new DatasetError('lock-failed', `could not create ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
    let other: LockHolder | undefined;
    let ageMs = Infinity;
    try {
      const text = await readFile(path, 'utf8');
      ageMs = Date.now() - (await stat(path)).mtimeMs;
      other = parseHolder(text);
    } catch {
      // Unreadable or half-written: a writer that is creating it right now, or one that died doing so.
    }
    const live = other !== undefined ? await holderAlive(other) : ageMs < HALF_WRITTEN_GRACE_MS;
    if (live) {
      throw new DatasetError('locked', `the dataset at ${root} is open for writing by ${other !== undefined ? `process ${other.pid}` : 'another process'}`);
    }
    await rm(path, { force: true });
    tookOver = other === undefined
      ? 'took over an unreadable lock'
      : pidAlive(other.pid)
        ? `took over a stale lock of process ${other.pid}: that pid now belongs to another process`
        : `took over a stale lock of process ${other.pid}, which is no longer running`;
  }
  throw new DatasetError('locked', `could not take the lock of ${root}`);
}

/** Remove the lock file if it is still this process's (never one another process has since taken). */
export async function releaseLock(root: string): Promise<void> {
  const path = join(root, LOCK_FILE);
  let holder;
  try {
    holder = parseHolder(await readFile(path, 'utf8'));
  } catch {
    return;
  }
  const mine = await me();
  if (holder && holder.pid === mine.pid && holder.started === mine.started) await rm(path, { force: true });
}
