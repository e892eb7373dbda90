// Training windows for a keyword model, from labelled 16 kHz clips and background audio.
//
// Every example is one model window (FeatureConfig.windowSeconds, 1 s by default):
//   - a word or unknown-speech clip, trimmed to its speech (core/audio/endpoint.ts) and
//     placed in the window. The clean copy is centred, as evaluation sees clips. The
//     augmented copies are placed at a uniformly random position with the whole spoken
//     part inside the window, so the model also learns the word right after it ends at
//     the window's right edge: that is what a sliding-window detector sees first, and it
//     decides the detection latency. Then augmentClip (speed, noise from the dataset's
//     own background recordings or generated noise, gain).
//   - an other-speech window: a random 1 s crop of continuous speech (people talking:
//     the bundled set's sentences), augmented like the clips, taught as unknown speech;
//   - a background window: a random crop of a background recording at a random level,
//     generated white/pink/brown noise, or near-silence, so the background class is
//     learned even from a dataset that has no background recordings.

import { augmentClip, generatedNoise, type AugmentOptions, type NoiseKind } from '../audio/augment.js';
import { centreInWindow, findSpeech } from '../audio/endpoint.js';
import { SAMPLE_RATE } from '../audio/sample-rate.js';
import { ConfigError } from '../errors.js';
import { featureCount, modelFrames, type FeatureConfig } from '../features/config.js';
import { extractFeatures } from '../features/mfcc.js';
import { specAugment, type SpecAugmentOptions } from '../features/spec-augment.js';
import { Random } from '../tensor/random.js';

/** A labelled clip: 16 kHz mono samples in [-1, 1]. */
export interface KwsClip {
  label: string;
  speaker: string;
  samples: Float32Array;
}

/** Samples in the model's window. */
export function windowLength(config: FeatureConfig): number {
  return Math.round(config.windowSeconds * config.sampleRate);
}

/** The clip's speech centred in a window (how clips are evaluated). */
export function centredWindow(samples: Float32Array, config: FeatureConfig): Float32Array {
  return centreInWindow(samples, SAMPLE_RATE, config.windowSeconds);
}

/**
 * The clip's speech at a uniformly random position in a window of `length` samples, the
 * whole spoken part inside when it fits (else a random crop of it). Silence around the
 * speech in the clip comes along where there is room, zeros elsewhere.
 */
export function randomlyPlaced(samples: Float32Array, length: number, rng: Random): Float32Array {
  const span = findSpeech(samples, SAMPLE_RATE) ?? { start: 0, end: samples.length };
  const spoken = span.end - span.start;
  // out index of the speech's first sample
  const at = spoken <= length ? rng.int(length - spoken + 1) : -rng.int(spoken - length + 1);
  return placeAt(samples, span.start, at, length);
}

/**
 * The clip's speech cut by an edge of the window, keeping `minKept`–`maxKept` of the
 * spoken part (its end at the left edge or its start at the right edge, equally often):
 * what a sliding window sees of a word that is entering or leaving it. Other speech seen
 * this way is still not a keyword, and the model has to learn that too.
 */
export function cutByEdge(samples: Float32Array, length: number, rng: Random, minKept = 0.3, maxKept = 0.8): Float32Array {
  const span = findSpeech(samples, SAMPLE_RATE) ?? { start: 0, end: samples.length };
  const spoken = span.end - span.start;
  const kept = Math.max(1, Math.min(length, Math.round(spoken * rng.uniform(minKept, maxKept))));
  const leftEdge = rng.next() < 0.5;
  const at = leftEdge ? kept - spoken : length - kept; // out index of the speech's first sample
  return placeAt(samples, span.start, at, length);
}

/** A window of `length` samples with clip sample `first` at index `at` (zeros where the clip does not reach). */
function placeAt(samples: Float32Array, first: number, at: number, length: number): Float32Array {
  const offset = first - at; // clip index of out[0]
  const out = new Float32Array(length);
  const from = Math.max(0, offset), to = Math.min(samples.length, offset + length);
  if (to > from) out.set(samples.subarray(from, to), from - offset);
  return out;
}

const NOISE_KINDS: readonly NoiseKind[] = ['white', 'pink', 'brown'];

/** Scales x in place to an RMS of `rms` (nothing if x is silent). */
function scaleToRms(x: Float32Array, rms: number): Float32Array {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  const now = Math.sqrt(s / Math.max(1, x.length));
  if (now > 0) { const g = rms / now; for (let i = 0; i < x.length; i++) x[i] *= g; }
  return x;
}

