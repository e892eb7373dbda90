// Many mutations of one dataset at once, as the app makes them (a new take while the last
// one is saving, an import on the same screen): every one that answers success is on disk,
// the manifest lists exactly the files, and nothing is lost or overwritten.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../../core/audio/wav.js';
import { MANIFEST_FILE, type Dataset, type Manifest } from '../../../../app/node/dataset/store.js';
import { datasetScratch } from './fixtures.js';

const { tempDir, openDs } = datasetScratch('hark-concurrency-');

/** A different clip for every `k` (so every recording has its own sha256). */
const take = (k: number): Float32Array => Float32Array.from({ length: 800 + k }, (_, i) => 0.2 * Math.sin((2 * Math.PI * (200 + 7 * k) * i) / 16000));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const shaOf = (samples: Float32Array): string => sha(encodeWav(samples, 16000));

/** A folder to import: `<label>/<speaker>_nohash_<n>.wav` for each take number given. */
async function importSource(label: string, speaker: string, takes: number[]): Promise<string> {
  const src = await tempDir();
  await mkdir(join(src, label));
  for (const [n, k] of takes.entries()) await writeFile(join(src, label, `${speaker}_nohash_${n}.wav`), encodeWav(take(k), 16000));
  return src;
}

/** The dataset's manifest on disk matches the files, byte for byte, and the in-memory index. Returns its sha256s. */
async function checkConsistent(ds: Dataset): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(ds.root, MANIFEST_FILE), 'utf8')) as Manifest;
  expect(manifest).toEqual(ds.manifest());
  for (const e of manifest.entries) expect(sha(new Uint8Array(await readFile(join(ds.root, e.path)))), e.path).toBe(e.sha256);
  const onDisk: string[] = [];
  for (const d of await readdir(ds.root, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.') || d.name.startsWith('_')) continue;
    for (const f of await readdir(join(ds.root, d.name))) onDisk.push(`${d.name}/${f}`);
  }
  expect(onDisk.sort()).toEqual(manifest.entries.map((e) => e.path));
  return manifest.entries.map((e) => e.sha256).sort();
}

