// Finding what ships beside the code, and reading it once: the environment variable wins
// (and an empty one means none), the repository's assets/ folder is found from the source,
// and a failed read is tried again rather than kept.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findBundled, onceRetrying } from '../../../app/node/bundled-asset.js';

const VAR = 'HARK_TEST_BUNDLED_ASSET';
const dirs: string[] = [];
afterEach(async () => {
  delete process.env[VAR];
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('findBundled', () => {
  it('takes the environment variable when its asset is there, and nothing else when it is set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hark-asset-'));
    dirs.push(dir);
    process.env[VAR] = dir;
    expect(findBundled(VAR, 'other-speech', 'manifest.json')).toBeNull(); // set but incomplete: not the repository's
    await writeFile(join(dir, 'manifest.json'), '{}');
    expect(findBundled(VAR, 'other-speech', 'manifest.json')).toBe(dir);
    process.env[VAR] = '';
    expect(findBundled(VAR, 'other-speech', 'manifest.json')).toBeNull();
  });

  it('finds the repository\'s assets above the module when the variable is not set', () => {
    const found = findBundled(VAR, 'other-speech', 'manifest.json');
    expect(found).toBe(join(import.meta.dirname, '../../../assets/other-speech'));
    expect(findBundled(VAR, 'no-such-asset')).toBeNull();
  });
});

describe('onceRetrying', () => {
  it('loads once and keeps the result, but tries a failed load again', async () => {
    let calls = 0;
    const load = onceRetrying(async () => {
      calls++;
      if (calls === 1) throw new Error('disk busy');
      return calls;
    });
    await expect(load()).rejects.toThrow('disk busy');
    expect(await load()).toBe(2);
    expect(await load()).toBe(2);
    expect(calls).toBe(2);
  });
});
