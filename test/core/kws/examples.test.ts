import { describe, expect, it } from 'vitest';
import { findSpeech } from '../../../core/audio/endpoint.js';
import { HarkError } from '../../../core/errors.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, modelFrames } from '../../../core/features/config.js';
import { extractFeatures } from '../../../core/features/mfcc.js';
import { backgroundWindow, buildExamples, centredWindow, cutByEdge, plannedExamples, randomlyPlaced, type ExamplePlan, type ExampleSet } from '../../../core/kws/examples.js';
import { Random } from '../../../core/tensor/random.js';
import { toneSet, toneTake } from './tones.js';

const rmsOf = (x: Float32Array): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

async function build(plan: ExamplePlan, seed: number): Promise<{ set: ExampleSet; progress: { done: number; total: number }[] }> {
  const gen = buildExamples(plan, new Random(seed));
  const progress = [];
  let r = await gen.next();
  while (!r.done) { progress.push(r.value); r = await gen.next(); }
  return { set: r.value, progress };
}

describe('word placement', () => {
  it('keeps the whole spoken part inside the window, anywhere from the left edge to the right', () => {
    const rng = new Random(4);
    const clip = toneTake('low', rng).samples;
    const span = findSpeech(clip, 16000) as { start: number; end: number };
    const spoken = span.end - span.start;
    let earliest = Infinity, latest = -Infinity;
    for (let k = 0; k < 300; k++) {
      const w = randomlyPlaced(clip, 16000, rng);
      expect(w.length).toBe(16000);
      const at = findSpeech(w, 16000) as { start: number; end: number };
      expect(at).not.toBeNull();
      expect(at.end - at.start).toBeGreaterThanOrEqual(spoken - 480); // nothing cut but the padding's edges
      earliest = Math.min(earliest, at.start);
      latest = Math.max(latest, at.end);
    }
    expect(earliest).toBeLessThan(800);        // within 50 ms of the left edge
    expect(latest).toBeGreaterThan(16000 - 800); // and of the right
  });

  it('cuts other speech by a window edge, keeping 30–80% of it, on either side', () => {
    const rng = new Random(6);
    const clip = new Float32Array(16000 * 0.8); // 0.2 s silence, 0.4 s tone, 0.2 s silence: edges findSpeech sees exactly
    for (let i = 3200; i < 9600; i++) clip[i] = 0.3 * Math.sin(i * 0.2);
    const span = findSpeech(clip, 16000) as { start: number; end: number };
    const spoken = span.end - span.start;
    let left = 0, right = 0;
    for (let k = 0; k < 200; k++) {
      const w = cutByEdge(clip, 16000, rng);
      const at = findSpeech(w, 16000) as { start: number; end: number };
      expect(at).not.toBeNull();
      const kept = at.end - at.start;
      expect(kept).toBeGreaterThan(0.3 * spoken - 480);
      expect(kept).toBeLessThan(0.8 * spoken + 480);
      if (at.start < 160) left++;
      else if (at.end > 16000 - 160) right++;
      else throw new Error(`speech at ${at.start}-${at.end} touches neither edge`);
    }
    expect(left).toBeGreaterThan(70);
    expect(right).toBeGreaterThan(70);
  });

  it('crops a clip longer than the window to a part of its speech', () => {
    const x = new Float32Array(40000);
    for (let i = 0; i < x.length; i++) x[i] = 0.2 * Math.sin(i * 0.3);
    const w = randomlyPlaced(x, 16000, new Random(1));
    expect(rmsOf(w)).toBeGreaterThan(0.1);
  });

  it('centres the clip for evaluation', () => {
    const clip = toneTake('high', new Random(2)).samples;
    const w = centredWindow(clip, DEFAULT_FEATURE_CONFIG);
    const at = findSpeech(w, 16000) as { start: number; end: number };
    // within 100 ms: findSpeech pads the span it centres, and the padding is cut where the clip starts
    expect(Math.abs((at.start + at.end) / 2 - 8000)).toBeLessThan(1600);
  });
});

