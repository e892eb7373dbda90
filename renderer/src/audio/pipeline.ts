// What happens to microphone samples after the worklet: resampling from the device rate
// to 16 kHz with core's streaming Resampler, level metering, and (optionally) MFCC frames
// with core's FeatureStream, the same code the engine's training path runs in batch form.
// No DOM here, so it is unit-tested in Node as well.

import { Resampler } from '../../../core/audio/resample.js';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { FeatureStream } from '../../../core/features/mfcc.js';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../../core/features/config.js';

export interface PipelineOutput {
  /** New 16 kHz samples (owned by the receiver). */
  samples16k: Float32Array;
  /** New feature frames, frame-major (frames × featureCount); empty without features. */
  frames: Float32Array;
  /** Peak |x| of the incoming block, 0..1. */
  peak: number;
  /** RMS of the incoming block, 0..1. */
  rms: number;
}

export class CapturePipeline {
  readonly deviceRate: number;
  readonly featureCount: number;
  private readonly resampler: Resampler;
  private readonly features: FeatureStream | null;

  constructor(deviceRate: number, features: FeatureConfig | null = DEFAULT_FEATURE_CONFIG) {
    this.deviceRate = deviceRate;
    this.resampler = new Resampler({ fromRate: deviceRate, toRate: SAMPLE_RATE });
    this.features = features ? new FeatureStream(features) : null;
    this.featureCount = this.features ? this.features.featureCount : 0;
  }

  /** One block at the device rate. */
  push(block: Float32Array): PipelineOutput {
    let peak = 0, sum = 0;
    for (let i = 0; i < block.length; i++) {
      const v = block[i];
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      sum += v * v;
    }
    const samples16k = this.resampler.process(block);
    const frames = this.features ? this.features.push(samples16k) : new Float32Array(0);
    return { samples16k, frames, peak, rms: block.length ? Math.sqrt(sum / block.length) : 0 };
  }

  /** The end of the audio: the resampler's look-ahead and the frames held back for deltas. */
  flush(): PipelineOutput {
    const samples16k = this.resampler.flush();
    let frames = new Float32Array(0);
    if (this.features) {
      const a = this.features.push(samples16k);
      const b = this.features.flush();
      frames = new Float32Array(a.length + b.length);
      frames.set(a);
      frames.set(b, a.length);
      this.features.reset();
    }
    return { samples16k, frames, peak: 0, rms: 0 };
  }
}
