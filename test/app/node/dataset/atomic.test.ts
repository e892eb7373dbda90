import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanTempFiles, DatasetError, isTempName, tempPathFor, writeFileAtomic } from '../../../../app/node/dataset/atomic.js';
import { HarkError } from '../../../../core/errors.js';

const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'hark-atomic-'));
  dirs.push(d);
  return d;
}

describe('writeFileAtomic', () => {
  it('writes new files and replaces existing ones, leaving no temp file', async () => {
    const d = await tempDir();
    const p = join(d, 'a.json');
    await writeFileAtomic(p, 'first');
    expect(await readFile(p, 'utf8')).toBe('first');
    await writeFileAtomic(p, new Uint8Array([1, 2, 3]));
    expect([...(await readFile(p))]).toEqual([1, 2, 3]);
    expect(await readdir(d)).toEqual(['a.json']);
  });

  it('a crash before the rename leaves the old file intact; the temp is cleaned later', async () => {
    const d = await tempDir();
    const p = join(d, 'm.json');
    await writeFileAtomic(p, 'old');
    // Simulate the crash: the temp file was written, the rename never happened.
    const temp = tempPathFor(p);
    expect(isTempName(temp.slice(d.length + 1))).toBe(true);
    await writeFile(temp, 'new but half-writ');
    expect(await readFile(p, 'utf8')).toBe('old');
    const removed = await cleanTempFiles(d);
    expect(removed).toEqual([temp]);
    expect(await readdir(d)).toEqual(['m.json']);
    expect(await readFile(p, 'utf8')).toBe('old');
  });

  it('fails with a typed error when the directory does not exist', async () => {
    const d = await tempDir();
    const err = await writeFileAtomic(join(d, 'missing', 'x'), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toBeInstanceOf(HarkError);
    expect((err as DatasetError).code).toBe('write-failed');
  });
});
