// Evaluation on long audio: keyword clips inserted at known times into a bed of
// background noise and other speech, the detector run over it, and its detections
// matched to the truth. Reports recall, false activations per hour and detection
// latency, and a per-word threshold sweep over recorded posteriors.
//
// Two ways to compose the audio:
//   composeStream       isolated words with pauses of 1–3 s, keywords drawn at random;
//   composeDenseStream  what a microphone on a desk hears while people talk: other speech
//                       packed around the keywords (isolated words about one a second, or
//                       sentences back to back), every keyword clip inserted a set number
//                       of times at its own place and level, and the other words counted
//                       so false activations can be given per 1,000 of them.
//
// Matching: a detection of word w at decision time d hits occurrence i of w when
// start_i ≤ d ≤ end_i + maxDelay and i is not hit yet (earliest occurrence first). Any
// other detection (wrong word, other speech, noise, a second firing) is a false
// activation. Latency is d − end_i: how long after the word ended the detector knew.

import { findSpeech } from '../audio/endpoint.js';
import { generatedNoise, type NoiseKind } from '../audio/augment.js';
import { SAMPLE_RATE } from '../audio/sample-rate.js';
import { ConfigError } from '../errors.js';
import { Random } from '../tensor/random.js';
import type { InferenceEngine } from '../inference/engine.js';
import { DecisionRule } from './decision.js';
import { KeywordDetector, type Detection, type DetectorOptions, type KeywordModelInfo, type PosteriorStep } from './detector.js';
import type { KwsClip } from './examples.js';
import { isFillerLabel } from './labels.js';

/** A word in the stream, from its first to its last spoken sample (s). */
export interface StreamEvent {
  label: string;
  speaker: string;
  start: number;
  end: number;
  keyword: boolean;
  /** composeDenseStream: the filler pool the word or speech came from (keywords have none). */
  source?: string;
}

export interface ComposeOptions {
  /** Clips of the words to spot, and of other speech (fillers, never to be detected). */
  keywords: readonly KwsClip[];
  fillers: readonly KwsClip[];
  /** Background recordings looped under everything; generated pink noise when empty. */
  background: readonly Float32Array[];
  durationSeconds: number;
  /** Share of insertions that are keywords (default 0.5). */
  keywordShare?: number;
  /** Silence between words, uniform in [min, max] s (default [1, 3]). */
  gapSeconds?: [number, number];
  /** Speech-to-background ratio in dB, uniform per word (default [10, 20]). */
  snrDb?: [number, number];
  seed?: number;
}

export interface ComposedStream {
  samples: Float32Array;
  events: StreamEvent[];
}

function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

const BED_LEVEL = 0.01; // background RMS (−40 dBFS); speech is scaled relative to it
const DEFAULT_SNR_DB: [number, number] = [10, 20];

/** The bed (n): background recordings end to end (looped), else generated noise of `kind`, at BED_LEVEL. */
function fillBed(samples: Float32Array, background: readonly Float32Array[], kind: NoiseKind, rng: Random): void {
  const n = samples.length;
  const beds = background.filter((b) => b.length > 0);
  if (beds.length > 0) {
    for (let i = 0, r = 0; i < n; r = (r + 1) % beds.length) {
      const b = beds[r], take = Math.min(b.length, n - i), g = BED_LEVEL / Math.max(1e-9, rms(b));
      for (let j = 0; j < take; j++) samples[i + j] = b[j] * g;
      i += take;
    }
  } else {
    const noise = generatedNoise(n, kind, rng);
    for (let i = 0; i < n; i++) samples[i] = noise[i] * BED_LEVEL;
  }
}

/** Adds x · g at sample t. */
function mixAt(samples: Float32Array, x: Float32Array, t: number, g: number): void {
  for (let j = 0; j < x.length; j++) samples[t + j] += x[j] * g;
}

/** Scales the stream down to a peak of 1 if it is louder (keeps every SNR). */
function limitPeak(samples: Float32Array): void {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak > 1) for (let i = 0; i < samples.length; i++) samples[i] /= peak;
}

