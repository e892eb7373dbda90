// dataset.importWavs (app/engine/wav-upload.ts) and what a browser may call a file: every
// uploaded file is imported or rejected with a reason — a name the store cannot use is
// rejected by the store with its reason, a name the disk cannot hold is rejected alone —
// and the upload's scratch folder lives in the dataset's staging folder, so a crash
// mid-upload leaves nothing the next open does not remove.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { openDataset, STAGING_DIR } from '../../../app/node/dataset/store.js';
import { importUploadedWavs, safeRelativeName } from '../../../app/engine/wav-upload.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });
const wav = (): Uint8Array => encodeWav(Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i / 5)), 16000);

async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'hark-upload-names-'));
  dirs.push(root);
  return root;
}

describe('safeRelativeName', () => {
  it('keeps a file name the store would refuse, so that it is refused with a reason, not dropped', () => {
    expect(safeRelativeName('yes/ .wav', 0)).toEqual(['yes', ' .wav']);
    expect(safeRelativeName('yes/._bob_nohash_0.wav', 0)).toEqual(['yes', '._bob_nohash_0.wav']);
    expect(safeRelativeName('../../x/.wav', 0)).toEqual(['x', '.wav']);
    // Still one plain name under the scratch folder, ending in .wav.
    expect(safeRelativeName('a/b/c/d.wav  ', 0)).toEqual(['b', 'c', 'd.wav']);
    expect(safeRelativeName('..', 3)).toEqual(['clip-3.wav']);
  });
});

describe('importUploadedWavs and names', () => {
  it('accounts for every file: a name without a speaker and a hidden file are rejected by the store with its reason', async () => {
    const dataset = await openDataset(join(await project(), 'dataset'), { create: true });
    try {
      const files = ['yes/ .wav', 'yes/.wav', 'yes/bob_nohash_0.wav'].map((name) => ({ name, bytes: wav() }));
      const r = await importUploadedWavs(dataset, files, {});
      expect(r.imported.map((e) => e.path)).toEqual(['yes/bob_nohash_0.wav']);
      expect(r.rejected.map((x) => [x.file, x.code])).toEqual([['yes/ .wav', 'bad-name'], ['yes/.wav', 'hidden-file']]);
      expect(r.rejected[0].message).toMatch(/file name " \.wav" has no letter or digit/);
    } finally {
      await dataset.close();
    }
  });

  it('a name too long for the disk is rejected alone; the rest of the batch is imported', async () => {
    const dataset = await openDataset(join(await project(), 'dataset'), { create: true });
    try {
      const long = `${'é'.repeat(150)}_nohash_0.wav`; // 158 characters (the protocol takes 200), 312 bytes: more than a file name may be
      const r = await importUploadedWavs(dataset, [{ name: `yes/${long}`, bytes: wav() }, { name: 'yes/bob_nohash_0.wav', bytes: wav() }], {});
      expect(r.imported.map((e) => e.path)).toEqual(['yes/bob_nohash_0.wav']);
      expect(r.rejected.map((x) => [x.file, x.code])).toEqual([[`yes/${long}`, 'name-too-long']]);
      expect(r.rejected[0].message).toMatch(/too long/);
    } finally {
      await dataset.close();
    }
  });

  it('a crash mid-upload leaves nothing behind once the dataset is opened again', async () => {
    const root = await project();
    const dir = join(root, 'dataset');
    const child = run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'upload-crash-child.ts'), dir], { cwd: join(import.meta.dirname, '../../..') });
    await expect(child).rejects.toMatchObject({ signal: 'SIGKILL' });
    const dataset = await openDataset(dir);
    try {
      expect(dataset.recovery.map((n) => n.code)).toContain('temp-removed');
      expect(await readdir(root)).toEqual(['dataset']);
      expect(await readdir(dir)).not.toContain(STAGING_DIR);
      expect(dataset.clips()).toEqual([]);
    } finally {
      await dataset.close();
    }
  }, 60_000);
});
