import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import { resample } from '../../../core/audio/resample.js';
import { ConfigError } from '../../../core/errors.js';
import {
  DEFAULT_FEATURE_CONFIG, featureCount, frameCount, modelFrames, parseFeatureConfig, serializeFeatureConfig,
  validateFeatureConfig, type FeatureConfig,
} from '../../../core/features/config.js';
import { extractFeatures, FeatureStream } from '../../../core/features/mfcc.js';
import { fitNormalization, withNormalization } from '../../../core/features/normalize.js';
import { Random } from '../../../core/tensor/random.js';
import { FSDD } from '../../../scripts/shared-data.js';

const cfg = (over: Partial<FeatureConfig> = {}): FeatureConfig => ({ ...DEFAULT_FEATURE_CONFIG, ...over });

/** Seeded uniform [0, 1) numbers from the project's PRNG. */
function rng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

function signal(n: number, seed = 1, amp = 0.3): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * 440 * i) / 16000) + 0.05 * (r() - 0.5) + 0.1 * Math.sin(i / 900) * Math.sin((2 * Math.PI * 1300 * i) / 16000);
  return x;
}

// FSDD: Free Spoken Digit Dataset (Jakobovski), CC BY-SA 4.0; read in place, not copied.
function fsdd(word: string, speaker: string, take: number): Float32Array {
  const wav = decodeWav(new Uint8Array(readFileSync(join(FSDD, word, `${speaker}_nohash_${take}.wav`))));
  return resample(wav.samples, wav.sampleRate, 16000);
}

describe('FeatureConfig', () => {
  it('accepts the defaults and round-trips through JSON', () => {
    expect(() => validateFeatureConfig(DEFAULT_FEATURE_CONFIG)).not.toThrow();
    const json = serializeFeatureConfig(cfg({ deltas: false, melBands: 40 }));
    expect(parseFeatureConfig(json)).toEqual(cfg({ deltas: false, melBands: 40 }));
    expect(parseFeatureConfig(JSON.parse(json))).toEqual(cfg({ deltas: false, melBands: 40 }));
  });

  it('rejects bad configs with every reason', () => {
    const bad = { ...cfg(), windowSamples: 400, hopSamples: 0, mfccCoefficients: 50, sampleRate: 8000, extra: 1 };
    let err: unknown;
    try { validateFeatureConfig(bad); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const s of ['windowSamples', 'hopSamples', 'mfccCoefficients', 'sampleRate', 'extra']) expect(msg).toContain(s);
    expect(() => validateFeatureConfig(cfg({ mfccCoefficients: 20, melBands: 13 }))).toThrow(/must not exceed melBands/);
    expect(() => validateFeatureConfig(cfg({ hopSamples: 600 }))).toThrow(/must not exceed windowSamples/);
    expect(() => validateFeatureConfig(cfg({ version: 2 }))).toThrow(ConfigError);
    expect(() => parseFeatureConfig('{')).toThrow(ConfigError);
    expect(() => extractFeatures(new Float32Array(1000), cfg({ windowSamples: 500 }))).toThrow(ConfigError);
  });

  it('counts features and frames', () => {
    expect(featureCount(cfg())).toBe(28);
    expect(featureCount(cfg({ deltas: false, logEnergy: false }))).toBe(13);
    expect(featureCount(cfg({ deltas: false }))).toBe(14);
    expect(frameCount(cfg(), 16000)).toBe(97);
    expect(modelFrames(cfg())).toBe(97);
    expect(frameCount(cfg({ hopSamples: 320 }), 16000)).toBe(49);
    expect(frameCount(cfg({ windowSamples: 256 }), 16000)).toBe(99);
    expect(frameCount(cfg(), 511)).toBe(0);
    expect(frameCount(cfg(), 512)).toBe(1);
    expect(frameCount(cfg(), 671)).toBe(1);
    expect(frameCount(cfg(), 672)).toBe(2);
    expect(extractFeatures(new Float32Array(16000), cfg()).length).toBe(97 * 28);
    expect(extractFeatures(new Float32Array(100), cfg()).length).toBe(0);
  });
});