/** Long test audio with words at known times (deterministic for a given seed). */
export function composeStream(o: ComposeOptions): ComposedStream {
  if (!(o.durationSeconds > 0)) throw new ConfigError('bad-stream', 'durationSeconds must be positive');
  if (o.keywords.length === 0) throw new ConfigError('bad-stream', 'no keyword clips to insert');
  const rng = new Random(o.seed ?? 1);
  const [gapMin, gapMax] = o.gapSeconds ?? [1, 3];
  const [snrMin, snrMax] = o.snrDb ?? DEFAULT_SNR_DB;
  const share = o.keywordShare ?? 0.5;
  const n = Math.round(o.durationSeconds * SAMPLE_RATE);
  const samples = new Float32Array(n);
  fillBed(samples, o.background, 'pink', rng);

  const events: StreamEvent[] = [];
  let t = Math.round(rng.uniform(gapMin, gapMax) * SAMPLE_RATE);
  while (true) {
    const keyword = o.fillers.length === 0 || rng.next() < share;
    const pool = keyword ? o.keywords : o.fillers;
    const clip = pool[rng.int(pool.length)];
    const span = findSpeech(clip.samples, SAMPLE_RATE) ?? { start: 0, end: clip.samples.length };
    const spoken = clip.samples.subarray(span.start, span.end);
    if (t + spoken.length >= n) break;
    const snr = rng.uniform(snrMin, snrMax);
    const g = (BED_LEVEL * 10 ** (snr / 20)) / Math.max(1e-9, rms(spoken));
    mixAt(samples, spoken, t, g);
    events.push({ label: clip.label, speaker: clip.speaker, start: t / SAMPLE_RATE, end: (t + spoken.length) / SAMPLE_RATE, keyword });
    t += spoken.length + Math.round(rng.uniform(gapMin, gapMax) * SAMPLE_RATE);
  }
  limitPeak(samples);
  return { samples, events };
}

/** Filler clips of one kind: isolated words, or long recordings of continuous speech. */
export interface FillerPool {
  /** Names the pool in its events' `source` ("own words", "sentences", ...). */
  name: string;
  clips: readonly KwsClip[];
  /** Share of the filler words drawn from this pool, relative to the others ('words' only; default 1). */
  weight?: number;
}

export interface DenseComposeOptions {
  /**
   * Clips of the words to spot: each goes in `repeats` times, in a seeded order, each time
   * at its own place and level. None: other speech alone (room audio to mine from).
   */
  keywords: readonly KwsClip[];
  repeats?: number;
  fillers: readonly FillerPool[];
  /**
   * 'words': isolated words, each trimmed to its spoken part and placed whole, drawn from
   * the pools by weight. 'speech': long recordings (sentences) of all pools in a seeded
   * order, back to back and looped; where a keyword is due, the recording is cut at its
   * quietest 20 ms within the last CUT_SEARCH_SECONDS before that point (a pause between
   * words, as a rule) and goes on from there after the keyword.
   */
  fillerKind: 'words' | 'speech';
  durationSeconds: number;
  /** Silence between filler words, or between recordings (s, uniform; default [0.1, 0.4]: with real words of 0.6–0.7 s, about one a second). */
  fillerGapSeconds?: [number, number];
  /** Pause before and after each keyword (s, uniform; default [0.4, 1]): a command said on its own, not run into the next word. */
  keywordGapSeconds?: [number, number];
  /**
   * Speech-to-background ratio (dB, uniform; default [10, 20]), drawn for every keyword and
   * filler word (measured on its spoken part) and every speech recording (measured on the
   * whole recording, pauses included, and kept for all its pieces).
   */
  snrDb?: [number, number];
  /** Background recordings looped under everything; when none, generated noise of `noise` (default pink). */
  background?: readonly Float32Array[];
  noise?: NoiseKind;
  /** Words per second of 'speech' fillers, to count them (default 2.5, read English; the words themselves are not known). */
  wordsPerSecond?: number;
  seed?: number;
}

export interface DenseStream extends ComposedStream {
  /** Other words heard: filler word events ('words'), or seconds of speech × wordsPerSecond ('speech'). */
  otherWords: number;
}

