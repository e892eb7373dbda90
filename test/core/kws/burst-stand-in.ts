// A stand-in inference engine and the audio it reacts to, shared by the detector's and
// mining's tests. The engine's answer depends only on the window's energy, so when and what
// must be detected is known from the audio alone: 'beep' once a loud burst has entered the
// window and ended at least 10 frames before the window's end.
import { expect } from 'vitest';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, modelFrames } from '../../../core/features/config.js';
import type { InferenceEngine, InferenceStream } from '../../../core/inference/engine.js';
import { Random } from '../../../core/tensor/random.js';

export const BURST_CONFIG = { ...DEFAULT_FEATURE_CONFIG };
export const BURST_LABELS = ['beep', '_background_'];
const F = featureCount(BURST_CONFIG), T = modelFrames(BURST_CONFIG);
/** The log-energy column of a frame. */
export const ENERGY = BURST_CONFIG.mfccCoefficients;

/** 'beep' at 0.98 (over the default threshold) when the window holds a loud frame and its last 10 frames are quiet, else 0.05. One whole window (T frames, B = 1) a call. */
export class BurstEngine implements InferenceEngine {
  readonly kind = 'typescript' as const;
  readonly description = 'burst stand-in';
  readonly features = F;
  readonly classes = 2;
  runs = 0;
  async run(x: Float32Array, steps: number, B: number): Promise<Float32Array> {
    expect(steps).toBe(T);
    expect(B).toBe(1);
    this.runs++;
    let loud = false, quietTail = true;
    for (let t = 0; t < steps; t++) {
      if (x[t * F + ENERGY] > 20) { loud = true; if (t >= steps - 10) quietTail = false; }
    }
    const beep = loud && quietTail ? 0.98 : 0.05;
    return Float32Array.of(beep, 1 - beep);
  }
  createStream(): InferenceStream { throw new Error('not used'); }
  async dispose(): Promise<void> {}
}

/** Quiet noise (every sample different, so a window's place is unmistakable) with loud 1 kHz bursts at [start, end) s. */
export function audioWithBursts(seconds: number, bursts: [number, number][]): Float32Array {
  const x = new Float32Array(seconds * SAMPLE_RATE);
  const rng = new Random(3);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal() * 1e-4;
  for (const [a, b] of bursts) for (let i = Math.round(a * SAMPLE_RATE); i < Math.round(b * SAMPLE_RATE); i++) x[i] += 0.3 * Math.sin((2 * Math.PI * 1000 * i) / SAMPLE_RATE);
  return x;
}
