import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatSplitLists, hashName, readSplitLists, speakerPercentage, splitOf, whichSet, type Split } from '../../../../app/engine/dataset/split.js';

const FSDD = join(import.meta.dirname, '../../../../../shared/data/fsdd');
const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

describe('Speech Commands split rule', () => {
  it('hashes the speaker id, the part before _nohash_', () => {
    expect(hashName('eight/jackson_nohash_10.wav')).toBe('jackson');
    expect(hashName('0a7c2a8d_nohash_0.wav')).toBe('0a7c2a8d');
  });

  it('matches the published algorithm (values from Python hashlib, int(hex, 16) % 2^27 * 100 / (2^27 - 1))', () => {
    const expected: [string, number, Split][] = [
      ['jackson', 58.65456654619102, 'training'],
      ['nicolas', 7.043746166257159, 'validation'],
      ['yweweler', 35.34712370743694, 'training'],
      ['lucas', 9.195007452331538, 'validation'],
      ['0a7c2a8d', 56.836387193474074, 'training'],
    ];
    for (const [speaker, pct, split] of expected) {
      expect(speakerPercentage(speaker)).toBeCloseTo(pct, 9);
      expect(whichSet(`yes/${speaker}_nohash_3.wav`)).toBe(split);
    }
  });

  it('is deterministic and puts no speaker in two splits over the FSDD folder', async () => {
    if (!existsSync(FSDD)) return;
    const bySpeaker = new Map<string, Set<Split>>();
    let n = 0;
    for (const label of await readdir(FSDD, { withFileTypes: true })) {
      if (!label.isDirectory()) continue;
      for (const f of await readdir(join(FSDD, label.name))) {
        if (!f.endsWith('.wav')) continue;
        const rel = `${label.name}/${f}`;
        const s = splitOf(rel);
        expect(splitOf(rel)).toBe(s);
        const speaker = hashName(f);
        if (!bySpeaker.has(speaker)) bySpeaker.set(speaker, new Set());
        bySpeaker.get(speaker)!.add(s);
        n++;
      }
    }
    expect(n).toBeGreaterThan(1000);
    for (const splits of bySpeaker.values()) expect(splits.size).toBe(1);
  });
});

describe('list files', () => {
  it('override the hash rule when present', async () => {
    const d = await mkdtemp(join(tmpdir(), 'hark-split-'));
    dirs.push(d);
    expect(await readSplitLists(d)).toBeUndefined();
    await writeFile(join(d, 'validation_list.txt'), 'one/jackson_nohash_0.wav\r\n./two/a_nohash_1.wav\n\n');
    await writeFile(join(d, 'testing_list.txt'), 'one/nicolas_nohash_0.wav\n');
    const lists = await readSplitLists(d);
    expect(splitOf('one/jackson_nohash_0.wav', lists)).toBe('validation'); // hash rule says training
    expect(splitOf('two/a_nohash_1.wav', lists)).toBe('validation');
    expect(splitOf('one/nicolas_nohash_0.wav', lists)).toBe('testing'); // hash rule says validation
    expect(splitOf('one/nicolas_nohash_1.wav', lists)).toBe('training');
  });

  it('a missing list counts as empty', async () => {
    const d = await mkdtemp(join(tmpdir(), 'hark-split-'));
    dirs.push(d);
    await writeFile(join(d, 'testing_list.txt'), 'x/y_nohash_0.wav\n');
    const lists = await readSplitLists(d);
    expect(lists?.validation.size).toBe(0);
    expect(splitOf('x/y_nohash_0.wav', lists)).toBe('testing');
  });

  it('formats list files from entries', () => {
    const text = formatSplitLists([
      { path: 'b/x_nohash_0.wav', split: 'validation' },
      { path: 'a/x_nohash_0.wav', split: 'validation' },
      { path: 'a/y_nohash_0.wav', split: 'testing' },
      { path: 'a/z_nohash_0.wav', split: 'training' },
    ]);
    expect(text.validation).toBe('a/x_nohash_0.wav\nb/x_nohash_0.wav\n');
    expect(text.testing).toBe('a/y_nohash_0.wav\n');
  });
});