/**
 * One background window of `length` samples: with recordings, a random crop of one
 * (chosen in proportion to its length) at a gain of −20…+6 dB three times in four;
 * otherwise, or the fourth time, generated noise at an RMS level log-uniform in
 * [3e-4, 0.1] (−70 to −20 dBFS) or, one time in five, silence: digital (all zeros) or
 * near (RMS 1e-5…1e-4), equally often.
 */
export function backgroundWindow(length: number, recordings: readonly Float32Array[], rng: Random): Float32Array {
  const usable = recordings.filter((r) => r.length > 0);
  const pickRecording = rng.next() < 0.75; // drawn always, so the stream does not depend on `usable`
  if (usable.length > 0 && pickRecording) {
    const out = cropOf(usable, length, rng);
    const g = 10 ** (rng.uniform(-20, 6) / 20);
    let peak = 0;
    for (let i = 0; i < length; i++) { out[i] *= g; peak = Math.max(peak, Math.abs(out[i])); }
    if (peak > 1) for (let i = 0; i < length; i++) out[i] /= peak;
    return out;
  }
  const kind = NOISE_KINDS[rng.int(NOISE_KINDS.length)];
  const silence = rng.next() < 0.2;
  // Half the silence is digital (exact zeros, as from a muted microphone): word windows are
  // zero-padded, so a model that never saw all-zero background learns zeros mean a word.
  if (silence && rng.next() < 0.5) return new Float32Array(length);
  const rms = silence ? 10 ** rng.uniform(-5, -4) : 10 ** rng.uniform(Math.log10(3e-4), -1);
  return scaleToRms(generatedNoise(length, kind, rng), rms);
}

/** A random crop of `length` samples from the recordings, chosen in proportion to their length (zero-padded when shorter). */
function cropOf(recordings: readonly Float32Array[], length: number, rng: Random): Float32Array {
  const total = recordings.reduce((s, r) => s + r.length, 0);
  let k = rng.int(total), r = 0;
  while (k >= recordings[r].length) { k -= recordings[r].length; r++; }
  const source = recordings[r];
  const out = new Float32Array(length);
  if (source.length <= length) out.set(source, rng.int(length - source.length + 1));
  else { const start = rng.int(source.length - length + 1); out.set(source.subarray(start, start + length)); }
  return out;
}

/**
 * One window of continuous speech: a random crop of a recording (in proportion to its
 * length). What a detector hears most of the day is people talking, in mid-sentence,
 * with words running into each other, which isolated clips never show it.
 */
export function speechWindow(length: number, recordings: readonly Float32Array[], rng: Random): Float32Array {
  const usable = recordings.filter((r) => r.length > 0);
  if (usable.length === 0) throw new ConfigError('no-speech', 'speech windows need at least one non-empty recording');
  return cropOf(usable, length, rng);
}

/** Where a training example comes from (kept for reports and tests). */
export interface ExampleSource {
  kind: 'clip' | 'augmented' | 'fragment' | 'speech' | 'background';
  clip: number; // index into the clips, -1 for background
}

export interface ExampleSet {
  x: Float32Array;      // (N, T, F) raw features (no normalisation)
  labels: Int32Array;   // (N)
  steps: number;        // T
  features: number;     // F
  sources: ExampleSource[];
}

export interface ExamplePlan {
  /** Clips and the class index of each (≥ 0). */
  clips: readonly KwsClip[];
  classOf: readonly number[];
  /** Augmented copies per clip besides the clean one (0: clean only). */
  augmentedCopies: number;
  /** Per clip: whether half its augmented copies are cut by a window edge (cutByEdge), for unknown speech. */
  edgeCuts?: readonly boolean[];
  /**
   * Per clip: the class of one extra window holding only a fragment of it (20–60 % of the
   * word, cut by a window edge, then augmented), or -1 for none. For the words: a sliding
   * window sees the end of every word after it has been spoken, and that fragment alone
   * must not fire (it was heard as another word: the tail of "no" as "up").
   */
  fragmentClass?: readonly number[];
  /** Windows cut from continuous speech (speechWindow, then augmented), and their class (unknown speech). */
  speechExamples?: number;
  speechClass?: number;
  speechRecordings?: readonly Float32Array[];
  /** Background windows, and the class index they get. */
  backgroundExamples: number;
  backgroundClass: number;
  backgroundRecordings: readonly Float32Array[];
  augment?: AugmentOptions;
  /** SpecAugment masks on the features of the augmented copies and fragments (default none). */
  specAugment?: SpecAugmentOptions | null;
  features: FeatureConfig;
}

