// The streaming keyword detector: 16 kHz audio (or feature frames) in chunks of any size
// in, detections out. The same class runs in the CLI, the app's engine and the
// evaluation, on either inference engine.
//
//   audio ──FeatureStream──▶ frames ──ring of the last T──▶ every hop: engine.run(T, 1, F)
//        ──▶ posteriors (C) ──mean of the last S──▶ smoothed ──DecisionRule──▶ detections
//
// Dimensions: T frames per model window (97 for 1 s), F features per frame, C classes,
// S posteriors averaged (smoothingMs / hopMs).
//
// Why whole windows rather than the network's streaming step: the model was trained on
// one-second windows that start from a zero state, and a recurrent state that runs on
// for minutes drifts away from anything it saw in training. A window every 50 ms costs
// about 1 ms with the TypeScript engine at 64 units, so this stays a few percent of a core.
//
// Times are in seconds of stream audio from the first sample pushed. A frame t covers
// samples [t·hop, t·hop + window); with deltas the feature stream holds each frame back
// until two more frames' audio arrived, so a decision on frames ..t is made at
// (t + 2)·hop + window samples: that is a Detection's `time`.

import { ConfigError } from '../errors.js';
import { featureCount, modelFrames, type FeatureConfig } from '../features/config.js';
import { FeatureStream } from '../features/mfcc.js';
import type { InferenceEngine } from '../inference/engine.js';
import { DecisionRule, type DecisionOptions } from './decision.js';
import { checkOption, DETECTOR_OPTIONS } from './options.js';

// The options' defaults and ranges: DETECTOR_OPTIONS (options.ts).
export interface DetectorOptions extends DecisionOptions {
  /** Time between decisions (ms; a multiple of the feature hop). */
  hopMs?: number;
  /** Posteriors are averaged over this span (ms; at least one decision's). */
  smoothingMs?: number;
}

export const DEFAULT_HOP_MS: number = DETECTOR_OPTIONS.hopMs.default;
export const DEFAULT_SMOOTHING_MS: number = DETECTOR_OPTIONS.smoothingMs.default;
// What counts as speech in a window (speechLevel): see there. 10 dB above the floor is the
// usual margin of an energy voice-activity detector; the 20th percentile is a noise
// frame as long as speech fills less than 80% of the window (a keyword fills about half).
const NOISE_FLOOR_QUANTILE = 0.2;
const SPEECH_RISE = 0.35;
const SPEECH_MIN_DB = 10;

export interface Detection {
  label: string;
  /** Smoothed probability of the word when it fired. */
  score: number;
  /** Where the word was heard, estimated from the frames' energy (s). */
  startTime: number;
  endTime: number;
  /** When the detector decided (s): the audio it had heard by then. */
  time: number;
}

/** One decision step, for live probability bars and threshold sweeps. */
export interface PosteriorStep {
  time: number;
  /** Smoothed posteriors (C), in label order. A fresh array each step. */
  smoothed: Float32Array;
  /** Time since the window's last speech-like frame (s); the decision rule's check 5. */
  trailingSilence: number;
}

/**
 * When the detector can decide on the first `frames` feature frames of a stream (s): the
 * audio they need, including the two frames' look-ahead of the deltas (see the top).
 */
export function decisionTime(features: FeatureConfig, frames: number): number {
  const { hopSamples, windowSamples, sampleRate, deltas } = features;
  return ((frames - 1 + (deltas ? 2 : 0)) * hopSamples + windowSamples) / sampleRate;
}

export interface KeywordModelInfo {
  labels: readonly string[];
  features: FeatureConfig;
}

export class KeywordDetector {
  readonly labels: readonly string[];
  readonly features: FeatureConfig;
  readonly frames: number;     // T
  readonly featureCount: number; // F
  private readonly engine: InferenceEngine;
  private readonly rule: DecisionRule;
  private readonly stream: FeatureStream;
  private hopFrames = 5;
  private smoothCount = 2;     // S
  private readonly ring: Float32Array;   // (T, F) the last T frames, circular: the oldest at ringHead
  private ringHead = 0;                  // ring row the next frame overwrites
  private readonly window: Float32Array; // (T, 1, F) the ring in time order: the engine's input, read by the energy checks
  private readonly energies: Float32Array; // (T) the window's frame energies, sorted: scratch for speechLevel
  private history: Float32Array[] = [];  // ≤ S raw posteriors (C)
  private received = 0;        // frames pushed since reset
  private sinceDecision = 0;   // frames since the last decision
  private latest: Float32Array | null = null;
  private readonly onPosteriors?: (step: PosteriorStep) => void;

