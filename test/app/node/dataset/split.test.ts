import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatSplitLists, hashName, hashPercentage, MIN_TAKES_TO_TEST, planSplits, readSplitLists, speakerPercentage, splitByTake, splitOf, whichSet, type Split, type SplitCandidate,
} from '../../../../app/node/dataset/split.js';
import { FSDD } from '../../../../scripts/shared-data.js';

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

describe('the split a training run uses', () => {
  /** `takes` clips of each word from each speaker, with the dataset's own split by the speaker rule. */
  const dataset = (words: string[], speakers: string[], takes: number): SplitCandidate[] =>
    words.flatMap((label) => speakers.flatMap((speaker) => Array.from({ length: takes }, (_, n) => {
      const path = `${label}/${speaker}_nohash_${n}.wav`;
      return { path, label, speaker, split: whichSet(path) };
    })));
  const count = (splits: Split[], which: Split): number => splits.filter((s) => s === which).length;

  it('one person with the default name: every clip of `me` is in testing by the speaker rule, so it splits by take', () => {
    expect(whichSet('yes/me_nohash_0.wav')).toBe('testing'); // the first-run failure this fixes
    const clips = dataset(['yes', 'no', 'stop', 'go'], ['me'], 6);
    const plan = planSplits(clips);
    expect(plan.basis).toBe('take');
    expect(plan.fallback).toMatch(/"go", "no", "stop", "yes" without training clips/);
    for (const word of ['yes', 'no', 'stop', 'go']) {
      const mine = plan.splits.filter((_, i) => clips[i].label === word);
      // 6 takes: one to test, one to validate (MIN_TAKES_TO_VALIDATE = 5), four to learn.
      expect([count(mine, 'testing'), count(mine, 'validation'), count(mine, 'training')]).toEqual([1, 1, 4]);
    }
  });

  it('keeps the dataset\'s own split when every word has training and held-out clips', () => {
    // Their splits by the rule (jackson, yweweler, 0a7c2a8d training; nicolas, lucas validation), checked, not assumed.
    const speakers = ['jackson', 'nicolas', 'yweweler', 'lucas', '0a7c2a8d'];
    expect(new Set(speakers.map((s) => whichSet(`${s}_nohash_0.wav`)))).toEqual(new Set(['training', 'validation']));
    const clips = dataset(['one', 'two'], speakers, 3);
    const plan = planSplits(clips);
    expect(plan).toEqual({ basis: 'speaker', splits: clips.map((c) => c.split), fallback: null });
    expect(planSplits(clips, undefined, true).basis).toBe('lists');
  });

  it('falls back when one word is only from a held-out speaker, and only the chosen words decide', () => {
    const clips = [...dataset(['one'], ['jackson'], 4), ...dataset(['one', 'two'], ['nicolas'], 4)]; // jackson training, nicolas validation
    expect(planSplits(clips).fallback).toBe('the split by speaker leaves "two" without training clips, so the takes of each speaker are split instead');
    expect(planSplits(clips, ['one']).basis).toBe('speaker'); // "two" is only other speech here
    expect(planSplits(dataset(['one'], ['jackson'], 4)).fallback).toMatch(/"one" without held-out clips/);
    expect(planSplits(clips, undefined, true).fallback).toMatch(/^validation_list\.txt and testing_list\.txt leave/);
  });

  it('holds out takes of every speaker in turn, a stable choice whatever the order of the clips', () => {
    const clips = dataset(['yes'], ['ann', 'bob'], 10); // 20 takes: 2 testing, 2 validation
    const splits = splitByTake(clips);
    expect([count(splits, 'testing'), count(splits, 'validation'), count(splits, 'training')]).toEqual([2, 2, 16]);
    for (const speaker of ['ann', 'bob']) {
      const theirs = splits.filter((_, i) => clips[i].speaker === speaker);
      expect([count(theirs, 'testing'), count(theirs, 'validation')]).toEqual([1, 1]);
    }
    const reversed = [...clips].reverse();
    expect(splitByTake(reversed)).toEqual([...splits].reverse());
    // The held-out take of each speaker is the one whose path hashes lowest.
    for (const speaker of ['ann', 'bob']) {
      const theirs = clips.filter((c) => c.speaker === speaker);
      const lowest = theirs.reduce((a, b) => (hashPercentage(b.path) < hashPercentage(a.path) ? b : a));
      expect(splits[clips.indexOf(lowest)]).toBe('testing');
    }
  });

  it('holds nothing out of a word with too few takes', () => {
    expect(MIN_TAKES_TO_TEST).toBe(3);
    expect(splitByTake(dataset(['yes'], ['me'], 2))).toEqual(['training', 'training']);
    expect(count(splitByTake(dataset(['yes'], ['me'], 3)), 'testing')).toBe(1);
    expect(count(splitByTake(dataset(['yes'], ['me'], 4)), 'validation')).toBe(0);
  });

  it('learns other speech filed under a speaker the own split puts in testing (`me`), whatever the words\' split', () => {
    const words = dataset(['one', 'two'], ['jackson', 'nicolas', 'yweweler'], 3); // jackson, yweweler training; nicolas validation
    const other = Array.from({ length: 6 }, (_, n) => ({ path: `_unknown_/me_nohash_${n}.wav`, label: '_unknown_', speaker: 'me', split: whichSet(`me_nohash_${n}.wav`) }));
    expect(other.every((c) => c.split === 'testing')).toBe(true);
    const clips = [...words, ...other];
    const plan = planSplits(clips);
    expect(plan.basis).toBe('speaker');
    expect(plan.splits.slice(0, words.length)).toEqual(words.map((c) => c.split));
    expect(plan.splits.slice(words.length).filter((s) => s === 'training')).toHaveLength(4);
  });
});

