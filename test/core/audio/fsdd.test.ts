// Real speech through the audio front end: every recording of the Free Spoken Digit
// Dataset kept in ../shared/data/fsdd/ (three speakers, 1,500 takes; FSDD, CC BY-SA 4.0,
// Jakobovski/free-spoken-digit-dataset) decodes with our strict WAV parser, resamples
// from 8 kHz to 16 kHz with its length and level kept, and the endpointer finds the
// spoken digit in it (the files are trimmed to near-minimal silence, so the speech must
// cover most of each clip).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import { resample } from '../../../core/audio/resample.js';
import { centreInWindow, findSpeech } from '../../../core/audio/endpoint.js';
import { FSDD } from '../../../scripts/shared-data.js';

const root = FSDD;
const files = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(root, d.name)).filter((f) => f.endsWith('.wav')).map((f) => join(root, d.name, f)));

describe('the spoken digits (FSDD)', () => {
  it('are all there', () => {
    expect(files.length).toBe(1500);
  });

  it('decode, resample to 16 kHz and hold their speech where the endpointer finds it', () => {
    let found = 0, coverSum = 0;
    for (const file of files) {
      const wav = decodeWav(readFileSync(file));
      expect(wav.sampleRate).toBe(8000);
      expect(wav.channels).toBe(1);
      expect(wav.samples.length).toBeGreaterThan(0.1 * 8000);
      const x16 = resample(wav.samples, 8000, 16000);
      expect(Math.abs(x16.length - 2 * wav.samples.length)).toBeLessThanOrEqual(1);
      const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
      expect(Math.abs(20 * Math.log10(rms(x16) / rms(wav.samples)))).toBeLessThan(0.5); // speech is below 4 kHz: level kept
      const speech = findSpeech(x16, 16000);
      if (speech) {
        found++;
        coverSum += (speech.end - speech.start) / x16.length;
        const window = centreInWindow(x16, 16000, 1);
        expect(window.length).toBe(16000);
      }
    }
    expect(found / files.length).toBeGreaterThanOrEqual(0.99);
    expect(coverSum / found).toBeGreaterThan(0.5);
  });
});
