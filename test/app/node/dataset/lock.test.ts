// The writer lock: a live writer in another process keeps the dataset; a lock whose pid now
// belongs to an unrelated live process, or to an earlier boot, is stale and taken over.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, openDataset } from '../../../../app/node/dataset/store.js';
import { datasetScratch } from './fixtures.js';

const { tempDir, openDs } = datasetScratch('hark-lock-');
const REPO = join(import.meta.dirname, '../../../..');
const STORE_URL = pathToFileURL(join(REPO, 'app/node/dataset/store.ts')).href;
// Process start times are read from /proc or `ps`; Windows has neither, and checks the pid only.
const canTellStarts = process.platform !== 'win32';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Start a process and resolve once it has written `ready` to stdout. */
function start(args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('ready')) resolve(child); });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before it was ready: ${stderr}`)));
  });
}

/** An unrelated live process (not a Hark writer). */
const bystander = (): Promise<ChildProcess> => start(['-e', "process.stdout.write('ready'); setInterval(() => {}, 1000)"]);

/** A real writer in another process: it opens the dataset and keeps it open. */
const writer = (root: string): Promise<ChildProcess> => start([
  '--import', 'tsx', '--input-type=module', '-e',
  `const { openDataset } = await import(${JSON.stringify(STORE_URL)}); await openDataset(${JSON.stringify(root)}); process.stdout.write('ready'); setInterval(() => {}, 1000);`,
]);

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('the writer lock', () => {
  it('a live writer in another process keeps the dataset; once it is killed, its lock is taken over', async () => {
    const d = await tempDir();
    const other = await writer(d);
    await expect(openDataset(d)).rejects.toMatchObject({ code: 'locked' });
    other.kill('SIGKILL');
    await exited(other);
    const ds = await openDs(d);
    expect(ds.recovery.map((r) => r.code)).toEqual(['stale-lock']);
  });

  it.skipIf(!canTellStarts)('a lock whose pid now belongs to an unrelated live process is stale', async () => {
    const d = await tempDir();
    const other = await bystander();
    // What a writer that crashed left, once its pid has gone to another process: the pid, and
    // the start time of the writer, not of the process that has the pid now.
    const lock = JSON.parse(await (async () => {
      const probe = await openDs(await tempDir());
      const text = await readFile(join(probe.root, LOCK_FILE), 'utf8');
      await probe.close();
      return text;
    })()) as { pid: number; started: string | null };
    expect(lock.started).toEqual(expect.any(String));
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ ...lock, pid: other.pid }));
    const ds = await openDs(d);
    expect(ds.recovery[0]).toMatchObject({ code: 'stale-lock', message: expect.stringContaining(`process ${other.pid}`) });
    expect(JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it.skipIf(!canTellStarts)('a lock that names a live pid but no start time (by hand, or an older Hark) is stale', async () => {
    const d = await tempDir();
    const other = await bystander();
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ pid: other.pid, createdAt: new Date().toISOString() }));
    const ds = await openDs(d);
    expect(ds.recovery.map((r) => r.code)).toContain('stale-lock');
  });

  it.skipIf(process.platform !== 'linux')('a lock from an earlier boot is stale even if its pid and start time match a process now', async () => {
    const d = await tempDir();
    const first = await openDs(d);
    const mine = JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8')) as { bootId: string };
    expect(mine.bootId).toMatch(/^[0-9a-f-]{36}$/);
    // This very process matches pid and start time; only the boot differs.
    await writeFile(join(d, LOCK_FILE), JSON.stringify({ ...mine, bootId: '00000000-0000-0000-0000-000000000000' }));
    const second = await openDataset(d);
    expect(second.recovery.map((r) => r.code)).toContain('stale-lock');
    await second.close();
    await first.close();
  });

  it('close leaves alone a lock that is no longer its own', async () => {
    const d = await tempDir();
    const ds = await openDs(d);
    const other = await bystander();
    const theirs = JSON.stringify({ pid: other.pid, started: 'theirs', bootId: null });
    await writeFile(join(d, LOCK_FILE), theirs);
    await ds.close();
    expect(await readFile(join(d, LOCK_FILE), 'utf8')).toBe(theirs);
  });
});
