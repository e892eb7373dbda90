// The streaming detector, driven by a stand-in engine whose answer depends only on the
// window's energy, so when and what it must detect is known exactly: the word is
// "heard" once a loud burst has entered the window and ended.
import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { featureCount, modelFrames } from '../../../core/features/config.js';
import { extractFeatures } from '../../../core/features/mfcc.js';
import { KeywordDetector, type Detection, type PosteriorStep } from '../../../core/kws/detector.js';
import { audioWithBursts, BURST_CONFIG, BURST_LABELS, BurstEngine, ENERGY } from './burst-stand-in.js';

const config = BURST_CONFIG;
const F = featureCount(config), T = modelFrames(config);
const E = ENERGY;
const labels = BURST_LABELS;

/**
 * Mistakes the tail of a longer sound for the word, as a network judging a whole second
 * can: 'beep' at 0.98 while the window's loud frames all lie in its first 30 frames.
 */
class TailEngine extends BurstEngine {
  override async run(x: Float32Array, steps: number): Promise<Float32Array> {
    let first = -1, last = -1;
    for (let t = 0; t < steps; t++) if (x[t * F + E] > 20) { if (first < 0) first = t; last = t; }
    const beep = first >= 0 && last < 30 ? 0.98 : 0.05;
    return Float32Array.of(beep, 1 - beep);
  }
}

async function detectInChunks(audio: Float32Array, chunk: number, options = {}, engine = new BurstEngine()): Promise<{ detections: Detection[]; steps: PosteriorStep[]; engine: BurstEngine }> {
  const steps: PosteriorStep[] = [];
  const detector = new KeywordDetector(engine, { labels, features: config }, { smoothingMs: 0, threshold: 0.8, ...options, onPosteriors: (s) => steps.push(s) });
  const detections: Detection[] = [];
  for (let i = 0; i < audio.length; i += chunk) detections.push(...await detector.pushAudio(audio.subarray(i, i + chunk)));
  return { detections, steps, engine };
}

