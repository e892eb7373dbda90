// MelCepstrum must return exactly Meyda's MFCCs: every bit, for every frame. Meyda
// (meydaMfcc, the library itself) is the reference; nothing here is a stored value.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import { resample } from '../../../core/audio/resample.js';
import { MelCepstrum } from '../../../core/features/mel-cepstrum.js';
import { meydaMelFilterBank, meydaMfcc, type MeydaSettings } from '../../../core/features/meyda.js';
import { INPUT_SCALE } from '../../../core/features/mfcc.js';
import { Random } from '../../../core/tensor/random.js';
import { FSDD } from '../../../scripts/shared-data.js';

// FSDD: Free Spoken Digit Dataset (Jakobovski), CC BY-SA 4.0; read in place, not copied.

/** Frames of `n` samples at 16-bit scale: silence, tiny and full-scale noise, clipped tones, an impulse. */
function syntheticFrames(n: number, seed: number): Float32Array[] {
  const r = new Random(seed);
  const frames: Float32Array[] = [new Float32Array(n)];
  for (const amp of [1e-3, 1, 300, 32767]) {
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) f[i] = amp * (2 * r.next() - 1);
    frames.push(f);
  }
  const tone = new Float32Array(n), clipped = new Float32Array(n), impulse = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    tone[i] = 8000 * Math.sin(i * 0.37) + 100 * Math.sin(i * 2.9);
    clipped[i] = Math.max(-32768, Math.min(32767, 90000 * Math.sin(i * 0.05)));
  }
  impulse[n >> 1] = 32767;
  frames.push(tone, clipped, impulse);
  return frames;
}

/** Every hop-160 frame of an FSDD clip at 16 kHz, at 16-bit scale (what extractFeatures feeds). */
function speechFrames(n: number): Float32Array[] {
  const frames: Float32Array[] = [];
  for (const file of ['zero/jackson_nohash_0.wav', 'seven/nicolas_nohash_3.wav', 'four/yweweler_nohash_12.wav']) {
    const wav = decodeWav(new Uint8Array(readFileSync(join(FSDD, file))));
    const x = resample(wav.samples, wav.sampleRate, 16000);
    for (let s = 0; s + n <= x.length; s += 160) frames.push(x.slice(s, s + n).map((v) => v * INPUT_SCALE));
  }
  return frames;
}

function expectSameBits(settings: MeydaSettings, frames: Float32Array[]): void {
  const kernel = new MelCepstrum({ bufferSize: settings.bufferSize, coefficients: settings.mfccCoefficients }, meydaMelFilterBank(settings));
  const K = settings.mfccCoefficients;
  const ours = new Float32Array(K), theirs = new Float32Array(K);
  let mismatched = 0;
  for (const frame of frames) {
    const copy = frame.slice();
    kernel.compute(frame, ours, 0);
    meydaMfcc(frame, settings, theirs, 0);
    expect(frame).toEqual(copy); // the input is not modified
    if (!Buffer.from(ours.buffer).equals(Buffer.from(theirs.buffer))) {
      mismatched++;
      if (mismatched === 1) expect(Array.from(ours)).toEqual(Array.from(theirs)); // shows the first difference
    }
  }
  expect(mismatched).toBe(0);
}

describe('MelCepstrum', () => {
  it('equals Meyda bit for bit on the default settings, on synthetic frames and on real speech', () => {
    const s: MeydaSettings = { sampleRate: 16000, bufferSize: 512, melBands: 26, mfccCoefficients: 13 };
    const frames = [...syntheticFrames(512, 1), ...speechFrames(512)];
    expect(frames.length).toBeGreaterThan(100);
    expectSameBits(s, frames);
  });

  it.each([
    { sampleRate: 16000, bufferSize: 256, melBands: 20, mfccCoefficients: 20 },
    { sampleRate: 16000, bufferSize: 1024, melBands: 40, mfccCoefficients: 13 },
    { sampleRate: 8000, bufferSize: 512, melBands: 26, mfccCoefficients: 1 },
    { sampleRate: 22050, bufferSize: 2048, melBands: 64, mfccCoefficients: 40 },
    // more filters than bins: many all-zero rows, the edge of the sparse-sum argument
    { sampleRate: 16000, bufferSize: 64, melBands: 128, mfccCoefficients: 13 },
  ])('equals Meyda bit for bit with %o', (s) => {
    expectSameBits(s, syntheticFrames(s.bufferSize, s.bufferSize));
  });

  it('refuses a frame of the wrong length and settings it cannot honour', () => {
    const s: MeydaSettings = { sampleRate: 16000, bufferSize: 512, melBands: 26, mfccCoefficients: 13 };
    const kernel = new MelCepstrum({ bufferSize: 512, coefficients: 13 }, meydaMelFilterBank(s));
    expect(() => kernel.compute(new Float32Array(256), new Float32Array(13), 0)).toThrow(RangeError);
    expect(() => kernel.compute(new Float32Array(512), new Float32Array(13), 1)).toThrow(RangeError);
    expect(() => new MelCepstrum({ bufferSize: 500, coefficients: 13 }, meydaMelFilterBank(s))).toThrow(RangeError);
    expect(() => new MelCepstrum({ bufferSize: 512, coefficients: 27 }, meydaMelFilterBank(s))).toThrow(RangeError);
  });
});