const DEFAULT_REPEATS = 4;
const DEFAULT_FILLER_GAP_S: [number, number] = [0.1, 0.4];
const DEFAULT_KEYWORD_GAP_S: [number, number] = [0.4, 1];
const DEFAULT_WORDS_PER_SECOND = 2.5;
const CUT_SEARCH_SECONDS = 1.5; // a cut looks this far back for a pause: words last ~0.3 s, so one is almost always there
const CUT_BLOCK = 320;          // 20 ms: the unit a cut point is chosen in
const MIN_PIECE_SECONDS = 1;    // no piece of speech shorter than this is cut off a recording

/** The middle of the quietest CUT_BLOCK of x[from, to); `to` when no block fits. */
function quietestCut(x: Float32Array, from: number, to: number): number {
  let best = to, bestEnergy = Infinity;
  for (let b = from; b + CUT_BLOCK <= to; b += CUT_BLOCK) {
    let e = 0;
    for (let j = b; j < b + CUT_BLOCK; j++) e += x[j] * x[j];
    if (e < bestEnergy) { bestEnergy = e; best = b + CUT_BLOCK / 2; }
  }
  return best;
}

/**
 * Long test audio of other speech packed around keywords at known times (deterministic for
 * a given seed). The keyword insertions are spread evenly: before each, a stretch of other
 * speech of an equal share (±50 %) of the time the remaining keywords leave, then a pause,
 * the keyword, a pause; the last stretch runs to the end of the stream.
 */