describe('KeywordDetector', () => {
  const audio = audioWithBursts(6, [[1.5, 1.9], [4.0, 4.3]]);

  it('detects each burst once, soon after it ends, and places it where it was', async () => {
    const { detections } = await detectInChunks(audio, 1600);
    expect(detections.map((d) => d.label)).toEqual(['beep', 'beep']);
    for (const [d, [start, end]] of detections.map((d, i) => [d, [[1.5, 1.9], [4.0, 4.3]][i]] as const)) {
      // the last 10 frames (100 ms + window) must be quiet, plus the 20 ms delta look-ahead, plus ≤ one 50 ms hop
      expect(d.time).toBeGreaterThan(end + 0.1);
      expect(d.time).toBeLessThan(end + 0.1 + 0.032 + 0.02 + 0.05 + 0.011);
      expect(Math.abs(d.startTime - start)).toBeLessThan(0.04);
      expect(Math.abs(d.endTime - end)).toBeLessThan(0.045);
      expect(d.score).toBeCloseTo(0.98, 5);
    }
  });

  it('gives the same detections and posteriors whatever the chunk size', async () => {
    const reference = await detectInChunks(audio, audio.length);
    for (const chunk of [1, 37, 160, 4000]) {
      const got = await detectInChunks(audio, chunk);
      expect(got.detections).toEqual(reference.detections);
      expect(got.steps.map((s) => s.time)).toEqual(reference.steps.map((s) => s.time));
    }
  });

  it('decides every hop once the first window is full', async () => {
    const { steps, engine } = await detectInChunks(audio, 800, { hopMs: 100 });
    expect(engine.runs).toBe(steps.length);
    const gaps = steps.slice(1).map((s, i) => Math.round((s.time - steps[i].time) * 1000));
    expect(new Set(gaps)).toEqual(new Set([100]));
    // first decision: T frames in, i.e. 1 s of audio (97 frames) plus the delta look-ahead
    expect(steps[0].time).toBeCloseTo(((T - 1 + 2) * 160 + 512) / 16000, 9);
  });

  it('takes feature frames as well as audio, with the same result', async () => {
    const { detections } = await detectInChunks(audio, 1600);
    const engine = new BurstEngine();
    const detector = new KeywordDetector(engine, { labels, features: config }, { smoothingMs: 0 });
    const frames = extractFeatures(audio, config);
    const fromFrames: Detection[] = [];
    for (let t = 0; t < frames.length / F; t += 7) {
      const n = Math.min(7, frames.length / F - t);
      fromFrames.push(...await detector.pushFrames(frames.subarray(t * F, (t + n) * F), n));
    }
    expect(fromFrames).toEqual(detections);
  });

  it('smooths: with a longer smoothing span the score needs more steps to cross', async () => {
    const sharp = await detectInChunks(audio, 1600, { smoothingMs: 0 });
    const smooth = await detectInChunks(audio, 1600, { smoothingMs: 150 }); // mean of 3 steps
    expect(smooth.detections).toHaveLength(2);
    // 0.05, 0.98, 0.98 → mean 0.67 < 0.8; the third 0.98 crosses: two hops later than unsmoothed
    expect(smooth.detections[0].time - sharp.detections[0].time).toBeCloseTo(0.1, 9);
  });

  it('honours the refractory time across words', async () => {
    const close = audioWithBursts(5, [[1.5, 1.7], [2.2, 2.4]]);
    expect((await detectInChunks(close, 1600, { refractoryMs: 1500 })).detections).toHaveLength(1);
    expect((await detectInChunks(close, 1600, { refractoryMs: 200 })).detections).toHaveLength(2);
  });

  it('measures the silence since the last speech-like frame, and does not fire on a sound long gone', async () => {
    const { steps } = await detectInChunks(audio, 1600);
    // 1.5–1.9 s burst: at 2.4 s the window's last loud frame ended about 0.5 s before
    // (less the 20 ms delta look-ahead and up to a 32 ms frame)
    const at = steps.find((s) => Math.abs(s.time - 2.4) < 0.026)!;
    expect(at.trailingSilence).toBeGreaterThan(0.5 - 0.02 - 0.032 - 0.011);
    expect(at.trailingSilence).toBeLessThan(0.5 - 0.02 + 0.011);
    expect(steps.find((s) => Math.abs(s.time - 1.8) < 0.026)!.trailingSilence).toBe(0);
    // the tail stand-in believes in the word only ~0.7 s after the burst: gated by default, heard with the check off
    expect((await detectInChunks(audio, 1600, {}, new TailEngine())).detections).toEqual([]);
    const ungated = await detectInChunks(audio, 1600, { maxTrailingSilenceMs: 1000 }, new TailEngine());
    expect(ungated.detections.map((d) => d.label)).toEqual(['beep', 'beep']);
  });

  it('finds no speech in a window of noise alone, however little its frames vary, nor in sound under 10 dB above the noise', async () => {
    // white noise: its frame energies vary by a fraction of a dB, and 35% of that range
    // alone would make a third of the frames "speech"
    const noise = audioWithBursts(3, []);
    for (let i = 0; i < noise.length; i++) noise[i] *= 100; // −40 dBFS
    const { steps } = await detectInChunks(noise, 1600);
    const whole = ((T - 1) * config.hopSamples) / config.sampleRate;
    for (const s of steps) expect(s.trailingSilence).toBeCloseTo(whole, 9);
    // a tone 6 dB above that noise ends at 1.5 s: not speech; 20 dB above it: speech
    for (const [db, speech] of [[6, false], [20, true]] as const) {
      const x = Float32Array.from(noise);
      const a = 0.01 * Math.SQRT2 * 10 ** (db / 20); // sine amplitude for that power ratio to the noise (RMS 0.01)
      for (let i = 16000; i < 24000; i++) x[i] += a * Math.sin((2 * Math.PI * 1000 * i) / 16000);
      const at = (await detectInChunks(x, 1600)).steps.find((s) => Math.abs(s.time - 1.7) < 0.026)!;
      if (speech) expect(at.trailingSilence).toBeLessThan(0.25);
      else expect(at.trailingSilence).toBeCloseTo(whole, 9);
    }
  });

  it('starts over after reset, with times from zero again', async () => {
    const engine = new BurstEngine();
    const detector = new KeywordDetector(engine, { labels, features: config }, { smoothingMs: 0 });
    const first = await detector.pushAudio(audio);
    detector.reset();
    expect(detector.lastPosteriors).toBeNull();
    const second = await detector.pushAudio(audio);
    expect(second).toEqual(first);
  });

  it('refuses an engine that does not fit the model, and bad options, with typed errors', () => {
    const engine = new BurstEngine();
    const codeOf = (f: () => unknown): string | undefined => { try { f(); } catch (err) { return err instanceof HarkError ? err.code : 'untyped'; } return undefined; };
    expect(codeOf(() => new KeywordDetector(engine, { labels: ['a', 'b', '_background_'], features: config }))).toBe('model-mismatch');
    expect(codeOf(() => new KeywordDetector(engine, { labels, features: { ...config, deltas: false } }))).toBe('model-mismatch');
    for (const bad of [{ hopMs: 15 }, { hopMs: 200 }, { hopMs: 0 }, { smoothingMs: -5 }, { threshold: 2 }]) {
      expect(codeOf(() => new KeywordDetector(engine, { labels, features: config }, bad)), JSON.stringify(bad)).toBe('bad-detector-option');
    }
  });
});
