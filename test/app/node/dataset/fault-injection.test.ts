// Fault injection: kill a real process at every file-system step of add, relabel, delete and
// import (and of deleting and restoring a background recording), then check that the dataset still opens (taking over the dead writer's lock), holds
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
import { isTempName } from '../../../../app/node/dataset/atomic.js';
import { BACKGROUND_DIR, LOCK_FILE, MANIFEST_FILE, TRASH_DIR, openDataset, type Manifest } from '../../../../app/node/dataset/store.js';
import { encodeWav } from '../../../../core/audio/wav.js';
import { FSDD } from './fixtures.js';

const REPO = join(import.meta.dirname, '../../../..');
const STORE_URL = pathToFileURL(join(REPO, 'app/node/dataset/store.ts')).href;

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
} else if (op === 'delete-background') {
  await ds.deleteBackground(arg);
} else if (op === 'restore-background') {
  await ds.restoreBackground(arg);
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

describe('fault injection: a kill at any step of deleting or restoring a background recording', () => {
  let work: string;
  let base: string;
  let script: string;
  let clips: string[];
  let copies = 0;
  const hum = `${BACKGROUND_DIR}/hum.wav`;
  const fan = `${TRASH_DIR}/${BACKGROUND_DIR}/fan.wav`;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hark-fault-bg-'));
    script = join(work, 'child.mjs');
    await writeFile(script, CHILD);
    base = join(work, 'base');
    await mkdir(join(base, 'one'), { recursive: true });
    await copyFile(join(FSDD, 'one', 'jackson_nohash_0.wav'), join(base, 'one', 'jackson_nohash_0.wav'));
    const tone = (f: number) => encodeWav(Float32Array.from({ length: 8000 }, (_, i) => 0.2 * Math.sin((2 * Math.PI * f * i) / 16000)), 16000);
    await mkdir(join(base, BACKGROUND_DIR));
    await writeFile(join(base, hum), tone(50));
    await mkdir(join(base, TRASH_DIR, BACKGROUND_DIR), { recursive: true });
    await writeFile(join(base, fan), tone(120));
    const ds = await openDataset(base);
    clips = ds.clips().map((c) => `${c.label}|${c.speaker}|${c.sha256}`).sort();
    await ds.close();
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Every background file, in place or in the trash, as `folder/name|sha256` (after checking the clips are intact). */
  async function backgroundState(root: string, expectStaleLock: boolean): Promise<string[]> {
    expect(await checkAndRead(root, expectStaleLock)).toEqual(clips);
    const out: string[] = [];
    for (const dir of [BACKGROUND_DIR, `${TRASH_DIR}/${BACKGROUND_DIR}`]) {
      const names = existsSync(join(root, dir)) ? await readdir(join(root, dir)) : [];
      for (const name of names) out.push(`${dir}/${name}|${sha(new Uint8Array(await readFile(join(root, dir, name))))}`);
    }
    return out.sort();
  }

  for (const { op, arg } of [{ op: 'delete-background', arg: hum }, { op: 'restore-background', arg: fan }]) {
    it(`${op}: the file is in its place or in the trash, once, intact`, async () => {
      const fresh = async (): Promise<string> => {
        const d = join(work, `run-${copies++}`);
        await cp(base, d, { recursive: true });
        return d;
      };
      const clean = await fresh();
      const before = await backgroundState(clean, false);
      const ok = await runChild(script, clean, op, arg, 0);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      const { steps } = JSON.parse(ok.stdout) as { steps: number };
      const after = await backgroundState(clean, false);
      expect(after).not.toEqual(before);
      expect(after.map((k) => k.split('|')[1]).sort()).toEqual(before.map((k) => k.split('|')[1]).sort());

      const results = await pool(2, Array.from({ length: steps }, (_, i) => async () => {
        const d = await fresh();
        const r = await runChild(script, d, op, arg, i + 1);
        expect(r.signal, `k=${i + 1}: ${r.stderr}`).toBe('SIGKILL');
        const state = await backgroundState(d, true);
        await rm(d, { recursive: true, force: true });
        return state;
      }));
      for (const [i, state] of results.entries()) {
        expect([before, after].some((s) => JSON.stringify(s) === JSON.stringify(state)), `state after a kill at step ${i + 1} of ${op}`).toBe(true);
      }
      expect(results[0]).toEqual(before);
      expect(results.some((r) => JSON.stringify(r) === JSON.stringify(after))).toBe(true);
    });
  }
});
