// Per-word thresholds that mean something: after training, the detector listens to other
// speech the model never trained on, and each word gets the lowest threshold, from the
// detector's default up, at which it fires at most targetPerHour times an hour there (with
// a few minutes of audio: not at all). A word the model confuses with other talk gets a
// higher threshold; one it never confuses keeps the default. The user can still override
// them (DecisionOptions.threshold / thresholds).
//
// The posteriors are recorded once, with the detector's own settings (hop, smoothing, the
// speech check), and the decision rule is replayed over them for each word and candidate
// threshold, only that word enabled, as sweepThresholds does for a labelled stream.

import { SAMPLE_RATE } from '../audio/sample-rate.js';
import { ConfigError } from '../errors.js';
import type { InferenceEngine } from '../inference/engine.js';
import { DecisionRule, DEFAULT_THRESHOLD } from './decision.js';
import { KeywordDetector, type DetectorOptions, type KeywordModelInfo, type PosteriorStep } from './detector.js';
import { isFillerLabel } from './labels.js';
import { DETECTOR_OPTIONS } from './options.js';

/** Audio is pushed in blocks of this many samples, as a microphone delivers it (100 ms). */
const BLOCK = SAMPLE_RATE / 10;

export interface CalibrationSettings {
  targetPerHour: number;
  floor: number;
  ceiling: number;
  step: number;
}

export const CALIBRATION_DEFAULTS: Readonly<CalibrationSettings> = Object.freeze({
  /** False activations an hour a calibrated threshold allows (issue 13: at most 1 an hour of continuous speech). */
  targetPerHour: 1,
  /**
   * Lowest threshold calibration may choose: the detector's default. A few minutes of other
   * speech are weak evidence that a word will not fire on the rest of the world, so
   * calibration only ever raises a threshold (on the real-speech report, a floor of 0.5 let
   * words that never fired on the calibration audio fire more on people's other speech,
   * and each firing's refractory second cost recall too: docs/real-speech.md).
   */
  floor: DEFAULT_THRESHOLD,
  /** Highest: a word that still fires there gets it, and the calibration says it fell short. */
  ceiling: 0.99,
  /** Candidate thresholds are floor, floor + step, ..., ceiling. */
  step: 0.01,
});

export type CalibrationOptions = DetectorOptions & Partial<CalibrationSettings>;

/** The lowest threshold a model file's calibration may hold. */
export const MIN_CALIBRATED_THRESHOLD = DETECTOR_OPTIONS.threshold.min;

export interface WordCalibration {
  label: string;
  threshold: number;
  /** False activations on the calibration audio at that threshold. */
  falseActivations: number;
  /** Whether the target was met at or below the ceiling. */
  reached: boolean;
}

export interface Calibration {
  /** Per word, for DecisionOptions.thresholds. */
  thresholds: Record<string, number>;
  words: WordCalibration[];
  /** Seconds of audio it listened to. */
  seconds: number;
  targetPerHour: number;
}

/** Times the rule fires for `word` alone at `threshold` over recorded steps. */
function firings(steps: readonly PosteriorStep[], labels: readonly string[], word: string, threshold: number, options: DetectorOptions): number {
  const thresholds = Object.fromEntries(labels.filter((l) => !isFillerLabel(l)).map((w) => [w, w === word ? threshold : 1]));
  const rule = new DecisionRule(labels, { refractoryMs: options.refractoryMs, maxTrailingSilenceMs: options.maxTrailingSilenceMs, thresholds });
  let n = 0;
  for (const s of steps) {
    const d = rule.step(s.time, s.smoothed, s.trailingSilence);
    if (d && d.label === word) n++;
  }
  return n;
}

/**
 * Calibrates each word's threshold on `audio` (16 kHz, other speech only: nothing in it is a
 * keyword). Deterministic for a given model and audio.
 */
export async function calibrateThresholds(engine: InferenceEngine, model: KeywordModelInfo, audio: Float32Array, options: CalibrationOptions = {}): Promise<Calibration> {
  const o = { ...CALIBRATION_DEFAULTS, ...options };
  if (!(o.floor > 0 && o.floor <= o.ceiling && o.ceiling <= 1 && o.step > 0 && o.targetPerHour >= 0)) {
    throw new ConfigError('bad-calibration', `calibration needs 0 < floor ≤ ceiling ≤ 1, step > 0 and targetPerHour ≥ 0 (got ${o.floor}, ${o.ceiling}, ${o.step}, ${o.targetPerHour})`);
  }
  const steps: PosteriorStep[] = [];
  const detector = new KeywordDetector(engine, model, { ...options, onPosteriors: (s) => steps.push(s) });
  for (let i = 0; i < audio.length; i += BLOCK) await detector.pushAudio(audio.subarray(i, i + BLOCK));
  const seconds = audio.length / SAMPLE_RATE;
  const allowed = Math.floor((o.targetPerHour * seconds) / 3600);
  const candidates: number[] = [];
  for (let k = 0; ; k++) {
    const t = Math.round((o.floor + k * o.step) * 1e6) / 1e6;
    if (t > o.ceiling + 1e-9) break;
    candidates.push(t);
  }
  if (candidates.at(-1) !== o.ceiling) candidates.push(o.ceiling);
  const words = model.labels.filter((l) => !isFillerLabel(l)).map((label): WordCalibration => {
    for (const threshold of candidates) {
      const n = firings(steps, model.labels, label, threshold, options);
      if (n <= allowed) return { label, threshold, falseActivations: n, reached: true };
    }
    return { label, threshold: o.ceiling, falseActivations: firings(steps, model.labels, label, o.ceiling, options), reached: false };
  });
  return { thresholds: Object.fromEntries(words.map((w) => [w.label, w.threshold])), words, seconds, targetPerHour: o.targetPerHour };
}

/**
 * A calibration read back from a model file, checked against the model's labels: null when
 * there is none, or when it is malformed or names a class the model does not have as a word
 * (a file edited by hand: its thresholds cannot be trusted, the detector's default applies).
 */
export function parseCalibration(x: unknown, labels: readonly string[]): Calibration | null {
  if (typeof x !== 'object' || x === null) return null;
  const c = x as Partial<Calibration>;
  const words = labels.filter((l) => !isFillerLabel(l));
  const ok = typeof c.seconds === 'number' && c.seconds >= 0 && typeof c.targetPerHour === 'number' && c.targetPerHour >= 0 &&
    typeof c.thresholds === 'object' && c.thresholds !== null && Array.isArray(c.words) &&
    Object.keys(c.thresholds).length === words.length && words.every((w) => {
      const t = (c.thresholds as Record<string, unknown>)[w];
      // Within what a threshold may be (the Listen slider's range): a file's 0.01 would fire on everything.
      return typeof t === 'number' && t >= MIN_CALIBRATED_THRESHOLD && t <= 1;
    }) &&
    c.words.every((w: Partial<WordCalibration>) => typeof w === 'object' && w !== null && words.includes(w.label as string) &&
      typeof w.threshold === 'number' && typeof w.falseActivations === 'number' && typeof w.reached === 'boolean');
  if (!ok) return null;
  return {
    thresholds: Object.fromEntries(words.map((w) => [w, (c.thresholds as Record<string, number>)[w]])),
    words: (c.words as WordCalibration[]).map((w) => ({ label: w.label, threshold: w.threshold, falseActivations: w.falseActivations, reached: w.reached })),
    seconds: c.seconds as number, targetPerHour: c.targetPerHour as number,
  };
}
