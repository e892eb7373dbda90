// The committed other-speech set (assets/other-speech, made by scripts/make-other-speech.ts):
// every listed file is a valid 16 kHz mono WAV of the right length, nothing unlisted is there,
// the folder fits its budget, no LibriSpeech item comes from a file kept back for evaluation,
// and no item says a command. Reads only the committed folder (CI has no shared data).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../../core/audio/sample-rate.js';
import { decodeWav } from '../../core/audio/wav.js';
import {
  EXCLUDED_WORDS, LIBRISPEECH_FILES, MAX_BYTES, MAX_SPEECH_SECONDS, MAX_WORD_SECONDS, MIN_SPEECH_SECONDS,
  excludedWordIn, isBundledLibrispeech, type Manifest,
} from '../../scripts/make-other-speech.js';

const DIR = fileURLToPath(new URL('../../assets/other-speech/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('assets/other-speech', () => {
  it('has a schema-1 manifest at 16 kHz with items sorted by file', () => {
    expect(manifest.schemaVersion).toBe(1);
    expect(manifest.sampleRate).toBe(SAMPLE_RATE);
    const files = manifest.items.map((i) => i.file);
    expect(files.length).toBeGreaterThan(0);
    expect(files).toEqual([...files].sort());
    expect(new Set(files).size).toBe(files.length);
    for (const item of manifest.items) {
      expect(item.file).toMatch(item.kind === 'word' ? /^words\/[\w.-]+\.wav$/ : /^speech\/[\w.-]+\.wav$/);
      expect(['word', 'speech']).toContain(item.kind);
      expect(['espeak-ng', 'librispeech']).toContain(item.source);
      expect(item.speaker).not.toBe('');
      expect(item.language).toMatch(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/);
      expect(typeof item.text).toBe('string');
    }
  });

  it('holds valid 16 kHz mono WAVs: words at most 1.5 s, continuous speech 2–12 s', () => {
    for (const item of manifest.items) {
      const wav = decodeWav(new Uint8Array(readFileSync(join(DIR, item.file))));
      expect({ file: item.file, rate: wav.sampleRate, channels: wav.channels, bits: wav.bitsPerSample })
        .toEqual({ file: item.file, rate: SAMPLE_RATE, channels: 1, bits: 16 });
      const s = wav.durationSeconds;
      if (item.kind === 'word') expect(s, item.file).toBeLessThanOrEqual(MAX_WORD_SECONDS);
      else expect([s >= MIN_SPEECH_SECONDS, s <= MAX_SPEECH_SECONDS], `${item.file}: ${s} s`).toEqual([true, true]);
    }
  });

  it('has no file the manifest does not list, and fits its budget', () => {
    const all = filesUnder(DIR);
    const listed = new Set(['manifest.json', 'README.md', ...manifest.items.map((i) => i.file)]);
    expect(all.map((f) => relative(DIR, f).split(sep).join('/')).filter((f) => !listed.has(f))).toEqual([]);
    const bytes = all.reduce((sum, f) => sum + statSync(f).size, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(MAX_BYTES).toBeLessThanOrEqual(12_000_000);
  });

  it('takes LibriSpeech only from the even-indexed files of the sorted 78', () => {
    expect(LIBRISPEECH_FILES).toHaveLength(78);
    expect([...LIBRISPEECH_FILES].sort()).toEqual(LIBRISPEECH_FILES);
    expect(isBundledLibrispeech(LIBRISPEECH_FILES[0])).toBe(true);
    expect(isBundledLibrispeech(LIBRISPEECH_FILES[1])).toBe(false);
    expect(isBundledLibrispeech('unknown.wav')).toBe(false);
    const real = manifest.items.filter((i) => i.source === 'librispeech');
    expect(real.length).toBeGreaterThan(0);
    for (const item of real) {
      expect(item.origin, item.file).toBeDefined();
      const index = LIBRISPEECH_FILES.indexOf(item.origin as string);
      expect([item.origin, index >= 0 && index % 2 === 0]).toEqual([item.origin, true]);
      expect(item.speaker).toBe((item.origin as string).split('-')[0]);
    }
    // Every bundled speaker is there (the set spreads over all of them).
    expect(new Set(real.map((i) => i.origin))).toEqual(new Set(LIBRISPEECH_FILES.filter(isBundledLibrispeech)));
  });

  it('never says an excluded command word', () => {
    const excluded = new Set(EXCLUDED_WORDS.map((w) => w.toLowerCase()));
    for (const w of ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go', 'zero', 'five', 'nine', 'cancel', 'zoom-in']) {
      expect(excludedWordIn(w), w).not.toBeNull();
    }
    expect(excludedWordIn('Shop, not top')).toBeNull();
    expect(excludedWordIn('Could you stop here?')).toBe('stop');
    expect(excludedWordIn('Zoom in, please')).toBe('zoom in');
    expect(excludedWordIn('نَعَمْ')).toBe('نعم'); // vowelled Arabic matches its bare form
    for (const item of manifest.items) {
      expect(excluded.has(item.text.toLowerCase()), item.file).toBe(false);
      expect(excludedWordIn(item.text), `${item.file}: ${item.text}`).toBeNull();
    }
  });
});
