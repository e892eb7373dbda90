// Fault injection: kill a real process at every file-system step of add, relabel, delete and
// import, then check that the dataset still opens (taking over the dead writer's lock), holds
// the clips of the state before or after the operation, lists only files that exist and match
// their sha256, and has no temp files left.
//
// A child script (written to a temp dir) patches node:fs/promises (and FileHandle methods)
// so that the k-th mutating call after the dataset is open SIGKILLs the process before the
// call runs. A clean run (no crash) gives the "after" state and the number of steps N; every
// k = 1..N is then run on a fresh copy of the starting dataset.
//
// Import is not all-or-nothing: it writes the clips one by one and saves the manifest once,
// and the next open adds clips found on disk. So for import the acceptable states are "before
// plus a prefix of the imported clips, in import order" (which include before and after).
//
// Data: a few Free Spoken Digit Dataset recordings (CC BY-SA 4.0), copied to a temp dir.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTempName } from '../../../../app/engine/dataset/atomic.js';
import { LOCK_FILE, MANIFEST_FILE, openDataset, type Manifest } from '../../../../app/engine/dataset/store.js';
import { FSDD } from './fixtures.js';

const REPO = join(import.meta.dirname, '../../../..');
const STORE_URL = pathToFileURL(join(REPO, 'app/engine/dataset/store.ts')).href;

const CHILD = `
import { createRequire, syncBuiltinESMExports } from 'node:module';
const require = createRequire(import.meta.url);
const fsp = require('node:fs/promises');
const [storeUrl, root, op, arg] = process.argv.slice(2);
const crashAt = Number(process.env.HARK_CRASH_AT ?? '0');
let step = 0;
let armed = false;
const tick = () => {
  if (!armed) return;
  step++;
  if (step === crashAt) process.kill(process.pid, 'SIGKILL');
};
for (const name of ['open', 'rename', 'rm', 'unlink', 'mkdir', 'copyFile', 'writeFile', 'appendFile', 'truncate', 'rmdir']) {
  const orig = fsp[name];
  fsp[name] = function (...args) { tick(); return orig.apply(this, args); };
}
syncBuiltinESMExports();
const probe = await fsp.open(process.argv[1], 'r');
const proto = Object.getPrototypeOf(probe);
await probe.close();
for (const name of ['writeFile', 'write', 'sync', 'datasync', 'truncate']) {
  const orig = proto[name];
  proto[name] = function (...args) { tick(); return orig.apply(this, args); };
}
const { openDataset } = await import(storeUrl);
const ds = await openDataset(root);
armed = true;
let imported = [];
if (op === 'add') {
  const samples = Float32Array.from({ length: 4000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000));
  await ds.addClip('zero', 'tester', samples);
} else if (op === 'relabel') {
  await ds.relabel(arg, 'nine');
} else if (op === 'delete') {
  await ds.deleteClip(arg);
} else if (op === 'import') {
  const r = await ds.importFolder(arg);
  if (r.rejected.length > 0) throw new Error('rejected: ' + JSON.stringify(r.rejected));
  imported = r.imported.map((e) => e.label + '|' + e.speaker + '|' + e.sha256);
}
armed = false;
await ds.close();
process.stdout.write(JSON.stringify({ steps: step, imported }));
`;

interface ChildResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function runChild(script: string, root: string, op: string, arg: string, crashAt: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, STORE_URL, root, op, arg], {
      cwd: REPO, env: { ...process.env, HARK_CRASH_AT: String(crashAt) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The dataset's clips as sorted `label|speaker|sha256` keys (after checking its integrity). */
async function checkAndRead(root: string, expectStaleLock: boolean): Promise<string[]> {
  const ds = await openDataset(root);
  const codes = ds.recovery.map((r) => r.code);
  if (expectStaleLock) expect(codes).toContain('stale-lock');
  const keys = ds.clips().map((c) => `${c.label}|${c.speaker}|${c.sha256}`).sort();
  await ds.close();
  expect(existsSync(join(root, LOCK_FILE))).toBe(false);
  // The manifest on disk: every entry's file exists and matches its checksum, and lists every clip.
  const manifest = JSON.parse(await readFile(join(root, MANIFEST_FILE), 'utf8')) as Manifest;
  for (const e of manifest.entries) {
    const bytes = new Uint8Array(await readFile(join(root, e.path)));
    expect(sha(bytes), e.path).toBe(e.sha256);
  }
  expect(manifest.entries.map((e) => `${e.label}|${e.speaker}|${e.sha256}`).sort()).toEqual(keys);
  const onDisk: string[] = [];
  for (const d of await readdir(root, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.') || d.name.startsWith('_')) continue;
    for (const f of await readdir(join(root, d.name))) if (f.endsWith('.wav')) onDisk.push(`${d.name}/${f}`);
  }
  expect(onDisk.sort()).toEqual(manifest.entries.map((e) => e.path).sort());
  // No temp files anywhere.
  const temps = (await readdir(root, { recursive: true })).filter((p) => isTempName(p.split(/[/\\]/).pop() ?? ''));
  expect(temps).toEqual([]);
  return keys;
}

async function pool<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  }));
  return out;
}

