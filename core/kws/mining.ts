// Mining: teaching a model what to ignore. The model listens to room audio with none of its
// words in it (the person talking, a TV); every detection there is a false activation, and
// what the model heard when it fired — its window of audio ending at the decision — is kept
// to be trained on as other speech. `hark mine`, the Listen screen's "That was wrong" and
// `npm run report:real` keep exactly this.
//
// The audio is kept in a ring of the last few seconds: a decision comes after the window
// it judged (smoothing, the deltas' look-ahead), so the ring must hold more than a window.

import { ConfigError } from '../errors.js';
import { SAMPLE_RATE } from '../audio/sample-rate.js';
import type { Detection, KeywordDetector } from './detector.js';
import { windowLength } from './examples.js';

/** Audio kept behind the detector (s): a window, plus what it may decide late (smoothing, the word-end check). */
export const MINING_KEEP_SECONDS = 4;

/** A detection and the model's window of audio that ended at its decision (zeros before the audio began). */
export interface MinedWindow {
  detection: Detection;
  /** (W) samples at SAMPLE_RATE, W the model's window. */
  window: Float32Array;
}

/**
 * The detection windows of one stream of audio. Either feed it through `push` (the audio
 * goes to the detector too, and each detection comes back with its window), or, when
 * something else feeds the detector, `record` every chunk before the detector hears it
 * and ask `windowOf` for each detection.
 */
export class DetectionWindows {
  /** Samples a window has (W). */
  readonly windowSamples: number;
  private readonly ring: Float32Array; // the last ring.length samples heard, circular: sample i at i % ring.length
  private heardSamples = 0;

  constructor(private readonly detector: KeywordDetector, keepSeconds = MINING_KEEP_SECONDS) {
    if (detector.features.sampleRate !== SAMPLE_RATE) throw new ConfigError('bad-sample-rate', `mining needs a model of ${SAMPLE_RATE} Hz audio, this one takes ${detector.features.sampleRate} Hz`);
    if (!(keepSeconds > 0)) throw new ConfigError('bad-mining-option', `keepSeconds must be positive, got ${keepSeconds}`);
    this.windowSamples = windowLength(detector.features);
    // twice a window at least, so that push can feed a window's worth at a time and still have it
    this.ring = new Float32Array(Math.max(2 * this.windowSamples, Math.round(keepSeconds * SAMPLE_RATE)));
  }

  /** Samples heard so far. */
  get heard(): number {
    return this.heardSamples;
  }

  /** Keeps `chunk` as the latest audio; call it with every chunk, before the detector hears it. */
  record(chunk: Float32Array): void {
    const n = this.ring.length;
    for (let i = 0; i < chunk.length; i++) this.ring[(this.heardSamples + i) % n] = chunk[i];
    this.heardSamples += chunk.length;
  }

  /**
   * The window that ended at `detection`'s decision: the W samples before it. Samples from
   * before the audio began, or no longer kept, are zeros.
   */
  windowOf(detection: Detection): Float32Array {
    const W = this.windowSamples, n = this.ring.length;
    const end = Math.min(this.heardSamples, Math.round(detection.time * SAMPLE_RATE));
    const samples = new Float32Array(W); // (W)
    for (let i = 0; i < W; i++) {
      const at = end - W + i;
      if (at >= 0 && at >= this.heardSamples - n) samples[i] = this.ring[at % n];
    }
    return samples;
  }

  /** Feeds `samples` (any length) to the detector; returns each detection with its window. */
  async push(samples: Float32Array): Promise<MinedWindow[]> {
    const found: MinedWindow[] = [];
    // A detection's window ends in the piece just fed, so a piece of at most ring − W keeps all of it.
    const piece = this.ring.length - this.windowSamples;
    for (let at = 0; at < samples.length; at += piece) {
      const chunk = samples.subarray(at, at + piece);
      this.record(chunk);
      for (const detection of await this.detector.pushAudio(chunk)) found.push({ detection, window: this.windowOf(detection) });
    }
    return found;
  }
}