export function composeDenseStream(o: DenseComposeOptions): DenseStream {
  const repeats = o.repeats ?? DEFAULT_REPEATS;
  if (!(o.durationSeconds > 0)) throw new ConfigError('bad-stream', 'durationSeconds must be positive');
  if (!Number.isInteger(repeats) || repeats < 1) throw new ConfigError('bad-stream', `repeats must be a positive integer, got ${repeats}`);
  const pools = o.fillers.filter((p) => p.clips.length > 0 && (p.weight ?? 1) > 0);
  if (pools.length === 0) throw new ConfigError('bad-stream', 'no filler clips to put between the keywords');
  if (pools.some((p) => p.clips.some((c) => c.samples.length === 0))) throw new ConfigError('bad-stream', 'a filler clip is empty');
  const rng = new Random(o.seed ?? 1);
  const [fgMin, fgMax] = o.fillerGapSeconds ?? DEFAULT_FILLER_GAP_S;
  const [kgMin, kgMax] = o.keywordGapSeconds ?? DEFAULT_KEYWORD_GAP_S;
  const [snrMin, snrMax] = o.snrDb ?? DEFAULT_SNR_DB;
  const wordsPerSecond = o.wordsPerSecond ?? DEFAULT_WORDS_PER_SECOND;
  const sec = (s: number): number => Math.round(s * SAMPLE_RATE);
  const n = sec(o.durationSeconds);
  const samples = new Float32Array(n); // (n)
  fillBed(samples, o.background ?? [], o.noise ?? 'pink', rng);

  const spans = new Map<KwsClip, Float32Array>();
  const spoken = (clip: KwsClip): Float32Array => {
    let x = spans.get(clip);
    if (!x) {
      const span = findSpeech(clip.samples, SAMPLE_RATE) ?? { start: 0, end: clip.samples.length };
      x = clip.samples.subarray(span.start, span.end);
      spans.set(clip, x);
    }
    return x;
  };
  const gainFor = (x: Float32Array): number => (BED_LEVEL * 10 ** (rng.uniform(snrMin, snrMax) / 20)) / Math.max(1e-9, rms(x));
  const events: StreamEvent[] = [];
  let otherWords = 0;

  // Every keyword clip `repeats` times, in a seeded order.
  const order: number[] = [];
  for (let r = 0; r < repeats; r++) for (let i = 0; i < o.keywords.length; i++) order.push(i);
  rng.shuffle(order);
  // Samples the keywords still to come need at most: their audio and the longest pauses around them.
  let keywordNeed = 0;
  for (const i of order) keywordNeed += spoken(o.keywords[i]).length + 2 * sec(kgMax);
  if (keywordNeed + sec(fgMax) > n) {
    throw new ConfigError('bad-stream', `${order.length} keyword insertions need up to ${((keywordNeed + sec(fgMax)) / SAMPLE_RATE).toFixed(0)} s, more than the stream's ${o.durationSeconds} s`);
  }

  // 'words': a pool by weight, a clip of it at random; placed whole or not at all.
  const totalWeight = pools.reduce((a, p) => a + (p.weight ?? 1), 0);
  const fillWords = (t: number, end: number): number => {
    for (let gap = 0; ; gap = sec(rng.uniform(fgMin, fgMax))) {
      let u = rng.next() * totalWeight, p = 0;
      while (p < pools.length - 1 && u >= (pools[p].weight ?? 1)) u -= pools[p++].weight ?? 1;
      const clip = pools[p].clips[rng.int(pools[p].clips.length)], x = spoken(clip);
      if (t + gap + x.length > end) return t;
      t += gap;
      mixAt(samples, x, t, gainFor(x));
      events.push({ label: clip.label, speaker: clip.speaker, start: t / SAMPLE_RATE, end: (t + x.length) / SAMPLE_RATE, keyword: false, source: pools[p].name });
      otherWords++;
      t += x.length;
    }
  };

  // 'speech': recordings in a seeded order, looped; `offset` into the current one, its gain kept for all its pieces.
  const recordings = pools.flatMap((p) => p.clips.map((clip) => ({ clip, source: p.name })));
  const recOrder = recordings.map((_, i) => i);
  rng.shuffle(recOrder);
  let rec = 0, offset = 0, recGain = 0;
  const fillSpeech = (t: number, end: number): number => {
    for (let gap = 0; ; gap = sec(rng.uniform(fgMin, fgMax))) {
      const { clip, source } = recordings[recOrder[rec]], x = clip.samples;
      const remain = x.length - offset, space = end - t - gap;
      if (space < Math.min(remain, sec(MIN_PIECE_SECONDS))) return t;
      const stop = remain <= space ? x.length : quietestCut(x, offset + Math.max(sec(MIN_PIECE_SECONDS), space - sec(CUT_SEARCH_SECONDS)), offset + space);
      if (offset === 0) recGain = gainFor(x);
      t += gap;
      const piece = x.subarray(offset, stop);
      mixAt(samples, piece, t, recGain);
      events.push({ label: clip.label, speaker: clip.speaker, start: t / SAMPLE_RATE, end: (t + piece.length) / SAMPLE_RATE, keyword: false, source });
      otherWords += (piece.length / SAMPLE_RATE) * wordsPerSecond;
      t += piece.length;
      offset = stop;
      if (offset < x.length) return t; // cut: a keyword is due
      offset = 0;
      rec = (rec + 1) % recordings.length;
    }
  };

  let t = sec(rng.uniform(fgMin, fgMax));
  for (let k = 0; k <= order.length; k++) {
    const left = order.length - k;
    // Other speech up to here: an equal share (±50 %) of what the keywords to come leave;
    // at most 3/4 of it, so they always fit.
    const share = left === 0 ? n - t : ((n - t - keywordNeed) / (left + 1)) * rng.uniform(0.5, 1.5);
    const end = Math.min(n, t + Math.max(0, Math.round(share)));
    t = o.fillerKind === 'words' ? fillWords(t, end) : fillSpeech(t, end);
    if (left === 0) break;
    const clip = o.keywords[order[k]], x = spoken(clip);
    keywordNeed -= x.length + 2 * sec(kgMax);
    t += sec(rng.uniform(kgMin, kgMax));
    mixAt(samples, x, t, gainFor(x));
    events.push({ label: clip.label, speaker: clip.speaker, start: t / SAMPLE_RATE, end: (t + x.length) / SAMPLE_RATE, keyword: true });
    t += x.length + sec(rng.uniform(kgMin, kgMax));
  }
  limitPeak(samples);
  return { samples, events, otherWords };
}

export interface MatchOptions {
  /** Latest a detection may come after the word ends and still count (s; default 1). */
  maxDelay?: number;
}

export interface WordStreamMetrics {
  label: string;
  occurrences: number;
  hits: number;
  recall: number;
  falseActivations: number;
}

