// DetectionLatency: a detection's latency is measured from the sending of the first block
// after which the detector could make it (decisionTime of the frames sent so far); none for
// a detection whose block is forgotten or was never sent.
import { describe, expect, it } from 'vitest';
import { DetectionLatency } from '../../renderer/src/audio/detection-latency.js';
import { DEFAULT_FEATURE_CONFIG } from '../../core/features/config.js';
import { decisionTime } from '../../core/kws/detector.js';

const features = { ...DEFAULT_FEATURE_CONFIG };

describe('DetectionLatency', () => {
  it('measures from the block that let the detector decide', () => {
    const latency = new DetectionLatency();
    latency.reset(features);
    latency.sent(10, 1000); // frames 1..10
    latency.sent(10, 1040); // frames 11..20
    latency.sent(10, 1080);
    expect(latency.latencyOf(decisionTime(features, 10), 1100)).toBe(100);
    expect(latency.latencyOf(decisionTime(features, 15), 1100)).toBe(60); // decided after the second block
    expect(latency.latencyOf(decisionTime(features, 20), 1100)).toBe(60);
    expect(latency.latencyOf(decisionTime(features, 30), 1100)).toBe(20);
  });

  it('has no latency for a detection after everything sent, or of a forgotten block', () => {
    const latency = new DetectionLatency(3);
    latency.reset(features);
    for (let i = 0; i < 5; i++) latency.sent(10, i * 40);
    expect(latency.latencyOf(decisionTime(features, 51), 200)).toBeNull();
    expect(latency.latencyOf(decisionTime(features, 15), 200)).toBeNull(); // the second block is forgotten
    expect(latency.latencyOf(decisionTime(features, 25), 200)).toBe(120); // the third is kept
  });

  it('starts again at frame 0 when reset', () => {
    const latency = new DetectionLatency();
    latency.reset(features);
    latency.sent(100, 0);
    latency.reset(features);
    latency.sent(10, 500);
    expect(latency.latencyOf(decisionTime(features, 10), 520)).toBe(20);
    expect(latency.latencyOf(decisionTime(features, 100), 520)).toBeNull();
  });

  it('refuses frames before a stream, a count or a memory that is not one', () => {
    expect(() => new DetectionLatency().sent(1, 0)).toThrow(/before reset/);
    const latency = new DetectionLatency();
    latency.reset(features);
    for (const count of [0, -1, 1.5]) expect(() => latency.sent(count, 0), String(count)).toThrow(RangeError);
    for (const keep of [0, 2.5]) expect(() => new DetectionLatency(keep), String(keep)).toThrow(RangeError);
  });
});
