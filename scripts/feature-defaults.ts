// Measures a few FeatureConfig choices on real speech, to choose the defaults in
// core/features/config.ts (the numbers there come from this script). Not run by npm test.
//   npx tsx scripts/feature-defaults.ts
// Data: ../shared/data/fsdd (Free Spoken Digit Dataset, CC BY-SA 4.0, three speakers).
// Method: every clip read by app/node/speech-commands.ts (resampled 8 → 16 kHz), features
// extracted, mean- and std-pooled over frames into one vector; z-normalised with
// statistics of the training speakers only; nearest class centroid; train on two
// speakers, test on the third, all three rotations (speaker held out). Reports
// per-speaker and mean accuracy.
import { DEFAULT_FEATURE_CONFIG, featureCount, type FeatureConfig } from '../core/features/config.js';
import { extractFeatures } from '../core/features/mfcc.js';
import { readSpeechCommands } from '../app/node/speech-commands.js';
import { FSDD } from './shared-data.js';

const ROOT = FSDD;
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const SPEAKERS = ['jackson', 'nicolas', 'yweweler'];

const fsdd = await readSpeechCommands(ROOT, { unreadable: 'throw' });
const clips: { word: number; speaker: number; audio: Float32Array }[] = [];
for (const [w, word] of WORDS.entries()) {
  for (const c of fsdd.clips.filter((x) => x.label === word)) clips.push({ word: w, speaker: SPEAKERS.indexOf(c.speaker), audio: c.samples });
}

function pooled(feat: Float32Array, F: number): number[] {
  const T = feat.length / F;
  const v: number[] = [];
  for (let k = 0; k < F; k++) {
    let m = 0;
    for (let t = 0; t < T; t++) m += feat[t * F + k];
    m /= Math.max(T, 1);
    let s = 0;
    for (let t = 0; t < T; t++) s += (feat[t * F + k] - m) ** 2;
    v.push(m, Math.sqrt(s / Math.max(T, 1)));
  }
  return v;
}

/** Means of the first, middle and last third of the frames, then the std over all: keeps coarse order. */
function thirds(feat: Float32Array, F: number): number[] {
  const T = feat.length / F;
  const v: number[] = [];
  for (let part = 0; part < 3; part++) {
    const a = Math.floor((part * T) / 3), b = Math.max(a + 1, Math.floor(((part + 1) * T) / 3));
    for (let k = 0; k < F; k++) {
      let m = 0;
      for (let t = a; t < b && t < T; t++) m += feat[t * F + k];
      v.push(m / (b - a));
    }
  }
  return v.concat(pooled(feat, F).filter((_, i) => i % 2 === 1));
}

function evaluate(config: FeatureConfig, gain = 1): { acc: number[]; accThirds: number[]; seconds: number } {
  const t0 = performance.now();
  const F = featureCount(config);
  const feats = clips.map((c) => extractFeatures(gain === 1 ? c.audio : c.audio.map((x) => x * gain), config));
  const seconds = (performance.now() - t0) / 1000;
  return { acc: centroid(feats.map((f) => pooled(f, F))), accThirds: centroid(feats.map((f) => thirds(f, F))), seconds };
}

function centroid(vecs: number[][]): number[] {
  const acc: number[] = [];
  for (let held = 0; held < SPEAKERS.length; held++) {
    const train = clips.map((c, i) => i).filter((i) => clips[i].speaker !== held);
    const test = clips.map((c, i) => i).filter((i) => clips[i].speaker === held);
    const D = vecs[0].length;
    const mean = new Array(D).fill(0), std = new Array(D).fill(0);
    for (const i of train) for (let d = 0; d < D; d++) mean[d] += vecs[i][d] / train.length;
    for (const i of train) for (let d = 0; d < D; d++) std[d] += (vecs[i][d] - mean[d]) ** 2 / train.length;
    const z = (v: number[]): number[] => v.map((x, d) => (x - mean[d]) / (Math.sqrt(std[d]) + 1e-8));
    const cent = WORDS.map(() => new Array(D).fill(0));
    const cnt = WORDS.map(() => 0);
    for (const i of train) { const zv = z(vecs[i]); cnt[clips[i].word]++; for (let d = 0; d < D; d++) cent[clips[i].word][d] += zv[d]; }
    for (let w = 0; w < WORDS.length; w++) for (let d = 0; d < D; d++) cent[w][d] /= cnt[w];
    let ok = 0;
    for (const i of test) {
      const zv = z(vecs[i]);
      let best = -1, bestD = Infinity;
      for (let w = 0; w < WORDS.length; w++) {
        let dd = 0;
        for (let d = 0; d < D; d++) dd += (zv[d] - cent[w][d]) ** 2;
        if (dd < bestD) { bestD = dd; best = w; }
      }
      if (best === clips[i].word) ok++;
    }
    acc.push(ok / test.length);
  }
  return acc;
}

const base = { ...DEFAULT_FEATURE_CONFIG };
const V = (w: number, h: number, b: number, c: number, d = true, e = true): Partial<FeatureConfig> =>
  ({ windowSamples: w, hopSamples: h, melBands: b, mfccCoefficients: c, deltas: d, logEnergy: e });
const variants: [string, Partial<FeatureConfig>, number][] = [
  ['512/160 40b 13c Δ logE', V(512, 160, 40, 13), 1],
  ['512/160 40b 13c static', V(512, 160, 40, 13, false, false), 1],
  ['512/160 26b 13c static', V(512, 160, 26, 13, false, false), 1],
  ['512/160 26b 13c Δ logE', V(512, 160, 26, 13), 1],
  ['512/160 26b 13c Δ logE, [-1,1] scale', V(512, 160, 26, 13), 1 / 32768],
  ['512/160 26b 20c Δ logE', V(512, 160, 26, 20), 1],
  ['512/320 26b 13c Δ logE', V(512, 320, 26, 13), 1],
  ['256/160 26b 13c Δ logE', V(256, 160, 26, 13), 1],
  ['512/160 20b 13c Δ logE', V(512, 160, 20, 13), 1],
  ['512/160 40b 20c Δ logE', V(512, 160, 40, 20), 1],
];
console.log(`${clips.length} clips; accuracy on the held-out speaker (jackson, nicolas, yweweler; mean) for mean+std pooling | thirds pooling`);
const pct = (a: number[]): string => `${a.map((x) => (x * 100).toFixed(1)).join(' ')}; mean ${((a.reduce((p, q) => p + q, 0) / a.length) * 100).toFixed(1)}%`;
for (const [name, v, gain] of variants) {
  const { acc, accThirds, seconds } = evaluate({ ...base, ...v }, gain);
  console.log(`${name.padEnd(38)} ${pct(acc)} | ${pct(accThirds)}  (${seconds.toFixed(1)} s)`);
}
