// The one Speech Commands reader (app/node/speech-commands.ts): listing a folder without
// reading audio, reading it at 16 kHz with list files or the speaker hash deciding the
// splits, and every failure a DatasetError — one for a file naming it.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { encodeWav } from '../../../core/audio/wav.js';
import { DatasetError } from '../../../app/node/dataset/atomic.js';
import { whichSet } from '../../../app/node/dataset/split.js';
import {
  isClipFolder, listSpeechCommands, readSpeechCommands, readWav16k, speakerOf, takeOf, UnreadableWavError,
} from '../../../app/node/speech-commands.js';
import { MAX_CLIP_SECONDS } from '../../../app/node/wav-file.js';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });
const scratch = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'hark-speech-commands-'));
  dirs.push(d);
  return d;
};
const tone = (seconds: number, rate: number): Uint8Array =>
  encodeWav(Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / rate)), rate);

/** Writes `files` (path relative to `root` → bytes or text), making their folders. */
async function layout(root: string, files: Record<string, Uint8Array | string>): Promise<void> {
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), bytes);
  }
}

let root: string;
beforeAll(async () => {
  root = await scratch();
  await layout(root, {
    'go/alice_nohash_0.wav': tone(0.5, 8000),
    'go/alice_nohash_1.wav': tone(0.5, SAMPLE_RATE),
    'go/bob_nohash_0.wav': tone(0.8, 44100),
    'go/broken_nohash_0.wav': 'not a wav at all',
    'go/notes.txt': 'not audio',
    'go/.go.wav.hark-tmp-1-abc': tone(0.1, SAMPLE_RATE), // an interrupted write: not a clip
    'stop/carol.wav': tone(0.3, 22050), // no `_nohash_<n>`: a clip without a take
    '_unknown_/dave_nohash_3.wav': tone(0.4, SAMPLE_RATE),
    '_background_noise_/hum.wav': tone(2, SAMPLE_RATE),
    '_silence_/quiet.wav': tone(1, 8000),
    '.hark-trash/go/x_nohash_0.wav': tone(0.1, SAMPLE_RATE),
    '_private/y_nohash_0.wav': tone(0.1, SAMPLE_RATE),
    'validation_list.txt': 'go/bob_nohash_0.wav\n',
    'testing_list.txt': './stop/carol.wav\n',
  });
});

describe('names in the Speech Commands layout', () => {
  it('reads speaker and take from a file name, and tells clip folders from the rest', () => {
    expect([speakerOf('alice_nohash_12.wav'), takeOf('alice_nohash_12.wav')]).toEqual(['alice', 12]);
    expect([speakerOf('go/Bob_nohash_0.WAV'), takeOf('go/Bob_nohash_0.WAV')]).toEqual(['Bob', 0]);
    expect([speakerOf('carol.wav'), takeOf('carol.wav')]).toEqual(['carol', null]);
    expect(['go', '_unknown_', '_background_noise_', '_silence_', '.hark-trash', '_private'].map(isClipFolder))
      .toEqual([true, true, false, false, false, false]);
  });
});

describe('listSpeechCommands', () => {
  it('lists clips (label, speaker, take, split from the list files) and background recordings, reading no audio', async () => {
    const listing = await listSpeechCommands(root);
    expect(listing.clips).toEqual([
      { path: '_unknown_/dave_nohash_3.wav', label: '_unknown_', speaker: 'dave', take: 3, split: 'training' },
      { path: 'go/alice_nohash_0.wav', label: 'go', speaker: 'alice', take: 0, split: 'training' },
      { path: 'go/alice_nohash_1.wav', label: 'go', speaker: 'alice', take: 1, split: 'training' },
      { path: 'go/bob_nohash_0.wav', label: 'go', speaker: 'bob', take: 0, split: 'validation' },
      { path: 'go/broken_nohash_0.wav', label: 'go', speaker: 'broken', take: 0, split: 'training' },
      { path: 'stop/carol.wav', label: 'stop', speaker: 'carol', take: null, split: 'testing' },
    ]);
    expect(listing.background).toEqual(['_background_noise_/hum.wav', '_silence_/quiet.wav']);
    expect(listing.lists?.validation).toEqual(new Set(['go/bob_nohash_0.wav']));
  });

  it('without list files, splits by Speech Commands\' rule on the speaker', async () => {
    const plain = await scratch();
    await layout(plain, { 'yes/alice_nohash_0.wav': tone(0.1, SAMPLE_RATE), 'yes/zed_nohash_4.wav': tone(0.1, SAMPLE_RATE) });
    const listing = await listSpeechCommands(plain);
    expect(listing.lists).toBeUndefined();
    for (const c of listing.clips) expect(c.split).toBe(whichSet(c.path));
  });

  it('refuses a folder that is missing or a file, with a DatasetError', async () => {
    const missing = join(root, 'no-such-folder');
    await expect(listSpeechCommands(missing)).rejects.toMatchObject({ name: 'DatasetError', code: 'not-found', message: expect.stringContaining(`cannot read the folder ${missing}`) });
    await expect(listSpeechCommands(join(root, 'go', 'notes.txt'))).rejects.toMatchObject({ code: 'not-a-directory', message: expect.stringMatching(/notes\.txt is not a folder/) });
  });
});

