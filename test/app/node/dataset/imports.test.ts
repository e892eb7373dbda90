// Importing real folders in the Speech Commands layout: an espeak-ng keyword set made by
// scripts/make-keywords.ts, and the whole Free Spoken Digit Dataset (read in place from
// ../shared/data/fsdd, never copied into the repo).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../../core/audio/wav.js';
import type { ClipEntry, Dataset } from '../../../../app/node/dataset/store.js';
import { FSDD, datasetScratch } from './fixtures.js';
import { makeKeywords } from '../../../../scripts/make-keywords.js';

const { tempDir, openDs } = datasetScratch('hark-imports-');
async function newDataset(): Promise<Dataset> {
  return openDs(join(await tempDir(), 'ds'), { create: true });
}

/** Speaker → the splits its clips are in. */
function splitsBySpeaker(clips: ClipEntry[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const c of clips) {
    if (!m.has(c.speaker)) m.set(c.speaker, new Set());
    m.get(c.speaker)!.add(c.split);
  }
  return m;
}

describe('importing an espeak-ng keyword set', () => {
  it('imports every clip with its label and speaker (the voice), at 16 kHz, in speaker-disjoint splits', async () => {
    const src = await tempDir();
    const words = ['yes', 'no', 'stop'];
    const voices = ['en+m1', 'en+m3', 'en+m5', 'en+m7', 'en+f1', 'en+f2', 'en+f4', 'en-us'];
    const made = await makeKeywords({ out: src, words, voices, rates: [140, 180], pitches: [50] });
    expect(made.files).toHaveLength(3 * 8 * 2);
    expect(made.speakers).toEqual(['en-m1', 'en-m3', 'en-m5', 'en-m7', 'en-f1', 'en-f2', 'en-f4', 'en-us']);
    for (const f of made.files.slice(0, 3)) {
      const wav = decodeWav(new Uint8Array(await readFile(join(src, f))));
      expect(wav.sampleRate).toBe(16000);
      expect(wav.durationSeconds).toBeGreaterThan(0.2);
    }

    const ds = await newDataset();
    const result = await ds.importFolder(src);
    expect(result.rejected).toEqual([]);
    expect(result.background).toEqual([]);
    expect(result.imported).toHaveLength(made.files.length);

    const clips = ds.clips();
    expect(clips).toHaveLength(made.files.length);
    expect(ds.labels()).toEqual([...words].sort());
    expect(new Set(clips.map((c) => c.speaker))).toEqual(new Set(made.speakers));
    // The Speech Commands layout carries over: <word>/<voice>_nohash_<n>.wav keeps its label, speaker and name.
    expect(clips.map((c) => c.path)).toEqual(made.files);
    for (const c of clips) {
      expect(c.path).toBe(`${c.label}/${c.speaker}_nohash_${c.path.match(/_nohash_(\d+)\.wav$/)![1]}.wav`);
      expect(c.source).toBe(`import:${src.split('/').pop()}/${c.path}`);
    }
    for (const c of clips.filter((_, i) => i % 8 === 0)) {
      const wav = decodeWav(new Uint8Array(await readFile(join(ds.root, c.path))));
      expect(wav.sampleRate).toBe(16000);
      expect(wav.durationSeconds).toBeCloseTo(c.durationSeconds, 3);
    }
    for (const [speaker, splits] of splitsBySpeaker(clips)) expect([speaker, splits.size]).toEqual([speaker, 1]);
    // Not vacuous: by the hash rule en-m3 is held out for validation and en-f2 for testing.
    expect(new Set(clips.map((c) => c.split))).toEqual(new Set(['training', 'validation', 'testing']));
  }, 60_000);
});

describe('importing the whole FSDD folder', () => {
  it('imports all 1,500 clips: 10 labels, 3 speakers, no rejections, speaker-disjoint splits', async () => {
    const ds = await newDataset();
    const started = Date.now();
    const result = await ds.importFolder(FSDD);
    const seconds = (Date.now() - started) / 1000;
    expect(result.rejected).toEqual([]);
    expect(result.imported).toHaveLength(1500);
    const clips = ds.clips();
    expect(clips).toHaveLength(1500);
    expect(ds.labels()).toEqual(['eight', 'five', 'four', 'nine', 'one', 'seven', 'six', 'three', 'two', 'zero']);
    expect([...new Set(clips.map((c) => c.speaker))].sort()).toEqual(['jackson', 'nicolas', 'yweweler']);
    for (const label of ds.labels()) expect(clips.filter((c) => c.label === label)).toHaveLength(150);
    for (const [speaker, splits] of splitsBySpeaker(clips)) expect([speaker, splits.size]).toEqual([speaker, 1]);
    // With three speakers the hash rule puts nicolas in validation and the other two in training.
    expect(clips.filter((c) => c.split === 'validation').map((c) => c.speaker)).toEqual(Array(500).fill('nicolas'));
    // FSDD is 8 kHz; the store converts to 16 kHz.
    const wav = decodeWav(new Uint8Array(await readFile(join(ds.root, clips[0].path))));
    expect(wav.sampleRate).toBe(16000);
    expect(seconds).toBeLessThan(50);
  }, 60_000);
});

describe('other speech and silence, as the published Speech Commands test set names them', () => {
  it('imports _unknown_/ as other speech and _silence_/ as background, and records other speech under _unknown_', async () => {
    const { mkdir, writeFile, readdir } = await import('node:fs/promises');
    const { encodeWav } = await import('../../../../core/audio/wav.js');
    const src = await tempDir();
    const tone = encodeWav(Float32Array.from({ length: 8000 }, (_, i) => 0.2 * Math.sin(i / 5)), 16000);
    for (const d of ['yes', '_unknown_', '_silence_']) await mkdir(join(src, d));
    await writeFile(join(src, 'yes', 'ann_nohash_0.wav'), tone);
    await writeFile(join(src, '_unknown_', 'bob_nohash_0.wav'), tone);
    await writeFile(join(src, '_silence_', 'silence_0.wav'), tone);
    const ds = await newDataset();
    const r = await ds.importFolder(src);
    expect(r.rejected).toEqual([]);
    expect(r.imported.map((e) => [e.path, e.label])).toEqual([['_unknown_/bob_nohash_0.wav', '_unknown_'], ['yes/ann_nohash_0.wav', 'yes']]);
    expect(r.background).toEqual(['_background_noise_/silence_0.wav']);
    // Recorded in the app ("That was wrong", the Other speech card), and listed after a reopen.
    const added = await ds.addClip('_unknown_', 'me', new Float32Array(16000).fill(0.01));
    expect(added.path).toBe('_unknown_/me_nohash_0.wav');
    expect(ds.labels()).toEqual(['_unknown_', 'yes']);
    expect(await readdir(join(ds.root, '_unknown_'))).toEqual(['bob_nohash_0.wav', 'me_nohash_0.wav']);
    // Any other name starting with '_' is still refused.
    await expect(ds.addClip('_other_', 'me', new Float32Array(100))).rejects.toMatchObject({ code: 'bad-name' });
    const root = ds.root;
    await ds.close();
    const again = await openDs(root);
    expect(again.recovery).toEqual([]);
    expect(again.clips().map((c) => c.path)).toEqual(['_unknown_/bob_nohash_0.wav', '_unknown_/me_nohash_0.wav', 'yes/ann_nohash_0.wav']);
  });
});