describe('fault injection: a kill at any step of a dataset operation', () => {
  let work: string;
  let base: string;
  let script: string;
  let importSrc: string;
  let before: string[];
  let copies = 0;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hark-fault-'));
    script = join(work, 'child.mjs');
    await writeFile(script, CHILD);
    base = join(work, 'base');
    const picks: [string, string][] = [
      ['one', 'jackson_nohash_0.wav'], ['one', 'nicolas_nohash_0.wav'], ['two', 'jackson_nohash_1.wav'], ['two', 'yweweler_nohash_2.wav'],
    ];
    for (const [label, file] of picks) {
      await mkdir(join(base, label), { recursive: true });
      await copyFile(join(FSDD, label, file), join(base, label, file));
    }
    const ds = await openDataset(base); // writes the manifest
    before = ds.clips().map((c) => `${c.label}|${c.speaker}|${c.sha256}`).sort();
    await ds.close();
    importSrc = join(work, 'import-src');
    const imports: [string, string][] = [['three', 'jackson_nohash_0.wav'], ['three', 'nicolas_nohash_0.wav'], ['four', 'yweweler_nohash_0.wav']];
    for (const [label, file] of imports) {
      await mkdir(join(importSrc, label), { recursive: true });
      await copyFile(join(FSDD, label, file), join(importSrc, label, file));
    }
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function freshCopy(): Promise<string> {
    const d = join(work, `run-${copies++}`);
    await cp(base, d, { recursive: true });
    return d;
  }

  const cases: { op: string; arg: () => string }[] = [
    { op: 'add', arg: () => '' },
    { op: 'relabel', arg: () => 'one/jackson_nohash_0.wav' },
    { op: 'delete', arg: () => 'two/yweweler_nohash_2.wav' },
    { op: 'import', arg: () => importSrc },
  ];

  for (const { op, arg } of cases) {
    it(`${op}: before or after${op === 'import' ? ' (or before plus a prefix of the imported clips)' : ''}, intact`, async () => {
      const clean = await freshCopy();
      const ok = await runChild(script, clean, op, arg(), 0);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const { steps, imported } = JSON.parse(ok.stdout) as { steps: number; imported: string[] };
      const after = await checkAndRead(clean, false);
      expect(after).not.toEqual(before);
      expect(steps).toBeGreaterThan(3);

      const acceptable = [before, after];
      if (op === 'import') {
        expect(imported.length).toBe(3);
        for (let i = 1; i < imported.length; i++) acceptable.push([...before, ...imported.slice(0, i)].sort());
      }

      const ks = Array.from({ length: steps }, (_, i) => i + 1);
      const results = await pool(2, ks.map((k) => async () => {
        const d = await freshCopy();
        const r = await runChild(script, d, op, arg(), k);
        expect(r.signal, `k=${k}: ${r.stderr}`).toBe('SIGKILL');
        const state = await checkAndRead(d, true);
        await rm(d, { recursive: true, force: true });
        return { k, state };
      }));
      for (const { k, state } of results) {
        expect(acceptable.some((s) => JSON.stringify(s) === JSON.stringify(state)), `state after a kill at step ${k} of ${op}`).toBe(true);
      }
      // Both ends are reached: a kill at the first step leaves "before", at the last step "after"
      // (the last step is the directory fsync after the manifest rename).
      expect(results[0].state).toEqual(before);
      expect(results[results.length - 1].state).toEqual(after);
      // Every acceptable state is actually reached (for import: each prefix of the imported clips).
      for (const s of acceptable) expect(results.some((r) => JSON.stringify(r.state) === JSON.stringify(s))).toBe(true);
    });
  }
});
