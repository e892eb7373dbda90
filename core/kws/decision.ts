// The detector's decision rule, apart from the network so a threshold sweep can replay
// recorded posteriors through it without running the model again.
//
// Every decision step receives the smoothed posteriors (C) at a stream time. A word k
// fires when
//   1. it is the most probable class — so the background and unknown classes gate it:
//      while either outweighs every word, nothing fires;
//   2. its smoothed probability reaches its threshold;
//   3. it is armed: after firing, a word re-arms only once its probability has fallen
//      below half its threshold, so one long utterance cannot fire twice;
//   4. no word fired within the refractory time before; a word that reaches its
//      threshold during that time is disarmed too, so it cannot fire late;
//   5. speech was heard at most maxTrailingSilenceMs before the decision. The network
//      judges a whole second, so a longer word whose start has slid out of the window
//      ("go" without its g, "learn" without its l) can look like a keyword half a second
//      after it ended, while a real keyword is recognised as it ends (median latency
//      11 ms on the espeak-ng stream). A word that reaches its threshold outside that
//      time is disarmed, as in 4. "Speech" is measured in the window itself (see
//      KeywordDetector): at least 10 dB above its noise floor and in the upper part of
//      its energy range, so a keyword much quieter than a word just before it in the
//      same window, or less than 10 dB above the noise, can be taken for silence and
//      missed.

import { ConfigError } from '../errors.js';
import { isFillerLabel } from './labels.js';
import { checkOption, DETECTOR_OPTIONS, type NumericOption } from './options.js';

// The options' defaults and ranges: DETECTOR_OPTIONS (options.ts).
export interface DecisionOptions {
  /** Default threshold for every word. */
  threshold?: number;
  /** Per-word thresholds, overriding `threshold` (each in the threshold's range). */
  thresholds?: Readonly<Record<string, number>>;
  /** After a detection, no other for this long (ms). */
  refractoryMs?: number;
  /** A word fires only if speech was heard within this long before the decision (ms; from its offFrom on the check is off). */
  maxTrailingSilenceMs?: number;
}

export const DEFAULT_THRESHOLD: number = DETECTOR_OPTIONS.threshold.default;
export const DEFAULT_REFRACTORY_MS: number = DETECTOR_OPTIONS.refractoryMs.default;
export const DEFAULT_MAX_TRAILING_SILENCE_MS: number = DETECTOR_OPTIONS.maxTrailingSilenceMs.default;
const REARM_FRACTION = 0.5;

export interface Decision {
  label: string;
  index: number;
  score: number;
}

const check = (option: NumericOption, v: unknown, name?: string): number => checkOption(option, v, 'bad-detector-option', name);

export class DecisionRule {
  readonly labels: readonly string[];
  private readonly thresholdOf: Float64Array; // (C), Infinity for filler classes
  private readonly armed: Uint8Array;         // (C)
  private refractory = DEFAULT_REFRACTORY_MS / 1000;
  private maxTrailingSilence = DEFAULT_MAX_TRAILING_SILENCE_MS / 1000;
  private quietUntil = -Infinity;

  constructor(labels: readonly string[], options: DecisionOptions = {}) {
    this.labels = [...labels];
    this.thresholdOf = new Float64Array(labels.length);
    this.armed = new Uint8Array(labels.length).fill(1);
    this.setOptions(options);
  }

  setOptions(options: DecisionOptions): void {
    const base = check(DETECTOR_OPTIONS.threshold, options.threshold ?? DEFAULT_THRESHOLD);
    const per = options.thresholds ?? {};
    for (const name of Object.keys(per)) {
      if (!this.labels.includes(name) || isFillerLabel(name)) throw new ConfigError('bad-detector-option', `thresholds: "${name}" is not a word of this model`);
      check(DETECTOR_OPTIONS.threshold, per[name], `thresholds["${name}"]`);
    }
    const refractoryMs = check(DETECTOR_OPTIONS.refractoryMs, options.refractoryMs ?? DEFAULT_REFRACTORY_MS);
    const trailingMs = check(DETECTOR_OPTIONS.maxTrailingSilenceMs, options.maxTrailingSilenceMs ?? DEFAULT_MAX_TRAILING_SILENCE_MS);
    // All checked: only now change anything, so a refused call leaves the rule as it was.
    this.labels.forEach((label, k) => { this.thresholdOf[k] = isFillerLabel(label) ? Infinity : Object.hasOwn(per, label) ? per[label] : base; });
    this.refractory = refractoryMs / 1000;
    this.maxTrailingSilence = trailingMs >= DETECTOR_OPTIONS.maxTrailingSilenceMs.offFrom ? Infinity : trailingMs / 1000;
  }

  threshold(label: string): number {
    return this.thresholdOf[this.labels.indexOf(label)];
  }

  reset(): void {
    this.armed.fill(1);
    this.quietUntil = -Infinity;
  }

  /**
   * One decision step at stream time `time` (s) on smoothed posteriors p (C), with
   * `trailingSilence` (s) since the last speech-like frame of the window (0 if unknown).
   */
  step(time: number, p: ArrayLike<number>, trailingSilence = 0): Decision | null {
    const C = this.labels.length;
    let best = 0;
    for (let k = 1; k < C; k++) if (p[k] > p[best]) best = k;
    for (let k = 0; k < C; k++) if (!this.armed[k] && p[k] < this.thresholdOf[k] * REARM_FRACTION) this.armed[k] = 1;
    if (time < this.quietUntil || trailingSilence > this.maxTrailingSilence) {
      // A word heard during the refractory time, or long after the speech ended, is
      // spent: it must not fire late, once the time is up or the next sound comes.
      for (let k = 0; k < C; k++) if (p[k] >= this.thresholdOf[k]) this.armed[k] = 0;
      return null;
    }
    const score = p[best];
    if (!(score >= this.thresholdOf[best]) || !this.armed[best]) return null;
    this.armed[best] = 0;
    this.quietUntil = time + this.refractory;
    return { label: this.labels[best], index: best, score };
  }
}