/** Examples in the plan: clips · (1 + copies) + background. */
export function plannedExamples(plan: ExamplePlan): number {
  const fragments = plan.fragmentClass?.filter((k) => k >= 0).length ?? 0;
  return plan.clips.length * (1 + plan.augmentedCopies) + fragments + (plan.speechExamples ?? 0) + plan.backgroundExamples;
}

const YIELD_EVERY_MS = 50;
/** Windows handed to the featurizer at once: enough to split over a few threads. */
const FEATURE_BATCH = 96;

/**
 * Computes the raw features of windows of windowLength samples, in order: each at least
 * T·F values, (T, F). Feature extraction is most of the preparation time, so the engine
 * passes one that spreads a batch over threads (app/node/feature-threads.ts); the
 * default runs here. Either way it is extractFeatures with the recipe's settings, the
 * code live recognition runs.
 */
export type WindowFeaturizer = (windows: Float32Array[], config: FeatureConfig) => Promise<Float32Array[]>;

export const featurizeHere: WindowFeaturizer = async (windows, config) => windows.map((w) => extractFeatures(w, config));

/**
 * Builds the windows of the plan and their features, yielding (done, total) now and then
 * so a caller can report progress and the event loop (and an abort) gets a turn: feature
 * extraction is most of the preparation time. Deterministic for a given rng state, and
 * the same whichever featurizer computes the features.
 */
export async function* buildExamples(plan: ExamplePlan, rng: Random, featurize: WindowFeaturizer = featurizeHere): AsyncGenerator<{ done: number; total: number }, ExampleSet> {
  const config = plan.features;
  if (config.normalization !== null) throw new ConfigError('feature-config', 'training examples are built from raw features (normalization: null); the model normalises');
  const T = modelFrames(config), F = featureCount(config), length = windowLength(config);
  const N = plannedExamples(plan);
  const x = new Float32Array(N * T * F); // (N, T, F)
  const labels = new Int32Array(N);      // (N)
  const sources: ExampleSource[] = [];
  const augment: AugmentOptions = { ...plan.augment, shiftProbability: 0, noise: plan.backgroundRecordings };
  // The masks have their own stream, seeded once from rng (only when on, so a plan
  // without them draws exactly as before), and are applied in example order: the same
  // whichever featurizer computed the features.
  const masks = plan.specAugment ? new Random(rng.int(2 ** 31)) : null;
  let n = 0, lastYield = performance.now();
  const pending: Float32Array[] = []; // windows whose features are not computed yet, each (length)
  const flush = async function* (): AsyncGenerator<{ done: number; total: number }> {
    const features = await featurize(pending.splice(0), config);
    for (const f of features) {
      const example = x.subarray(n * T * F, (n + 1) * T * F); // (T, F)
      example.set(f.subarray(0, T * F));
      if (masks && sources[n].kind !== 'clip' && sources[n].kind !== 'background') specAugment(example, T, F, plan.specAugment!, masks);
      n++;
    }
    if (performance.now() - lastYield >= YIELD_EVERY_MS) {
      yield { done: n, total: N };
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  };
  const put = async function* (window: Float32Array, label: number, source: ExampleSource): AsyncGenerator<{ done: number; total: number }> {
    labels[sources.length] = label;
    sources.push(source);
    pending.push(window);
    if (pending.length >= FEATURE_BATCH) yield* flush();
  };
  for (let c = 0; c < plan.clips.length; c++) {
    const clip = plan.clips[c];
    yield* put(centredWindow(clip.samples, config), plan.classOf[c], { kind: 'clip', clip: c });
    for (let k = 0; k < plan.augmentedCopies; k++) {
      const placed = plan.edgeCuts?.[c] && k % 2 === 1 ? cutByEdge(clip.samples, length, rng) : randomlyPlaced(clip.samples, length, rng);
      yield* put(augmentClip(placed, augment, rng), plan.classOf[c], { kind: 'augmented', clip: c });
    }
    const fragment = plan.fragmentClass?.[c] ?? -1;
    if (fragment >= 0) yield* put(augmentClip(cutByEdge(clip.samples, length, rng, 0.2, 0.6), augment, rng), fragment, { kind: 'fragment', clip: c });
  }
  for (let k = 0; k < (plan.speechExamples ?? 0); k++) {
    yield* put(augmentClip(speechWindow(length, plan.speechRecordings ?? [], rng), augment, rng), plan.speechClass ?? -1, { kind: 'speech', clip: -1 });
  }
  for (let b = 0; b < plan.backgroundExamples; b++) {
    yield* put(backgroundWindow(length, plan.backgroundRecordings, rng), plan.backgroundClass, { kind: 'background', clip: -1 });
  }
  if (pending.length > 0) yield* flush();
  yield { done: n, total: N };
  return { x, labels, steps: T, features: F, sources };
}
