// A clip's peak envelope for waveform thumbnails (app/shared/envelope.ts).
import { describe, expect, it } from 'vitest';
import { ENVELOPE_POINTS, peakEnvelope } from '../../../app/shared/envelope.js';

describe('peakEnvelope', () => {
  it('gives the min and max of each column, interleaved', () => {
    const samples = Float32Array.from([0.1, -0.5, 0.3, 0.2, -0.1, 0.9, -0.9, 0]);
    expect([...peakEnvelope(samples, 4)].map((v) => Math.round(v * 10) / 10)).toEqual([-0.5, 0.1, 0.2, 0.3, -0.1, 0.9, -0.9, 0]);
  });

  it('covers every sample exactly once when the length does not divide', () => {
    const samples = new Float32Array(16000 + 37);
    samples[samples.length - 1] = 0.7; // the last sample lands in the last column
    samples[0] = -0.4;
    const env = peakEnvelope(samples);
    expect(env.length).toBe(2 * ENVELOPE_POINTS);
    expect(env[0]).toBeCloseTo(-0.4, 6);
    expect(env[env.length - 1]).toBeCloseTo(0.7, 6);
    expect(env.slice(2, -2).every((v) => v === 0)).toBe(true);
  });

  it('a clip shorter than the columns: empty columns are (0, 0), one-sample columns that sample', () => {
    const env = peakEnvelope(Float32Array.from([0.5, -0.25]), 4);
    expect([...env]).toEqual([0, 0, 0.5, 0.5, 0, 0, -0.25, -0.25]);
    expect([...peakEnvelope(new Float32Array(0), 2)]).toEqual([0, 0, 0, 0]);
  });

  it('refuses a column count that is not a positive integer', () => {
    expect(() => peakEnvelope(new Float32Array(4), 0)).toThrow(RangeError);
    expect(() => peakEnvelope(new Float32Array(4), 1.5)).toThrow(/positive integer/);
  });
});