  constructor(engine: InferenceEngine, model: KeywordModelInfo, options: DetectorOptions & { onPosteriors?: (step: PosteriorStep) => void } = {}) {
    if (engine.classes !== model.labels.length) throw new ConfigError('model-mismatch', `the engine has ${engine.classes} classes, the model ${model.labels.length} labels`);
    this.labels = [...model.labels];
    this.features = model.features;
    this.frames = modelFrames(model.features);
    this.featureCount = featureCount(model.features);
    if (engine.features !== this.featureCount) throw new ConfigError('model-mismatch', `the engine takes ${engine.features} features per frame, the feature settings give ${this.featureCount}`);
    this.engine = engine;
    this.rule = new DecisionRule(this.labels, options);
    this.stream = new FeatureStream(model.features);
    this.ring = new Float32Array(this.frames * this.featureCount);
    this.window = new Float32Array(this.frames * this.featureCount);
    this.energies = new Float32Array(this.frames);
    this.onPosteriors = options.onPosteriors;
    this.setOptions(options);
  }

  /** Changes thresholds, refractory time, hop or smoothing; takes effect at the next decision. */
  setOptions(options: DetectorOptions): void {
    const frameMs = (1000 * this.features.hopSamples) / this.features.sampleRate;
    const hopMs = checkOption(DETECTOR_OPTIONS.hopMs, options.hopMs ?? DEFAULT_HOP_MS, 'bad-detector-option');
    const hopFrames = Math.round(hopMs / frameMs);
    if (!(hopFrames >= 1) || Math.abs(hopFrames * frameMs - hopMs) > 1e-6) {
      throw new ConfigError('bad-detector-option', `hopMs must be a multiple of the feature hop, ${frameMs} ms, got ${hopMs}`);
    }
    const smoothingMs = checkOption(DETECTOR_OPTIONS.smoothingMs, options.smoothingMs ?? DEFAULT_SMOOTHING_MS, 'bad-detector-option');
    this.rule.setOptions(options);
    this.hopFrames = hopFrames;
    this.smoothCount = Math.max(1, Math.round(smoothingMs / hopMs));
    if (this.history.length > this.smoothCount) this.history = this.history.slice(-this.smoothCount);
  }

  /** The latest smoothed posteriors (C), or null before the first decision. */
  get lastPosteriors(): Float32Array | null {
    return this.latest;
  }

  /** Feature frames pushed since the last reset. */
  get framesReceived(): number {
    return this.received;
  }

  /** Feeds 16 kHz audio in [-1, 1], any chunk size. */
  async pushAudio(samples16k: Float32Array): Promise<Detection[]> {
    const frames = this.stream.push(samples16k);
    return this.pushFrames(frames, frames.length / this.featureCount);
  }

  /** Feeds raw feature frames (count, F), computed with this model's feature settings. */
  async pushFrames(frames: Float32Array, count: number): Promise<Detection[]> {
    const F = this.featureCount, T = this.frames;
    if (!Number.isInteger(count) || count < 0 || frames.length < count * F) throw new ConfigError('bad-frames', `expected ${count} frames of ${F} features`);
    const out: Detection[] = [];
    for (let j = 0; j < count; j++) {
      this.ring.set(frames.subarray(j * F, (j + 1) * F), this.ringHead * F);
      this.ringHead = (this.ringHead + 1) % T;
      this.received++;
      this.sinceDecision++;
      if (this.received < T || this.sinceDecision < this.hopFrames) continue;
      this.sinceDecision = 0;
      const detection = await this.decide();
      if (detection) out.push(detection);
    }
    return out;
  }

  /** Forgets all audio and state (a new recording). */
  reset(): void {
    this.stream.reset();
    this.rule.reset();
    this.ring.fill(0);
    this.ringHead = 0;
    this.history = [];
    this.received = 0;
    this.sinceDecision = 0;
    this.latest = null;
  }

