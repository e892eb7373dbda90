// The read-only folder loader of `hark train`, `eval` and `compare`: Speech Commands layout,
// any WAV format converted to 16 kHz, list files or the speaker hash deciding the splits,
// unreadable files as warnings — and nothing written into the folder.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { whichSet } from '../../../app/node/dataset/split.js';
import { bySplit, loadFolder } from '../../../app/cli/load-folder.js';
import { removeAll, tempDir } from './helpers.js';

const dirs: string[] = [];
let root: string;
afterAll(() => removeAll(dirs));

const tone = (seconds: number, rate: number): Uint8Array => encodeWav(new Float32Array(Math.round(seconds * rate)).map((_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / rate)), rate);

beforeAll(async () => {
  root = await tempDir('hark-cli-folder-', dirs);
  for (const label of ['go', 'stop', '_background_noise_', '.hark-trash', '_private']) await mkdir(join(root, label));
  await writeFile(join(root, 'go', 'alice_nohash_0.wav'), tone(0.5, 8000));
  await writeFile(join(root, 'go', 'alice_nohash_1.wav'), tone(0.5, 16000));
  await writeFile(join(root, 'go', 'bob_nohash_0.wav'), tone(0.8, 44100));
  await writeFile(join(root, 'go', 'broken_nohash_0.wav'), 'not a wav at all');
  await writeFile(join(root, 'go', 'notes.txt'), 'ignored');
  await writeFile(join(root, 'go', '.go.wav.hark-tmp-1-abc'), tone(0.1, 16000)); // an interrupted write: not a clip
  await writeFile(join(root, 'stop', 'carol_nohash_0.wav'), tone(0.3, 22050));
  await writeFile(join(root, '_background_noise_', 'hum.wav'), tone(2, 16000));
  await writeFile(join(root, '.hark-trash', 'x_nohash_0.wav'), tone(0.1, 16000));
  await writeFile(join(root, '_private', 'y_nohash_0.wav'), tone(0.1, 16000));
});

describe('loadFolder', () => {
  it('reads every clip at 16 kHz, with label, speaker and the hash split, and warns about unreadable files', async () => {
    const before = await readdir(root, { recursive: true });
    const f = await loadFolder(root, { background: true });
    expect(f.clips.map((c) => [c.path, c.label, c.speaker])).toEqual([
      ['go/alice_nohash_0.wav', 'go', 'alice'], ['go/alice_nohash_1.wav', 'go', 'alice'],
      ['go/bob_nohash_0.wav', 'go', 'bob'], ['stop/carol_nohash_0.wav', 'stop', 'carol'],
    ]);
    expect(f.clips.map((c) => c.samples.length)).toEqual([8000, 8000, 12800, 4800]);
    for (const c of f.clips) expect(c.split).toBe(whichSet(c.path));
    expect(f.background.map((b) => [b.path, b.samples.length])).toEqual([['_background_noise_/hum.wav', 32000]]);
    expect(f.warnings).toHaveLength(1);
    expect(f.warnings[0]).toMatch(/^skipped go\/broken_nohash_0\.wav: /);
    expect(f.splitFromLists).toBe(false);
    expect(await readdir(root, { recursive: true })).toEqual(before);
  });

  it('reads _unknown_ as other speech and _silence_ as background, as the published Speech Commands test set has them', async () => {
    const published = await tempDir('hark-cli-published-', dirs);
    for (const label of ['yes', '_unknown_', '_silence_']) await mkdir(join(published, label));
    await writeFile(join(published, 'yes', 'a_nohash_0.wav'), tone(0.5, 16000));
    await writeFile(join(published, '_unknown_', 'b_nohash_0.wav'), tone(0.4, 16000));
    await writeFile(join(published, '_silence_', 'silence_0.wav'), tone(1, 16000));
    const f = await loadFolder(published, { background: true });
    expect(f.clips.map((c) => [c.path, c.label, c.speaker])).toEqual([['_unknown_/b_nohash_0.wav', '_unknown_', 'b'], ['yes/a_nohash_0.wav', 'yes', 'a']]);
    expect(f.background.map((b) => b.path)).toEqual(['_silence_/silence_0.wav']);
  });

  it('leaves background recordings out unless asked', async () => {
    expect((await loadFolder(root)).background).toEqual([]);
  });

  it('lets validation_list.txt and testing_list.txt decide the splits', async () => {
    const listed = await tempDir('hark-cli-lists-', dirs);
    await mkdir(join(listed, 'go'));
    for (const s of ['a', 'b', 'c']) await writeFile(join(listed, 'go', `${s}_nohash_0.wav`), tone(0.2, 16000));
    await writeFile(join(listed, 'validation_list.txt'), 'go/b_nohash_0.wav\n');
    await writeFile(join(listed, 'testing_list.txt'), 'go/c_nohash_0.wav\n');
    const f = await loadFolder(listed);
    expect(f.splitFromLists).toBe(true);
    const s = bySplit(f.clips);
    expect([s.training, s.validation, s.testing].map((xs) => xs.map((c) => c.speaker))).toEqual([['a'], ['b'], ['c']]);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadFolder(root, { signal: controller.signal })).rejects.toThrow(/cancelled/);
  });
});