describe('background windows', () => {
  it('without recordings: generated noise between −70 and −20 dBFS, near-silence, or digital silence', () => {
    const rng = new Random(8);
    const levels = Array.from({ length: 200 }, () => rmsOf(backgroundWindow(16000, [], rng)));
    expect(levels.filter((l) => l === 0).length).toBeGreaterThan(5); // digital silence happens
    expect(Math.min(...levels.filter((l) => l > 0))).toBeGreaterThanOrEqual(1e-5 * 0.999);
    expect(Math.max(...levels)).toBeLessThanOrEqual(0.1 * 1.001);
    expect(levels.filter((l) => l < 1e-4).length).toBeGreaterThan(10); // near-silence happens
    expect(levels.filter((l) => l > 1e-2).length).toBeGreaterThan(10); // and loud noise
  });

  it('with recordings: mostly crops of them at −20…+6 dB', () => {
    const rec = new Float32Array(48000);
    for (let i = 0; i < rec.length; i++) rec[i] = 0.1 * Math.sin(i * 0.01) + 0.05 * Math.sin(i * 0.37);
    const rng = new Random(9);
    let crops = 0;
    for (let k = 0; k < 100; k++) {
      const w = backgroundWindow(16000, [rec], rng);
      // a crop is the recording times one gain: find the offset by matching one sample pair
      for (let off = 0; off + 16000 <= rec.length; off++) {
        const g = w[100] / rec[off + 100];
        if (Number.isFinite(g) && g > 0.09 && g < 2.1 && Math.abs(w[5000] - g * rec[off + 5000]) < 1e-6 && Math.abs(w[15000] - g * rec[off + 15000]) < 1e-6) { crops++; break; }
      }
    }
    expect(crops).toBeGreaterThan(60); // 75% expected
    expect(crops).toBeLessThan(90);
  });
});

describe('buildExamples', () => {
  const clips = toneSet(['low', 'high'], 3, 1);
  const plan: ExamplePlan = {
    clips, classOf: clips.map((c) => (c.label === 'low' ? 0 : 1)), augmentedCopies: 2,
    backgroundExamples: 4, backgroundClass: 2, backgroundRecordings: [], features: { ...DEFAULT_FEATURE_CONFIG },
  };

  it('makes clean + augmented copies of each clip and background windows, labelled', async () => {
    const { set, progress } = await build(plan, 1);
    const N = plannedExamples(plan);
    expect(N).toBe(6 * 3 + 4);
    expect(set.labels.length).toBe(N);
    expect(set.steps).toBe(modelFrames(DEFAULT_FEATURE_CONFIG));
    expect(set.features).toBe(featureCount(DEFAULT_FEATURE_CONFIG));
    expect(set.x.length).toBe(N * set.steps * set.features);
    expect([...set.labels]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(set.sources.map((s) => s.kind).slice(0, 3)).toEqual(['clip', 'augmented', 'augmented']);
    expect(progress.at(-1)).toEqual({ done: N, total: N });
    // the clean copy is exactly the centred clip's features
    const clean = extractFeatures(centredWindow(clips[0].samples, DEFAULT_FEATURE_CONFIG), DEFAULT_FEATURE_CONFIG);
    expect(set.x.subarray(0, clean.length)).toEqual(clean);
  });

  it('is deterministic for a seed, and augmented copies differ from each other', async () => {
    const a = await build(plan, 1), b = await build(plan, 1), c = await build(plan, 2);
    expect(a.set.x).toEqual(b.set.x);
    expect(a.set.x).not.toEqual(c.set.x);
    const size = a.set.steps * a.set.features;
    expect(a.set.x.subarray(size, 2 * size)).not.toEqual(a.set.x.subarray(2 * size, 3 * size));
  });

  it('masks the augmented copies with SpecAugment when asked, never the clean ones, deterministically', async () => {
    const masked = { ...plan, augmentedCopies: 4, specAugment: { timeMasks: 1, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 3, fill: 'zero' as const } };
    const a = await build(masked, 1), b = await build(masked, 1);
    expect(a.set.x).toEqual(b.set.x);
    const T = a.set.steps, F = a.set.features;
    // zero fill: a coefficient is never exactly zero over a whole window with a word in it
    // (its padding frames are: so frames are not a sign of a mask), a frequency mask makes it so
    const hasMask = (n: number): boolean => {
      const e = a.set.x.subarray(n * T * F, (n + 1) * T * F);
      return Array.from({ length: F }, (_, f) => Array.from({ length: T }, (_, t) => e[t * F + f]).every((v) => v === 0)).some(Boolean);
    };
    const kinds = a.set.sources.map((src) => src.kind);
    const clean = kinds.flatMap((k, n) => (k === 'clip' ? [n] : [])), augmented = kinds.flatMap((k, n) => (k === 'augmented' ? [n] : []));
    expect(clean.some(hasMask)).toBe(false);
    expect(augmented.filter(hasMask).length).toBeGreaterThanOrEqual(augmented.length / 2);
    // the clean copy is still exactly the centred clip's features
    const first = extractFeatures(centredWindow(clips[0].samples, DEFAULT_FEATURE_CONFIG), DEFAULT_FEATURE_CONFIG);
    expect(a.set.x.subarray(0, first.length)).toEqual(first);
  });

  it('refuses normalised features (the model normalises)', async () => {
    const bad = { ...plan, features: { ...DEFAULT_FEATURE_CONFIG, normalization: { mean: new Array(28).fill(0), std: new Array(28).fill(1) } } };
    await expect(build(bad, 1)).rejects.toBeInstanceOf(HarkError);
  });
});