  private async decide(): Promise<Detection | null> {
    const split = this.ringHead * this.featureCount;
    this.window.set(this.ring.subarray(split));
    this.window.set(this.ring.subarray(0, split), this.ring.length - split);
    const probs = await this.engine.run(this.window, this.frames, 1); // (1, C)
    const C = this.labels.length;
    this.history.push(Float32Array.from(probs.subarray(0, C)));
    if (this.history.length > this.smoothCount) this.history.shift();
    const smoothed = new Float32Array(C);
    for (const p of this.history) for (let k = 0; k < C; k++) smoothed[k] += p[k] / this.history.length;
    this.latest = smoothed;
    const time = decisionTime(this.features, this.received);
    const level = this.speechLevel();
    const trailingSilence = this.trailingSilence(level);
    this.onPosteriors?.({ time, smoothed, trailingSilence });
    const decision = this.rule.step(time, smoothed, trailingSilence);
    if (!decision) return null;
    const span = this.speechSpan(level);
    return { label: decision.label, score: decision.score, time, startTime: span.start, endTime: span.end };
  }

  /** Per-frame energy: log-energy when the features have it, else c0. */
  private energyColumn(): number {
    return this.features.logEnergy ? this.features.mfccCoefficients : 0;
  }

  /**
   * The energy a frame needs to count as speech-like: SPEECH_RISE of the floor-to-peak
   * range above the window's noise floor, and at least SPEECH_MIN_DB above it. The floor
   * is the NOISE_FLOOR_QUANTILE frame energy, not the quietest frame: a window of noise
   * alone (or noise and the last few frames of a word that has left it) has a range of a
   * few dB, and a share of that alone made its noise frames "speech", so the word-end
   * check passed on windows whose word had ended most of a second before (seed-2 models
   * fired "up" on the last fifth of "sheila" 0.9 s after it ended).
   */
  private speechLevel(): number {
    const F = this.featureCount, T = this.frames, column = this.energyColumn();
    let hi = -Infinity;
    for (let t = 0; t < T; t++) {
      const e = this.window[t * F + column];
      this.energies[t] = e;
      if (e > hi) hi = e;
    }
    this.energies.sort();
    const floor = this.energies[Math.floor(NOISE_FLOOR_QUANTILE * (T - 1))];
    return floor + Math.max(SPEECH_RISE * (hi - floor), SPEECH_MIN_DB * this.energyPerDb());
  }

  /** Energy-column units per dB of frame power: ln(10)/10 for log-energy, 2·bands times that for c0 (mfcc.ts). */
  private energyPerDb(): number {
    const perDb = Math.LN10 / 10;
    return this.features.logEnergy ? perDb : 2 * this.features.melBands * perDb;
  }

  /** Seconds from the window's last speech-like frame (speechLevel) to its end; the whole window when it has none. */
  private trailingSilence(level: number): number {
    const F = this.featureCount, T = this.frames, column = this.energyColumn();
    let last = T - 1;
    while (last > 0 && this.window[last * F + column] < level) last--;
    return ((T - 1 - last) * this.features.hopSamples) / this.features.sampleRate;
  }

  /**
   * The spoken part of the current window, from the per-frame energy (log-energy when
   * the features have it, else c0): speech-like frames (speechLevel), the run around the
   * loudest frame, gaps under 150 ms bridged.
   */
  private speechSpan(level: number): { start: number; end: number } {
    const F = this.featureCount, T = this.frames;
    const column = this.energyColumn();
    const { hopSamples, windowSamples, sampleRate } = this.features;
    let peak = 0, hi = -Infinity;
    for (let t = 0; t < T; t++) {
      const e = this.window[t * F + column];
      if (e > hi) { hi = e; peak = t; }
    }
    const bridge = Math.round((0.15 * sampleRate) / hopSamples);
    let first = peak, last = peak;
    for (let t = peak - 1, gap = 0; t >= 0 && gap <= bridge; t--) { if (this.window[t * F + column] >= level) { first = t; gap = 0; } else gap++; }
    for (let t = peak + 1, gap = 0; t < T && gap <= bridge; t++) { if (this.window[t * F + column] >= level) { last = t; gap = 0; } else gap++; }
    const windowStartFrame = this.received - T; // absolute index of the window's frame 0
    return {
      start: ((windowStartFrame + first) * hopSamples) / sampleRate,
      end: ((windowStartFrame + last) * hopSamples + windowSamples) / sampleRate,
    };
  }
}