export interface StreamMetrics {
  hours: number;
  occurrences: number;
  hits: number;
  recall: number;
  falseActivations: number;
  falseActivationsPerHour: number;
  /** Latency d − end of each hit (s), sorted ascending. */
  latencies: number[];
  medianLatency: number | null;
  perWord: WordStreamMetrics[];
  /** Detections that hit nothing, for inspection. */
  false: Detection[];
}

/** Scores detections against the stream's keyword events. */
export function matchDetections(
  detections: readonly Pick<Detection, 'label' | 'time' | 'score' | 'startTime' | 'endTime'>[], events: readonly StreamEvent[],
  durationSeconds: number, words: readonly string[], options: MatchOptions = {},
): StreamMetrics {
  const maxDelay = options.maxDelay ?? 1;
  const truth = events.filter((e) => e.keyword);
  const hit = new Uint8Array(truth.length);
  const latencies: number[] = [];
  const falses: Detection[] = [];
  const wordFalse = new Map<string, number>();
  for (const d of [...detections].sort((a, b) => a.time - b.time)) {
    let matched = -1;
    for (let i = 0; i < truth.length; i++) {
      const e = truth[i];
      if (!hit[i] && e.label === d.label && d.time >= e.start && d.time <= e.end + maxDelay) { matched = i; break; }
    }
    if (matched >= 0) { hit[matched] = 1; latencies.push(d.time - truth[matched].end); }
    else { falses.push({ ...d }); wordFalse.set(d.label, (wordFalse.get(d.label) ?? 0) + 1); }
  }
  latencies.sort((a, b) => a - b);
  const hours = durationSeconds / 3600;
  const hits = hit.reduce((a, b) => a + b, 0);
  const perWord = words.map((label) => {
    const idx = truth.map((e, i) => (e.label === label ? i : -1)).filter((i) => i >= 0);
    const h = idx.filter((i) => hit[i]).length;
    return { label, occurrences: idx.length, hits: h, recall: idx.length > 0 ? h / idx.length : 0, falseActivations: wordFalse.get(label) ?? 0 };
  });
  return {
    hours, occurrences: truth.length, hits, recall: truth.length > 0 ? hits / truth.length : 0,
    falseActivations: falses.length, falseActivationsPerHour: hours > 0 ? falses.length / hours : 0,
    latencies, medianLatency: latencies.length > 0 ? latencies[Math.floor((latencies.length - 1) / 2)] : null,
    perWord, false: falses,
  };
}

export interface SweepPoint {
  threshold: number;
  recall: number;
  falseActivationsPerHour: number;
}

export interface WordSweep {
  label: string;
  points: SweepPoint[];
  /** The lowest threshold with at most the target false activations per hour (the best recall there). */
  suggested: number | null;
}

export const SWEEP_THRESHOLDS: readonly number[] = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99];

/**
 * Per-word threshold sweep over recorded smoothed posteriors (PosteriorStep from the
 * detector's onPosteriors): for each word and threshold, the decision rule is replayed
 * with only that word enabled, and its recall and false activations per hour counted.
 * The suggested threshold spends at most targetPerHour / words false activations per
 * hour on each word, so the words together stay within the target.
 */
export function sweepThresholds(
  steps: readonly PosteriorStep[], labels: readonly string[], events: readonly StreamEvent[], durationSeconds: number,
  options: { refractoryMs?: number; maxTrailingSilenceMs?: number; targetPerHour?: number; thresholds?: readonly number[]; maxDelay?: number } = {},
): WordSweep[] {
  const words = labels.filter((l) => !isFillerLabel(l));
  const budget = (options.targetPerHour ?? 2) / Math.max(1, words.length);
  return words.map((word) => {
    const points = (options.thresholds ?? SWEEP_THRESHOLDS).map((threshold) => {
      const thresholds = Object.fromEntries(words.map((w) => [w, w === word ? threshold : 1]));
      const rule = new DecisionRule(labels, { thresholds, refractoryMs: options.refractoryMs, maxTrailingSilenceMs: options.maxTrailingSilenceMs });
      const detections = [];
      for (const s of steps) {
        const d = rule.step(s.time, s.smoothed, s.trailingSilence);
        if (d && d.label === word) detections.push({ label: d.label, score: d.score, time: s.time, startTime: s.time, endTime: s.time });
      }
      const m = matchDetections(detections, events.filter((e) => !e.keyword || e.label === word), durationSeconds, [word], { maxDelay: options.maxDelay });
      return { threshold, recall: m.recall, falseActivationsPerHour: m.falseActivationsPerHour };
    });
    const ok = points.filter((p) => p.falseActivationsPerHour <= budget);
    const best = ok.length > 0 ? ok.reduce((a, b) => (b.recall > a.recall ? b : a)) : null;
    return { label: word, points, suggested: best ? best.threshold : null };
  });
}

