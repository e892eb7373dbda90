// Threshold calibration, driven by a stand-in engine whose answer depends only on whether
// a loud burst is in the window: "a" is confused with it at 0.8, "b" never comes first. So
// the calibrated thresholds are known exactly: just above 0.8 for "a", the floor for "b".
import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../core/errors.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, modelFrames } from '../../../core/features/config.js';
import type { InferenceEngine, InferenceStream } from '../../../core/inference/engine.js';
import { CALIBRATION_DEFAULTS, calibrateThresholds } from '../../../core/kws/calibrate.js';
import { DEFAULT_THRESHOLD } from '../../../core/kws/decision.js';
import { Random } from '../../../core/tensor/random.js';

const config = { ...DEFAULT_FEATURE_CONFIG };
const F = featureCount(config), T = modelFrames(config);
const E = config.mfccCoefficients; // log-energy column
const labels = ['a', 'b', '_background_'];

class ConfusedEngine implements InferenceEngine {
  readonly kind = 'typescript' as const;
  readonly description = 'confused stand-in';
  readonly features = F;
  readonly classes = 3;
  async run(x: Float32Array, steps: number): Promise<Float32Array> {
    expect(steps).toBe(T);
    let loud = false;
    for (let t = 0; t < steps; t++) if (x[t * F + E] > 20) loud = true;
    return loud ? Float32Array.of(0.8, 0.1, 0.1) : Float32Array.of(0.05, 0.1, 0.85);
  }
  createStream(): InferenceStream { throw new Error('not used'); }
  async dispose(): Promise<void> {}
}

/** Quiet noise with a loud 1 kHz burst of 0.3 s every 3 s: other "speech" the model takes for "a". */
function bursts(seconds: number): Float32Array {
  const x = new Float32Array(seconds * 16000);
  const rng = new Random(3);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal() * 1e-4;
  for (let s = 1; s + 0.3 < seconds; s += 3) for (let i = s * 16000; i < (s + 0.3) * 16000; i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 1000 * i) / 16000);
  return x;
}

describe('calibrateThresholds', () => {
  const model = { labels, features: config };

  it('gives each word the lowest threshold at which it does not fire on other speech', async () => {
    const c = await calibrateThresholds(new ConfusedEngine(), model, bursts(30), { floor: 0.5 });
    expect(c.seconds).toBe(30);
    expect(c.thresholds).toEqual({ a: 0.81, b: 0.5 });
    expect(c.words).toEqual([
      { label: 'a', threshold: 0.81, falseActivations: 0, reached: true },
      { label: 'b', threshold: 0.5, falseActivations: 0, reached: true },
    ]);
  });

  it('at a threshold it would fire, it does fire: the audio makes "a" fire once a burst', async () => {
    // The same run with a ceiling below 0.8: the target cannot be met, and it says so.
    const c = await calibrateThresholds(new ConfusedEngine(), model, bursts(30), { floor: 0.5, ceiling: 0.75 });
    expect(c.words[0]).toEqual({ label: 'a', threshold: 0.75, falseActivations: 10, reached: false });
  });

  it('allows the target rate on audio long enough to hold some', async () => {
    // 10 bursts in 30 s is 1,200 an hour: a target of 1,200 an hour allows the floor.
    const c = await calibrateThresholds(new ConfusedEngine(), model, bursts(30), { floor: 0.5, targetPerHour: 1200 });
    expect(c.thresholds.a).toBe(0.5);
    expect(c.words[0].falseActivations).toBe(10);
  });

  it('only ever raises a threshold by default: the floor is the detector\'s default', async () => {
    expect(CALIBRATION_DEFAULTS.floor).toBe(DEFAULT_THRESHOLD);
    const c = await calibrateThresholds(new ConfusedEngine(), model, bursts(30));
    expect(c.thresholds).toEqual({ a: DEFAULT_THRESHOLD, b: DEFAULT_THRESHOLD }); // "a" fires at 0.8: under the default already
  });

  it('refuses settings that cannot work', async () => {
    const err = await calibrateThresholds(new ConfusedEngine(), model, bursts(3), { floor: 0.9, ceiling: 0.8 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HarkError);
    expect((err as HarkError).code).toBe('bad-calibration');
  });
});
