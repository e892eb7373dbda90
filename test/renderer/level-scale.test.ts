// The level meter's dBFS scale (renderer/src/components/common/level-scale.ts).
import { describe, expect, it } from 'vitest';
import { barFraction, CLIP_PEAK, FLOOR_DB, isClipping, levelText, SCALE_TICKS, toDbfs } from '../../renderer/src/components/common/level-scale.js';

describe('the level scale', () => {
  it('reads amplitudes in dBFS, silence at the floor', () => {
    expect(toDbfs(1)).toBe(0);
    expect(toDbfs(0.1)).toBeCloseTo(-20, 10);
    expect(toDbfs(0)).toBe(FLOOR_DB);
    expect(toDbfs(1e-6)).toBe(FLOOR_DB);
  });

  it('places levels along the bar, clamped at both ends, and its ticks in order', () => {
    expect(barFraction(FLOOR_DB)).toBe(0);
    expect(barFraction(0)).toBe(1);
    expect(barFraction(FLOOR_DB / 2)).toBeCloseTo(0.5, 10);
    expect(barFraction(6)).toBe(1);
    expect(barFraction(-100)).toBe(0);
    expect(SCALE_TICKS[0]).toBe(FLOOR_DB);
    expect(SCALE_TICKS.at(-1)).toBe(0);
    expect([...SCALE_TICKS].sort((a, b) => a - b)).toEqual(SCALE_TICKS);
  });

  it('marks clipping within a fraction of a dB of full scale', () => {
    expect(isClipping(CLIP_PEAK)).toBe(true);
    expect(isClipping(1)).toBe(true);
    expect(isClipping(CLIP_PEAK - 0.01)).toBe(false);
    expect(toDbfs(CLIP_PEAK)).toBeGreaterThan(-0.5);
    expect(barFraction(toDbfs(CLIP_PEAK))).toBeGreaterThan(0.99);
  });

  it('says the level and the peak in dBFS, and clipping', () => {
    expect(levelText(-23.4, -11.6, false)).toBe('-23 dBFS, peak -12 dBFS');
    expect(levelText(-3, 0, true)).toBe('-3 dBFS, peak 0 dBFS, clipping: too loud');
  });
});
