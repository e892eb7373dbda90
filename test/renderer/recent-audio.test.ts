// RecentAudio: the last `capacity` samples of a stream, addressed in stream time; a slice is
// exactly the samples pushed at those times, or null once any of them is overwritten or
// before it was pushed; a block longer than the ring keeps its end.
import { describe, expect, it } from 'vitest';
import { RecentAudio } from '../../renderer/src/audio/recent-audio.js';

/** Samples whose values are their stream times, from `from`, `n` of them. */
const ramp = (from: number, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => from + i);

/** Pushes samples 0..total-1 (values = stream times) in blocks of `block`. */
function pushRamp(audio: RecentAudio, total: number, block: number): void {
  for (let t = 0; t < total; t += block) audio.push(ramp(t, Math.min(block, total - t)));
}

describe('RecentAudio', () => {
  it('gives back the samples of any held span, across the ring\'s wrap', () => {
    const audio = new RecentAudio(100);
    pushRamp(audio, 257, 13);
    expect(audio.total).toBe(257);
    expect(audio.oldest).toBe(157);
    expect(Array.from(audio.slice(157, 100)!)).toEqual(Array.from(ramp(157, 100)));
    expect(Array.from(audio.slice(190, 20)!)).toEqual(Array.from(ramp(190, 20))); // wraps at 200
    expect(audio.slice(250, 0)).toEqual(new Float32Array(0));
  });

  it('has nothing of a span partly overwritten or not yet pushed', () => {
    const audio = new RecentAudio(100);
    pushRamp(audio, 150, 50);
    expect(audio.slice(49, 10)).toBeNull(); // 49 was overwritten
    expect(audio.slice(50, 100)).not.toBeNull();
    expect(audio.slice(145, 6)).toBeNull(); // 150 is not pushed yet
  });

  it('keeps the end of a block longer than itself, at the right stream times', () => {
    const audio = new RecentAudio(10);
    audio.push(ramp(0, 3));
    audio.push(ramp(3, 25));
    expect(audio.total).toBe(28);
    expect(Array.from(audio.slice(18, 10)!)).toEqual(Array.from(ramp(18, 10)));
    audio.push(ramp(28, 4));
    expect(Array.from(audio.slice(22, 10)!)).toEqual(Array.from(ramp(22, 10)));
  });

  it('starts a new stream at time 0 when cleared', () => {
    const audio = new RecentAudio(10);
    audio.push(ramp(0, 8));
    audio.clear();
    expect(audio.total).toBe(0);
    expect(audio.slice(0, 1)).toBeNull();
    audio.push(ramp(100, 4));
    expect(Array.from(audio.slice(0, 4)!)).toEqual([100, 101, 102, 103]);
  });

  it('refuses a capacity or a span that is not one', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) expect(() => new RecentAudio(capacity), String(capacity)).toThrow(RangeError);
    const audio = new RecentAudio(10);
    expect(() => audio.slice(0.5, 1)).toThrow(RangeError);
    expect(() => audio.slice(0, -1)).toThrow(RangeError);
    expect(() => audio.slice(0, 2.5)).toThrow(RangeError);
  });
});
