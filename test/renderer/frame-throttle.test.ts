// useFrameThrottle: paints at most `fps` times a second, only on animation frames, one paint
// per burst of requests; none after its scope is disposed; none while no animation frames
// come (a hidden window). Animation frames are simulated with fake timers at 60 Hz.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { useFrameThrottle } from '../../renderer/src/composables/useFrameThrottle.js';

let framesRunning = true;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  framesRunning = true;
  let next = 0;
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  vi.stubGlobal('requestAnimationFrame', (cb: (t: number) => void): number => {
    const id = ++next;
    const fire = (): void => {
      if (!framesRunning) { pending.set(id, setTimeout(fire, 1000 / 60)); return; } // hidden: frames wait
      pending.delete(id);
      cb(performance.now());
    };
    pending.set(id, setTimeout(fire, 1000 / 60));
    return id;
  });
  vi.stubGlobal('cancelAnimationFrame', (id: number): void => { clearTimeout(pending.get(id)); pending.delete(id); });
});
afterEach(() => { vi.useRealTimers(); vi.unstubAllGlobals(); });

/** Requests every `everyMs` for `ms`; the paints counted. */
function drive(throttle: { request(): void }, ms: number, everyMs: number): void {
  for (let t = 0; t < ms; t += everyMs) { throttle.request(); vi.advanceTimersByTime(everyMs); }
}

describe('useFrameThrottle', () => {
  it('paints at most fps times a second however often it is asked, and keeps up with the data', () => {
    let paints = 0;
    const scope = effectScope();
    const throttle = scope.run(() => useFrameThrottle(() => { paints++; }, { fps: 15 }))!;
    drive(throttle, 2000, 5); // 200 requests a second
    expect(paints).toBeLessThanOrEqual(31);
    expect(paints).toBeGreaterThanOrEqual(24);
    scope.stop();
  });

  it('paints once for a burst, and again for a request after the interval', () => {
    let paints = 0;
    const scope = effectScope();
    const throttle = scope.run(() => useFrameThrottle(() => { paints++; }))!;
    for (let i = 0; i < 10; i++) throttle.request();
    vi.advanceTimersByTime(500);
    expect(paints).toBe(1);
    throttle.request();
    vi.advanceTimersByTime(500);
    expect(paints).toBe(2);
    scope.stop();
  });

  it('paints nothing after its scope is disposed, or while no animation frames come', () => {
    let paints = 0;
    const scope = effectScope();
    const throttle = scope.run(() => useFrameThrottle(() => { paints++; }))!;
    framesRunning = false;
    drive(throttle, 1000, 40);
    expect(paints).toBe(0);
    framesRunning = true;
    vi.advanceTimersByTime(100);
    expect(paints).toBe(1); // the waiting request, once
    throttle.request();
    scope.stop();
    vi.advanceTimersByTime(1000);
    expect(paints).toBe(1);
  });

  it('refuses a rate that is not one', () => {
    for (const fps of [0, -1, Number.NaN, 5000]) expect(() => useFrameThrottle(() => undefined, { fps }), String(fps)).toThrow(RangeError);
  });
});