describe('readSpeechCommands', () => {
  it('reads every clip at 16 kHz and skips an unreadable one with a DatasetError naming it, writing nothing', async () => {
    const before = await readdir(root, { recursive: true });
    const f = await readSpeechCommands(root);
    expect(f.clips.map((c) => [c.path, c.label, c.speaker, c.split, c.samples.length])).toEqual([
      ['_unknown_/dave_nohash_3.wav', '_unknown_', 'dave', 'training', 6400],
      ['go/alice_nohash_0.wav', 'go', 'alice', 'training', 8000],
      ['go/alice_nohash_1.wav', 'go', 'alice', 'training', 8000],
      ['go/bob_nohash_0.wav', 'go', 'bob', 'validation', 12800],
      ['stop/carol.wav', 'stop', 'carol', 'testing', 4800],
    ]);
    expect(f.background).toEqual([]);
    expect(f.splitFromLists).toBe(true);
    expect(f.skipped).toHaveLength(1);
    const [broken] = f.skipped;
    expect(broken).toBeInstanceOf(UnreadableWavError);
    expect(broken).toBeInstanceOf(DatasetError);
    expect(broken.file).toBe('go/broken_nohash_0.wav');
    expect(broken.code).toBe('not-wav');
    expect(broken.message).toBe(`go/broken_nohash_0.wav: ${broken.reason}`);
    expect(await readdir(root, { recursive: true })).toEqual(before);
  });

  it('reads background recordings from _background_noise_ and _silence_ when asked, in folder order', async () => {
    const f = await readSpeechCommands(root, { background: true });
    expect(f.background.map((b) => [b.path, b.samples.length])).toEqual([['_background_noise_/hum.wav', 2 * SAMPLE_RATE], ['_silence_/quiet.wav', SAMPLE_RATE]]);
  });

  it('throws the first unreadable file\'s error when asked to', async () => {
    await expect(readSpeechCommands(root, { unreadable: 'throw' })).rejects.toMatchObject({
      name: 'UnreadableWavError', code: 'not-wav', file: 'go/broken_nohash_0.wav',
    });
  });

  it('refuses a folder with no readable clip, saying how many files could not be read', async () => {
    const empty = await scratch();
    await expect(readSpeechCommands(empty)).rejects.toMatchObject({ code: 'no-clips', message: expect.stringMatching(/^no readable clips in .*: expected the Speech Commands layout, <word>\/<speaker>_nohash_<n>\.wav$/) });
    await layout(empty, { 'yes/a_nohash_0.wav': 'RIFF but no more', 'yes/b_nohash_0.wav': new Uint8Array(0) });
    await expect(readSpeechCommands(empty)).rejects.toMatchObject({ code: 'no-clips', message: expect.stringMatching(/\(2 files could not be read, e\.g\. yes\/a_nohash_0\.wav: .+\)$/) });
  });

  it('skips a WAV with no samples', async () => {
    const d = await scratch();
    await layout(d, { 'yes/a_nohash_0.wav': tone(0.1, SAMPLE_RATE), 'yes/b_nohash_0.wav': encodeWav(new Float32Array(0), SAMPLE_RATE) });
    const f = await readSpeechCommands(d);
    expect(f.clips.map((c) => c.path)).toEqual(['yes/a_nohash_0.wav']);
    expect(f.skipped.map((e) => [e.file, e.code, e.reason])).toEqual([['yes/b_nohash_0.wav', 'empty', 'it has no samples']]);
  });

  it('reports progress and stops with a DatasetError when cancelled', async () => {
    const ticks: [number, number][] = [];
    await readSpeechCommands(root, { onProgress: (done, total) => ticks.push([done, total]) });
    expect(ticks.at(-1)).toEqual([6, 6]);
    const controller = new AbortController();
    controller.abort();
    await expect(readSpeechCommands(root, { signal: controller.signal })).rejects.toMatchObject({ name: 'DatasetError', code: 'cancelled' });
  });
});

describe('readWav16k', () => {
  it('reads any WAV at 16 kHz', async () => {
    expect((await readWav16k(join(root, 'go', 'bob_nohash_0.wav'))).length).toBe(12800);
  });

  it('refuses a clip too long for one from its header, and a file that is not there, naming the file', async () => {
    const d = await scratch();
    const long = join(d, 'long.wav');
    await writeFile(long, tone(MAX_CLIP_SECONDS + 1, 8000));
    expect((await readWav16k(long)).length).toBe((MAX_CLIP_SECONDS + 1) * SAMPLE_RATE);
    await expect(readWav16k(long, { as: 'clip' })).rejects.toMatchObject({ code: 'clip-too-long', file: long, message: expect.stringMatching(/long\.wav: the audio is 31\.0 s long, too long for one keyword clip/) });
    const gone = join(d, 'gone.wav');
    await expect(readWav16k(gone)).rejects.toMatchObject({ name: 'UnreadableWavError', code: 'ENOENT', file: gone });
  });

  it('refuses a cut-off file when asked to', async () => {
    const d = await scratch();
    const cut = join(d, 'cut.wav');
    await writeFile(cut, tone(1, SAMPLE_RATE).slice(0, 44 + 6400));
    expect((await readWav16k(cut, { as: 'clip' })).length).toBe(3200);
    await expect(readWav16k(cut, { as: 'clip', refuseCutOff: true })).rejects.toMatchObject({ code: 'truncated', message: expect.stringMatching(/^.*cut\.wav: the file is cut off/) });
  });
});
