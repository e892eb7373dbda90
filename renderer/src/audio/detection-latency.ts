// How long a live detection took: from the moment the renderer sent the frames the detector
// decided on to the moment the detection came back. Each block of frames sent is noted with
// the stream time by which the detector can decide on everything sent so far (decisionTime,
// as the detector dates its decisions) and the wall clock; a detection at stream time t was
// made possible by the first block whose time reaches t.

import { decisionTime } from '../../../core/kws/detector.js';
import type { FeatureConfig } from '../../../core/features/config.js';

/** Blocks remembered: at about ten blocks a second, the last 50 s or so. */
export const SENT_BLOCKS_KEPT = 500;

// Stream times are sums of float divisions: a detection dated at a block's own time may
// differ from it in the last bits.
const TIME_EPSILON = 1e-6;

interface SentBlock {
  /** Stream time (s) the detector can decide on once this block is in. */
  until: number;
  /** When it was sent (ms, as performance.now()). */
  at: number;
}

export class DetectionLatency {
  private features: FeatureConfig | null = null;
  private frames = 0;
  private blocks: SentBlock[] = [];
  /** The latest `until` of the blocks forgotten: detections up to it have no latency. */
  private forgottenUntil = -Infinity;

  constructor(private readonly keep = SENT_BLOCKS_KEPT) {
    if (!(Number.isInteger(keep) && keep > 0)) throw new RangeError(`keep must be a positive whole number of blocks, got ${String(keep)}`);
  }

  /** Starts a new stream of frames computed with `features`: nothing sent yet. */
  reset(features: FeatureConfig): void {
    this.features = features;
    this.frames = 0;
    this.blocks = [];
    this.forgottenUntil = -Infinity;
  }

  /** `count` more frames were sent at `at` (ms, as performance.now()). */
  sent(count: number, at: number): void {
    if (!this.features) throw new Error('DetectionLatency.sent() before reset(features)');
    if (!(Number.isInteger(count) && count > 0)) throw new RangeError(`count must be a positive whole number of frames, got ${String(count)}`);
    this.frames += count;
    this.blocks.push({ until: decisionTime(this.features, this.frames), at });
    if (this.blocks.length > this.keep) this.forgottenUntil = this.blocks.splice(0, this.blocks.length - this.keep).at(-1)!.until;
  }

  /**
   * Milliseconds from the sending of the frames a detection at stream time `time` (s)
   * decided on to `now`; null when that block is forgotten or was never sent.
   */
  latencyOf(time: number, now: number): number | null {
    if (time <= this.forgottenUntil + TIME_EPSILON) return null;
    const block = this.blocks.find((b) => b.until >= time - TIME_EPSILON);
    return block ? now - block.at : null;
  }
}