/** The detector's settings an operating point replays. */
export interface OperatingSetting {
  /** One threshold for every word, or the model's per-word thresholds. */
  threshold: number | Readonly<Record<string, number>>;
  maxTrailingSilenceMs: number;
}

export interface OperatingPoint extends OperatingSetting {
  hits: number;
  occurrences: number;
  falseActivations: number;
  hours: number;
}

/**
 * The whole detector (every word at once, as the app listens) replayed over recorded
 * smoothed posteriors at other settings: where a model's recall and false activations
 * would be at another threshold or word-end limit, without running it again.
 */
export function operatingPoints(
  steps: readonly PosteriorStep[], labels: readonly string[], events: readonly StreamEvent[], durationSeconds: number,
  settings: readonly OperatingSetting[], options: { refractoryMs?: number; maxDelay?: number } = {},
): OperatingPoint[] {
  const words = labels.filter((l) => !isFillerLabel(l));
  return settings.map((setting) => {
    const rule = new DecisionRule(labels, {
      ...(typeof setting.threshold === 'number' ? { threshold: setting.threshold } : { thresholds: setting.threshold }),
      refractoryMs: options.refractoryMs, maxTrailingSilenceMs: setting.maxTrailingSilenceMs,
    });
    const detections = [];
    for (const s of steps) {
      const d = rule.step(s.time, s.smoothed, s.trailingSilence);
      if (d) detections.push({ label: d.label, score: d.score, time: s.time, startTime: s.time, endTime: s.time });
    }
    const m = matchDetections(detections, events, durationSeconds, words, { maxDelay: options.maxDelay });
    return { ...setting, hits: m.hits, occurrences: m.occurrences, falseActivations: m.falseActivations, hours: m.hours };
  });
}

export interface StreamEvaluation {
  metrics: StreamMetrics;
  sweep: WordSweep[];
  detections: Detection[];
  /** The detector replayed at options.operatingSettings (empty without them). */
  operating: OperatingPoint[];
}

/**
 * Runs a detector over a composed stream (in 100 ms chunks, as a microphone delivers
 * audio) and scores it: matchDetections at the detector's settings, and a threshold
 * sweep over the posteriors it produced on the way.
 */
export async function evaluateStream(
  engine: InferenceEngine, model: KeywordModelInfo, stream: ComposedStream,
  options: DetectorOptions & {
    targetPerHour?: number; operatingSettings?: readonly OperatingSetting[]; onProgress?: (seconds: number, total: number) => void | Promise<void>;
  } = {},
): Promise<StreamEvaluation> {
  const steps: PosteriorStep[] = [];
  const detector = new KeywordDetector(engine, model, { ...options, onPosteriors: (s) => steps.push(s) });
  const detections: Detection[] = [];
  const chunk = SAMPLE_RATE / 10, duration = stream.samples.length / SAMPLE_RATE;
  for (let i = 0; i < stream.samples.length; i += chunk) {
    detections.push(...await detector.pushAudio(stream.samples.subarray(i, i + chunk)));
    if (options.onProgress && (i / chunk) % 100 === 0) await options.onProgress(i / SAMPLE_RATE, duration);
  }
  const words = model.labels.filter((l) => !isFillerLabel(l));
  return {
    metrics: matchDetections(detections, stream.events, duration, words),
    sweep: sweepThresholds(steps, model.labels, stream.events, duration, { refractoryMs: options.refractoryMs, maxTrailingSilenceMs: options.maxTrailingSilenceMs, targetPerHour: options.targetPerHour }),
    detections,
    operating: operatingPoints(steps, model.labels, stream.events, duration, options.operatingSettings ?? [], { refractoryMs: options.refractoryMs }),
  };
}