describe('extraction: streaming and batch', () => {
  const x = signal(16000 + 333, 7);

  for (const deltas of [true, false]) {
    it(`streaming equals batch bit for bit (deltas ${deltas})`, () => {
      const config = cfg({ deltas });
      const batch = extractFeatures(x, config);
      const r = rng(99);
      const plans: [string, () => number][] = [
        ['1', () => 1], ['128', () => 128], ['160', () => 160], ['1000', () => 1000], ['random', () => 1 + Math.floor(r() * 700)],
      ];
      for (const [, size] of plans) {
        const s = new FeatureStream(config);
        const parts: Float32Array[] = [];
        for (let i = 0; i < x.length;) {
          const n = Math.min(size(), x.length - i);
          parts.push(s.push(x.subarray(i, i + n)));
          i += n;
        }
        parts.push(s.flush());
        const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
        let o = 0;
        for (const p of parts) { all.set(p, o); o += p.length; }
        expect(all.length).toBe(batch.length);
        expect(Buffer.from(all.buffer).equals(Buffer.from(batch.buffer))).toBe(true);
        expect(s.framesEmitted).toBe(frameCount(config, x.length));
      }
    });
  }

  it('stream holds back two frames for deltas and refuses audio after flush', () => {
    const s = new FeatureStream(cfg());
    expect(s.push(new Float32Array(512 + 160 * 4)).length).toBe(3 * 28);
    expect(s.flush().length).toBe(2 * 28);
    expect(() => s.push(new Float32Array(10))).toThrow(/reset/);
    s.reset();
    expect(s.push(new Float32Array(512)).length).toBe(0);
  });

  it('survives Meyda\'s cached filterbank: other bands/window in between give the same numbers as fresh', () => {
    const a = extractFeatures(x, cfg());
    const other = extractFeatures(x, cfg({ melBands: 40, windowSamples: 256, hopSamples: 128 }));
    expect(other.length).toBeGreaterThan(0);
    const b = extractFeatures(x, cfg());
    expect(Array.from(b)).toEqual(Array.from(a));
    // and the other config, after the default, equals its own fresh run
    expect(Array.from(extractFeatures(x, cfg({ melBands: 40, windowSamples: 256, hopSamples: 128 })))).toEqual(Array.from(other));
    // same bands, other window: Meyda itself would keep the stale bank here
    const wide = extractFeatures(x, cfg({ windowSamples: 1024 }));
    expect(Array.from(extractFeatures(x, cfg()))).toEqual(Array.from(a));
    expect(Array.from(extractFeatures(x, cfg({ windowSamples: 1024 })))).toEqual(Array.from(wide));
    // interleaved streams with different configs stay equal to their batch results
    const s1 = new FeatureStream(cfg({ deltas: false }));
    const s2 = new FeatureStream(cfg({ deltas: false, melBands: 20, windowSamples: 1024 }));
    const o1: number[] = [], o2: number[] = [];
    for (let i = 0; i < x.length; i += 500) {
      o1.push(...s1.push(x.subarray(i, i + 500)));
      o2.push(...s2.push(x.subarray(i, i + 500)));
    }
    o1.push(...s1.flush()); o2.push(...s2.flush());
    expect(o1).toEqual(Array.from(extractFeatures(x, cfg({ deltas: false }))));
    expect(o2).toEqual(Array.from(extractFeatures(x, cfg({ deltas: false, melBands: 20, windowSamples: 1024 }))));
  });
});