describe('concurrent writes to one dataset', () => {
  it('10 simultaneous recordings of one word and speaker: 10 clips, 10 paths, all on disk', async () => {
    const ds = await openDs(await tempDir());
    const takes = Array.from({ length: 10 }, (_, k) => take(k));
    const added = await Promise.all(takes.map((t) => ds.addClip('yes', 'me', t)));
    expect(new Set(added.map((c) => c.path)).size).toBe(10);
    expect(added.map((c) => c.sha256)).toEqual(takes.map(shaOf));
    expect(await checkConsistent(ds)).toEqual(takes.map(shaOf).sort());
  });

  it('an import racing with recordings of the same word and speaker loses none of either', async () => {
    const ds = await openDs(await tempDir());
    const src = await importSource('yes', 'me', [100, 101, 102, 103, 104, 105]);
    const recorded = Array.from({ length: 6 }, (_, k) => take(k));
    const [imported, ...added] = await Promise.all([ds.importFolder(src), ...recorded.map((t) => ds.addClip('yes', 'me', t))]);
    expect(imported.rejected).toEqual([]);
    expect(imported.imported).toHaveLength(6);
    const expected = [...recorded, ...[100, 101, 102, 103, 104, 105].map(take)].map(shaOf).sort();
    expect(await checkConsistent(ds)).toEqual(expected);
    expect(new Set([...imported.imported, ...added].map((c) => c.path)).size).toBe(12);
  });

  it('100 concurrent recordings, imports, relabels, deletes, background adds and an export: every success is on disk', async () => {
    const root = await tempDir();
    let ds = await openDs(root);
    // 40 clips to relabel and delete, recorded one after another.
    const before: { path: string; sha256: string }[] = [];
    for (let k = 0; k < 40; k++) before.push(await ds.addClip(k % 2 ? 'one' : 'two', `s${k % 5}`, take(1000 + k)));
    const sources = await Promise.all(Array.from({ length: 5 }, (_, i) => importSource(i % 2 ? 'yes' : 'no', 'me', [2000 + 4 * i, 2001 + 4 * i, 2002 + 4 * i, 2003 + 4 * i])));
    const exportDir = join(await tempDir(), 'export');

    // 50 recordings, 20 relabels, 20 deletes, 5 imports of 4 files, 4 background recordings and
    // an export, called without waiting, the kinds taking turns from the first call to the last.
    type Op = { kind: 'add' | 'relabel' | 'delete' | 'import' | 'background'; i: number } | { kind: 'export' };
    const lane = (kind: 'add' | 'relabel' | 'delete' | 'import' | 'background', n: number, from = 0): Op[] => Array.from({ length: n }, (_, i) => ({ kind, i: from + i }));
    const lanes = [lane('add', 50), lane('relabel', 20), lane('delete', 20, 20), lane('import', 5), lane('background', 4), [{ kind: 'export' } as Op]];
    const ops: Op[] = [];
    for (let turn = 0; turn < 50; turn++) for (const l of lanes) if (turn < l.length) ops.push(l[turn]);
    expect(ops).toHaveLength(100);

    const run = (op: Op): Promise<unknown> => {
      switch (op.kind) {
        case 'add': return ds.addClip(op.i % 3 ? 'yes' : 'no', 'me', take(op.i));
        case 'import': return ds.importFolder(sources[op.i]);
        case 'relabel': return ds.relabel(before[op.i].path, 'moved');
        case 'delete': return ds.deleteClip(before[op.i].path);
        case 'background': return ds.addBackground('hum', take(3000 + op.i));
        case 'export': return ds.exportTo(exportDir);
      }
    };
    const settled = await Promise.allSettled(ops.map(run));
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const results = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);

    const expected: string[] = before.slice(0, 20).map((c) => c.sha256); // relabelled, kept
    const paths: string[] = [];
    for (const [i, op] of ops.entries()) {
      const r = results[i];
      if (op.kind === 'add') {
        const c = r as { path: string; sha256: string };
        expect(c.sha256).toBe(shaOf(take(op.i)));
        expect(ds.get(c.path)?.sha256).toBe(c.sha256);
        expected.push(c.sha256);
        paths.push(c.path);
      } else if (op.kind === 'import') {
        const { imported, rejected } = r as { imported: { path: string; sha256: string }[]; rejected: unknown[] };
        expect(rejected).toEqual([]);
        expect(imported).toHaveLength(4);
        for (const c of imported) {
          expect(ds.get(c.path)?.sha256).toBe(c.sha256);
          expected.push(c.sha256);
          paths.push(c.path);
        }
      } else if (op.kind === 'relabel') {
        const c = r as { path: string; label: string; sha256: string };
        expect([c.label, c.sha256]).toEqual(['moved', before[op.i].sha256]);
        expect(ds.get(c.path)?.sha256).toBe(c.sha256);
        expect(ds.get(before[op.i].path)).toBeUndefined();
        paths.push(c.path);
      } else if (op.kind === 'delete') {
        const trashed = r as string;
        expect(sha(new Uint8Array(await readFile(join(root, trashed))))).toBe(before[op.i].sha256);
        expect(ds.get(before[op.i].path)).toBeUndefined();
      } else if (op.kind === 'background') {
        expect(existsSync(join(root, r as string))).toBe(true);
        paths.push(r as string);
      }
    }
    expect(new Set(paths).size).toBe(paths.length); // no two successes on one path
    expect(await ds.backgroundFiles()).toHaveLength(4);
    expect(ds.clips()).toHaveLength(40 + 50 + 20 - 20);
    expect(await checkConsistent(ds)).toEqual(expected.sort());

    // The export is one consistent state: it opens without a repair.
    const copy = await openDs(exportDir);
    expect(copy.recovery).toEqual([]);
    await checkConsistent(copy);

    // And the dataset itself reopens with nothing to repair.
    const clips = ds.clips();
    await ds.close();
    ds = await openDs(root);
    expect(ds.recovery).toEqual([]);
    expect(ds.clips()).toEqual(clips);
  });

  it('close waits for the writes already called, then releases the lock', async () => {
    const root = await tempDir();
    const ds = await openDs(root);
    const pending = Array.from({ length: 5 }, (_, k) => ds.addClip('yes', 'me', take(k)));
    await ds.close();
    await expect(ds.addClip('yes', 'me', take(9))).rejects.toMatchObject({ code: 'closed' });
    const added = await Promise.all(pending);
    const again = await openDs(root);
    expect(again.recovery).toEqual([]);
    expect(again.clips().map((c) => c.sha256).sort()).toEqual(added.map((c) => c.sha256).sort());
  });
});
