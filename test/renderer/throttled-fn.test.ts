// useThrottledFn: at most one run per interval, the latest arguments always run in the
// end (trailing), nothing after its scope is disposed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useThrottledFn } from '../../renderer/src/composables/useThrottledFn.js';

beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }); });
afterEach(() => { vi.useRealTimers(); });

describe('useThrottledFn', () => {
  it('runs the first call at once, then at most once per interval, ending with the last value', () => {
    const runs: Array<[number, number]> = [];
    const scope = effectScope();
    const show = scope.run(() => useThrottledFn((v: number) => { runs.push([performance.now(), v]); }, { intervalMs: 250 }))!;
    for (let i = 0; i < 100; i++) { show(i); vi.advanceTimersByTime(10); } // 1 s of calls every 10 ms
    vi.advanceTimersByTime(1000);
    expect(runs[0]).toEqual([0, 0]);
    for (let k = 1; k < runs.length; k++) expect(runs[k][0] - runs[k - 1][0]).toBeGreaterThanOrEqual(250);
    expect(runs.length).toBeGreaterThanOrEqual(4);
    expect(runs.length).toBeLessThanOrEqual(5);
    expect(runs.at(-1)?.[1]).toBe(99); // the last value given is the last one shown
    scope.stop();
  });

  it('runs a lone call after a quiet spell at once', () => {
    const runs: number[] = [];
    const show = useThrottledFn((v: number) => { runs.push(v); }, { intervalMs: 250 });
    show(1);
    vi.advanceTimersByTime(1000);
    show(2);
    expect(runs).toEqual([1, 2]);
  });

  it('drops the pending run when cancelled or when its scope is disposed', () => {
    const runs: number[] = [];
    const scope = effectScope();
    const show = scope.run(() => useThrottledFn((v: number) => { runs.push(v); }, { intervalMs: 250 }))!;
    show(1); show(2);
    scope.stop();
    vi.advanceTimersByTime(1000);
    expect(runs).toEqual([1]);
    const other = useThrottledFn((v: number) => { runs.push(v); }, { intervalMs: 250 });
    other(3); other(4);
    other.cancel();
    vi.advanceTimersByTime(1000);
    expect(runs).toEqual([1, 3]);
  });

  it('refuses an interval that is not a positive number', () => {
    for (const intervalMs of [0, -1, Number.NaN, Infinity]) expect(() => useThrottledFn(() => undefined, { intervalMs })).toThrow(RangeError);
  });
});