describe('extraction: what the features say', () => {
  it('responds to amplitude as documented: c0 and log-energy shift by ~ln(g²), c1… barely move', () => {
    const config = cfg({ deltas: false });
    const F = featureCount(config);
    const base = signal(8000, 3, 0.1);
    const loud = base.map((v) => v * 2);
    const fa = extractFeatures(base, config), fb = extractFeatures(loud, config);
    const T = fa.length / F;
    const ln4 = Math.log(4);
    for (let t = 0; t < T; t++) {
      expect(fb[t * F + 13] - fa[t * F + 13]).toBeCloseTo(ln4, 4); // log-energy
      // c0 = 2·Σ bands ln(E+1): +ln4 per band when E ≫ 1
      const dc0 = fb[t * F] - fa[t * F];
      expect(dc0).toBeGreaterThan(0.9 * 2 * config.melBands * ln4);
      expect(dc0).toBeLessThan(1.01 * 2 * config.melBands * ln4);
      for (let k = 1; k < 13; k++) expect(Math.abs(fb[t * F + k] - fa[t * F + k])).toBeLessThan(0.05 * dc0);
    }
    // digital silence: all zero
    expect(Array.from(extractFeatures(new Float32Array(2000), config)).every((v) => v === 0)).toBe(true);
  });

  it('deltas of a constant signal are 0', () => {
    const config = cfg();
    const F = featureCount(config);
    const out = extractFeatures(signal(800 * 20, 5).fill(0.25), config);
    const S = F / 2;
    for (let t = 0; t < out.length / F; t++) {
      for (let k = 0; k < S; k++) expect(out[t * F + S + k]).toBe(0);
      expect(out[t * F + 13]).toBeGreaterThan(0);
    }
  });

  it('extracts finite features of the expected shape from real speech (FSDD)', () => {
    for (const [word, speaker, take] of [['zero', 'jackson', 0], ['seven', 'nicolas', 3], ['nine', 'yweweler', 12]] as const) {
      const audio = fsdd(word, speaker, take);
      const out = extractFeatures(audio, cfg());
      const T = frameCount(cfg(), audio.length);
      expect(T).toBeGreaterThan(5);
      expect(out.length).toBe(T * 28);
      expect(out.every(Number.isFinite)).toBe(true);
      // speech is not silence: log-energy well above 0 somewhere
      let maxE = 0;
      for (let t = 0; t < T; t++) maxE = Math.max(maxE, out[t * 28 + 13]);
      expect(maxE).toBeGreaterThan(10);
    }
  });

  it('normalisation: fitted on training features, carried in the config, applied identically by batch and stream', () => {
    const train = [signal(8000, 11), signal(12000, 12, 0.05)].map((a) => extractFeatures(a, cfg()));
    const norm = fitNormalization(cfg(), train);
    expect(norm.mean.length).toBe(28);
    const config = withNormalization(cfg(), norm);
    expect(parseFeatureConfig(serializeFeatureConfig(config))).toEqual(config);
    // the training features, normalised, have mean ≈ 0 and std ≈ 1 per feature
    const all = [signal(8000, 11), signal(12000, 12, 0.05)].map((a) => extractFeatures(a, config));
    const frames = all.reduce((n, f) => n + f.length / 28, 0);
    for (const k of [0, 5, 13, 20]) {
      let m = 0, q = 0;
      for (const f of all) for (let t = 0; t < f.length / 28; t++) { m += f[t * 28 + k]; q += f[t * 28 + k] ** 2; }
      m /= frames;
      expect(Math.abs(m)).toBeLessThan(1e-3);
      expect(Math.sqrt(q / frames - m * m)).toBeCloseTo(1, 2);
    }
    const x = signal(5000, 13);
    const s = new FeatureStream(config);
    const o: number[] = [];
    for (let i = 0; i < x.length; i += 77) o.push(...s.push(x.subarray(i, i + 77)));
    o.push(...s.flush());
    expect(o).toEqual(Array.from(extractFeatures(x, config)));
    expect(() => withNormalization(cfg({ deltas: false }), norm)).toThrow(/14 means/);
    expect(() => fitNormalization(config, train)).toThrow(ConfigError);
  });
});

