// Evaluation on long audio: keyword clips inserted at known times into a bed of
// background noise and other speech, the detector run over it, and its detections
// matched to the truth. Reports recall, false activations per hour and detection
// latency, and a per-word threshold sweep over recorded posteriors.
//
// Matching: a detection of word w at decision time d hits occurrence i of w when
// start_i ≤ d ≤ end_i + maxDelay and i is not hit yet (earliest occurrence first). Any
// other detection (wrong word, other speech, noise, a second firing) is a false
// activation. Latency is d − end_i: how long after the word ended the detector knew.

import { findSpeech } from '../audio/endpoint.js';
import { generatedNoise } from '../audio/augment.js';
import { ConfigError } from '../errors.js';
import { Random } from '../tensor/random.js';
import type { InferenceEngine } from '../inference/engine.js';
import { DecisionRule } from './decision.js';
import { KeywordDetector, type Detection, type DetectorOptions, type KeywordModelInfo, type PosteriorStep } from './detector.js';
import type { KwsClip } from './examples.js';
import { isFillerLabel } from './labels.js';

const SAMPLE_RATE = 16000;

/** A word in the stream, from its first to its last spoken sample (s). */
export interface StreamEvent {
  label: string;
  speaker: string;
  start: number;
  end: number;
  keyword: boolean;
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

/** Long test audio with words at known times (deterministic for a given seed). */
export function composeStream(o: ComposeOptions): ComposedStream {
  if (!(o.durationSeconds > 0)) throw new ConfigError('bad-stream', 'durationSeconds must be positive');
  if (o.keywords.length === 0) throw new ConfigError('bad-stream', 'no keyword clips to insert');
  const rng = new Random(o.seed ?? 1);
  const [gapMin, gapMax] = o.gapSeconds ?? [1, 3];
  const [snrMin, snrMax] = o.snrDb ?? [10, 20];
  const share = o.keywordShare ?? 0.5;
  const n = Math.round(o.durationSeconds * SAMPLE_RATE);
  const samples = new Float32Array(n);
  const BED_LEVEL = 0.01; // background RMS (−40 dBFS); speech is scaled relative to it

  // The bed: background recordings end to end (looped), or pink noise.
  const beds = o.background.filter((b) => b.length > 0);
  if (beds.length > 0) {
    for (let i = 0, r = 0; i < n; r = (r + 1) % beds.length) {
      const b = beds[r], take = Math.min(b.length, n - i), g = BED_LEVEL / Math.max(1e-9, rms(b));
      for (let j = 0; j < take; j++) samples[i + j] = b[j] * g;
      i += take;
    }
  } else {
    const noise = generatedNoise(n, 'pink', rng);
    for (let i = 0; i < n; i++) samples[i] = noise[i] * BED_LEVEL;
  }

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
    for (let j = 0; j < spoken.length; j++) samples[t + j] += spoken[j] * g;
    events.push({ label: clip.label, speaker: clip.speaker, start: t / SAMPLE_RATE, end: (t + spoken.length) / SAMPLE_RATE, keyword });
    t += spoken.length + Math.round(rng.uniform(gapMin, gapMax) * SAMPLE_RATE);
  }
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(samples[i]));
  if (peak > 1) for (let i = 0; i < n; i++) samples[i] /= peak;
  return { samples, events };
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

export interface StreamEvaluation {
  metrics: StreamMetrics;
  sweep: WordSweep[];
  detections: Detection[];
}

/**
 * Runs a detector over a composed stream (in 100 ms chunks, as a microphone delivers
 * audio) and scores it: matchDetections at the detector's settings, and a threshold
 * sweep over the posteriors it produced on the way.
 */
export async function evaluateStream(
  engine: InferenceEngine, model: KeywordModelInfo, stream: ComposedStream,
  options: DetectorOptions & { targetPerHour?: number; onProgress?: (seconds: number, total: number) => void | Promise<void> } = {},
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
  };
}
