// The live budget (core/features/budget.ts): what a model's feature settings and network
// cost the live detector, and the refusal of what cannot run 10× faster than real time.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { checkLiveBudget, liveBudgetProblem, liveLoad, MAX_LIVE_LOAD, type NetworkShape } from '../../../core/features/budget.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, type FeatureConfig } from '../../../core/features/config.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';

const cfg = (o: Partial<FeatureConfig> = {}): FeatureConfig => ({ ...DEFAULT_FEATURE_CONFIG, ...o });
const net = (o: Partial<NetworkShape> = {}): NetworkShape => ({ cell: 'lstm', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 64, layers: 1, classes: 12, ...o });
/** The extreme-but-in-range settings of issue 14, finding 5. */
const EXTREME = cfg({ hopSamples: 1, windowSamples: 8192, windowSeconds: 30 });

function refusal(f: () => void): ConfigError {
  try {
    f();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('live budget', () => {
  it('refuses the extreme model (hop 1, 8192-point FFT, 30 s window) with a reason naming the settings', () => {
    for (const engine of ['typescript', 'onnxruntime'] as const) {
      const err = refusal(() => checkLiveBudget(EXTREME, net(), { engine, hopMs: 50 }));
      expect(err.code).toBe('too-slow');
      expect(err.message).toMatch(/hopSamples 1\b/);
      expect(err.message).toMatch(/windowSeconds 30\b/);
      expect(err.message).toMatch(/at most 10%/);
    }
    // Its features alone already cost more than real time.
    expect(liveLoad(EXTREME, undefined, { engine: 'onnxruntime', hopMs: 50 }).features).toBeGreaterThan(1);
  });

  it('accepts the default model on both engines, and the largest the Train screen offers on onnxruntime', () => {
    for (const engine of ['typescript', 'onnxruntime'] as const) {
      expect(liveBudgetProblem(DEFAULT_FEATURE_CONFIG, net(), { engine, hopMs: 50 })).toBeNull();
      expect(liveLoad(DEFAULT_FEATURE_CONFIG, net(), { engine, hopMs: 50 }).total).toBeLessThan(MAX_LIVE_LOAD / 2);
    }
    for (const cell of CELL_KINDS) {
      expect(liveBudgetProblem(DEFAULT_FEATURE_CONFIG, net({ cell, hiddenSize: 128, layers: 2 }), { engine: 'onnxruntime', hopMs: 50 })).toBeNull();
    }
  });

  it('names what costs most: the FFT and frame rate, or the frames the network runs over', () => {
    const features = liveBudgetProblem(cfg({ hopSamples: 16, windowSamples: 8192 }), net(), { engine: 'onnxruntime', hopMs: 50 });
    expect(features).toMatch(/1,000 frames a second \(hopSamples 16\), each a 8192-point FFT/);
    const window = liveBudgetProblem(cfg({ windowSeconds: 30 }), net(), { engine: 'onnxruntime', hopMs: 50 });
    expect(window).toMatch(/runs over 2,997 frames \(windowSeconds 30 at hopSamples 160\)/);
  });

  it('grows with the decision rate and the network, and depends on the engine', () => {
    const at = (hopMs: number, engine: 'typescript' | 'onnxruntime' = 'typescript', n = net()) => liveLoad(DEFAULT_FEATURE_CONFIG, n, { engine, hopMs });
    expect(at(10).network).toBeCloseTo(5 * at(50).network, 10);
    expect(at(50).features).toBe(at(10).features);
    expect(at(50, 'onnxruntime').network).toBeLessThan(at(50).network);
    expect(at(50, 'typescript', net({ hiddenSize: 128 })).network).toBeGreaterThan(2 * at(50).network);
    expect(at(50, 'typescript', net({ layers: 2 })).network).toBeGreaterThan(at(50).network);
    expect(liveBudgetProblem(DEFAULT_FEATURE_CONFIG, net(), { engine: 'typescript', hopMs: 10 })).toMatch(/a decision every 10 ms/);
  });
});
