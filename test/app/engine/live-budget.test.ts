// live.start checks the live budget (core/features/budget.ts) for the engine and decision
// hop it is asked for: loading checked the model at the app's default (onnxruntime, 50 ms),
// and a slower engine or more frequent decisions can cost several times more.
import { describe, expect, it } from 'vitest';
import { LiveSession } from '../../../app/engine/live-session.js';
import type { OpenProject } from '../../../app/engine/projects.js';
import { ConfigError } from '../../../core/errors.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, type FeatureConfig } from '../../../core/features/config.js';
import type { InferenceEngine } from '../../../core/inference/engine.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';

const LABELS = ['_background_', '_unknown_', 'yes'];

function session(features: FeatureConfig, hiddenSize: number, layers: number): { live: LiveSession; engines: string[] } {
  const F = featureCount(features);
  const model = new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize, layers, classes: LABELS.length, dropout: 0, pooling: 'last' }, { seed: 1 });
  const project = { models: { activeId: async () => 'm', load: async () => ({ model: { model, labels: LABELS, features } }) } } as unknown as OpenProject;
  const engines: string[] = [];
  // Never runs: only whether an engine was made matters.
  const engine = (kind: 'typescript' | 'onnxruntime'): InferenceEngine => ({
    kind, description: kind, features: F, classes: LABELS.length,
    run: async () => Float32Array.from([1, 0, 0]),
    createStream: () => { throw new Error('not used'); },
    dispose: async () => undefined,
  });
  return { live: new LiveSession(() => project, () => undefined, async (kind) => { engines.push(kind); return engine(kind); }), engines };
}

async function refusal(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('live.start was accepted');
}

describe('live.start and the live budget', () => {
  it('refuses a 128 × 2 model on the TypeScript engine (about a quarter of a core), and starts it on onnxruntime', async () => {
    const { live, engines } = session({ ...DEFAULT_FEATURE_CONFIG }, 128, 2);
    const err = await refusal(live.start({ engine: 'typescript' }));
    expect(err.code).toBe('too-slow');
    expect(err.message).toMatch(/with the TypeScript engine and a decision every 50 ms/);
    expect(engines).toEqual([]); // refused before an engine was made
    await expect(live.start({ engine: 'onnxruntime' })).resolves.toMatchObject({ labels: LABELS });
    expect(engines).toEqual(['onnxruntime']);
    await live.stop();
  });

  it('counts the decision hop: the default model starts at 50 ms and is refused at 10 ms on the TypeScript engine', async () => {
    const { live } = session({ ...DEFAULT_FEATURE_CONFIG }, 64, 1);
    expect((await live.start({ engine: 'typescript', options: { hopMs: 50 } })).labels).toEqual(LABELS);
    await live.stop();
    const err = await refusal(live.start({ engine: 'typescript', options: { hopMs: 10 } }));
    expect(err.message).toMatch(/a decision every 10 ms/);
  });

  it('refuses the extreme feature settings of issue 14 whatever the engine', async () => {
    const { live, engines } = session({ ...DEFAULT_FEATURE_CONFIG, hopSamples: 1, windowSamples: 8192, windowSeconds: 30 }, 8, 1);
    for (const engine of ['typescript', 'onnxruntime'] as const) {
      expect((await refusal(live.start({ engine }))).message).toMatch(/hopSamples 1\b/);
    }
    expect(engines).toEqual([]);
  });
});
