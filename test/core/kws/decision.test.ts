import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { DecisionRule, DEFAULT_MAX_TRAILING_SILENCE_MS, type DecisionOptions } from '../../../core/kws/decision.js';

const labels = ['yes', 'no', '_unknown_', '_background_'];
const p = (yes: number, no: number, unknown: number): number[] => [yes, no, unknown, Math.max(0, 1 - yes - no - unknown)];

/** Runs steps 50 ms apart; returns [time, label] of each decision that fired. */
function run(rule: DecisionRule, steps: number[][], t0 = 0): [number, string][] {
  const out: [number, string][] = [];
  steps.forEach((s, i) => {
    const d = rule.step(t0 + i * 0.05, s);
    if (d) out.push([Math.round((t0 + i * 0.05) * 1000) / 1000, d.label]);
  });
  return out;
}

describe('the decision rule', () => {
  it('fires once when a word crosses its threshold and stays there', () => {
    const rule = new DecisionRule(labels, { threshold: 0.8 });
    const fired = run(rule, [p(0.1, 0, 0), p(0.7, 0, 0), p(0.85, 0, 0), p(0.95, 0, 0), p(0.9, 0, 0), p(0.1, 0, 0)]);
    expect(fired).toEqual([[0.1, 'yes']]);
  });

  it('gives a word named like an object property ("constructor") the threshold it is given, not the prototype\'s', () => {
    const rule = new DecisionRule(['constructor', '_background_'], { threshold: 0.8 });
    expect(rule.threshold('constructor')).toBe(0.8);
    expect(rule.step(0, [0.9, 0.1])).toMatchObject({ label: 'constructor' });
  });

  it('never reports unknown or background, however probable', () => {
    const rule = new DecisionRule(labels, { threshold: 0.5 });
    expect(run(rule, [p(0, 0, 0.99), p(0, 0, 0), p(0.45, 0, 0.55)])).toEqual([]);
  });

  it('lets a filler class as probable as a word gate it at its threshold', () => {
    // From a threshold of 0.5 up (the least it may be) only a tie can gate: the first most
    // probable class is taken, here the background listed first.
    const rule = new DecisionRule(['_background_', 'yes'], { threshold: 0.5 });
    expect(rule.step(0, [0.5, 0.5])).toBeNull();
    expect(rule.step(0.05, [0.45, 0.55])?.label).toBe('yes');
  });

  it('keeps quiet for the refractory time after a detection, for every word', () => {
    const rule = new DecisionRule(labels, { threshold: 0.8, refractoryMs: 500 });
    // yes at 0; no peaks at 0.2 s (inside 500 ms: suppressed) and again at 0.6 s (fires)
    const steps = [p(0.9, 0, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0.9, 0), p(0, 0.1, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0, 0), p(0, 0.9, 0)];
    expect(run(rule, steps)).toEqual([[0, 'yes'], [0.6, 'no']]);
  });

  it('re-arms a word only after it falls below half its threshold', () => {
    const rule = new DecisionRule(labels, { threshold: 0.8, refractoryMs: 0 });
    // dips to 0.5 (above 0.4: still the same utterance), then to 0.3 (re-armed)
    const fired = run(rule, [p(0.9, 0, 0), p(0.5, 0, 0), p(0.9, 0, 0), p(0.3, 0, 0), p(0.9, 0, 0)]);
    expect(fired).toEqual([[0, 'yes'], [0.2, 'yes']]);
  });

  it('takes per-word thresholds over the default', () => {
    const rule = new DecisionRule(labels, { threshold: 0.9, thresholds: { no: 0.6 }, refractoryMs: 0 });
    expect(run(rule, [p(0.7, 0, 0), p(0, 0.7, 0)])).toEqual([[0.05, 'no']]);
    expect(rule.threshold('yes')).toBe(0.9);
    expect(rule.threshold('no')).toBe(0.6);
  });

  it('fires only while speech was heard within maxTrailingSilenceMs, and a word that crossed too late stays spent', () => {
    const rule = new DecisionRule(labels, { threshold: 0.8, refractoryMs: 0, maxTrailingSilenceMs: 300 });
    expect(rule.step(0, p(0.9, 0, 0), 0.35)).toBeNull();   // the tail of a longer word, 350 ms after it ended
    expect(rule.step(0.05, p(0.9, 0, 0), 0.1)).toBeNull();  // spent: still the same bump, though speech came again
    expect(rule.step(0.1, p(0.3, 0, 0), 0.1)).toBeNull();   // below half: re-armed
    expect(rule.step(0.15, p(0.9, 0, 0), 0.3)?.label).toBe('yes'); // at the limit: fires
    const off = new DecisionRule(labels, { threshold: 0.8, maxTrailingSilenceMs: 1000 });
    expect(off.step(0, p(0.9, 0, 0), 0.9)?.label).toBe('yes');
    // the default (DEFAULT_MAX_TRAILING_SILENCE_MS), and a caller that does not know the silence (0) is never gated
    const past = DEFAULT_MAX_TRAILING_SILENCE_MS / 1000 + 0.01;
    expect(new DecisionRule(labels, { threshold: 0.8 }).step(0, p(0.9, 0, 0), past)).toBeNull();
    expect(new DecisionRule(labels, { threshold: 0.8 }).step(0, p(0.9, 0, 0), past - 0.02)?.label).toBe('yes');
    expect(new DecisionRule(labels, { threshold: 0.8 }).step(0, p(0.9, 0, 0))?.label).toBe('yes');
  });

  it('refuses thresholds and times that cannot work, with a typed error', () => {
    const bad: DecisionOptions[] = [{ threshold: 0 }, { threshold: 1.5 }, { threshold: Number.NaN }, { thresholds: { maybe: 0.5 } },
      { thresholds: { _background_: 0.5 } }, { refractoryMs: -1 }, { refractoryMs: Infinity }, { maxTrailingSilenceMs: -1 }, { maxTrailingSilenceMs: Number.NaN }, { maxTrailingSilenceMs: Infinity }];
    for (const options of bad) {
      let caught: unknown;
      try { new DecisionRule(labels, options); } catch (err) { caught = err; }
      expect(caught, JSON.stringify(options)).toBeInstanceOf(HarkError);
      expect((caught as HarkError).code).toBe('bad-detector-option');
    }
    // a refused change leaves the rule as it was
    const rule = new DecisionRule(labels, { threshold: 0.8 });
    expect(() => rule.setOptions({ threshold: 0.6, refractoryMs: -1 })).toThrow(HarkError);
    expect(rule.threshold('yes')).toBe(0.8);
  });

  it('forgets its state on reset', () => {
    const rule = new DecisionRule(labels, { threshold: 0.8, refractoryMs: 10_000 });
    expect(rule.step(0, p(0.9, 0, 0))).not.toBeNull();
    expect(rule.step(1, p(0.9, 0, 0))).toBeNull();
    rule.reset();
    expect(rule.step(2, p(0.9, 0, 0))?.label).toBe('yes');
  });
});
