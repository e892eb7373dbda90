// Clip evaluation: every clip centred in a model window (as training's clean copies are),
// run through an inference engine in batches, scored against its label. Labels the model
// does not know count as unknown speech, `_background_noise_` clips as background; with
// no class to map to, a clip is reported in `skipped` and left out of the metrics.

import type { FeatureConfig } from '../features/config.js';
import { featureCount, modelFrames } from '../features/config.js';
import { extractFeatures } from '../features/mfcc.js';
import type { InferenceEngine } from '../inference/engine.js';
import { centredWindow, type KwsClip } from './examples.js';
import { classIndexOf } from './labels.js';
import { argmaxRow, clipMetrics, type ClipMetrics } from './metrics.js';

export interface ClipPrediction {
  index: number;     // into the clips given
  truth: number;     // class index
  predicted: number; // class index
  score: number;     // probability of the predicted class
}

export interface ClipReport extends ClipMetrics {
  predictions: ClipPrediction[];
  /** Clips whose label maps to no class of the model (no unknown class). */
  skipped: number[];
}

const EVAL_BATCH = 32;

/** Features (T, F) of every clip's centred window, frame-major, one after another. */
export function clipWindows(clips: readonly KwsClip[], features: FeatureConfig): Float32Array[] {
  return clips.map((c) => extractFeatures(centredWindow(c.samples, features), features));
}

export async function evaluateClips(
  engine: InferenceEngine, clips: readonly KwsClip[], model: { labels: readonly string[]; features: FeatureConfig },
  options: { windows?: readonly Float32Array[] } = {},
): Promise<ClipReport> {
  const { labels, features } = model;
  const T = modelFrames(features), F = featureCount(features), C = labels.length;
  const truthOf = clips.map((c) => classIndexOf(labels, c.label));
  const kept = clips.map((_, i) => i).filter((i) => truthOf[i] >= 0);
  const skipped = clips.map((_, i) => i).filter((i) => truthOf[i] < 0);
  const predictions: ClipPrediction[] = [];
  const x = new Float32Array(T * EVAL_BATCH * F); // (T, B, F)
  for (let start = 0; start < kept.length; start += EVAL_BATCH) {
    const B = Math.min(EVAL_BATCH, kept.length - start);
    for (let b = 0; b < B; b++) {
      const i = kept[start + b];
      const w = options.windows?.[i] ?? extractFeatures(centredWindow(clips[i].samples, features), features); // (T, F)
      for (let t = 0; t < T; t++) x.set(w.subarray(t * F, (t + 1) * F), (t * B + b) * F);
    }
    const probs = await engine.run(x.subarray(0, T * B * F), T, B); // (B, C)
    for (let b = 0; b < B; b++) {
      const k = argmaxRow(probs, b, C);
      predictions.push({ index: kept[start + b], truth: truthOf[kept[start + b]], predicted: k, score: probs[b * C + k] });
    }
  }
  const metrics = clipMetrics(labels, predictions.map((p) => p.truth), predictions.map((p) => p.predicted));
  return { ...metrics, predictions, skipped };
}
