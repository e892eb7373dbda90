// Importing real folders in the Speech Commands layout: an espeak-ng keyword set made by
// scripts/make-keywords.ts, and the whole Free Spoken Digit Dataset (read in place from
// ../shared/data/fsdd, never copied into the repo).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../../core/audio/wav.js';
import type { ClipEntry, Dataset } from '../../../../app/engine/dataset/store.js';
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
