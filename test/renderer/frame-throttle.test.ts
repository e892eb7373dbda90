// useFrameThrottle: paints at most `fps` times a second, only on animation frames, one paint
// per burst of requests; none after its scope is disposed; none while no animation frames
// come; and while the page is hidden, nothing scheduled at all and one paint of the latest
// state once it is shown. Animation frames are simulated with fake timers at 60 Hz, the
// page's visibility with a fake document.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope, ref } from 'vue';
import { useFrameThrottle } from '../../renderer/src/composables/useFrameThrottle.js';
import { FakeDocument } from './fake-document.js';

let framesRunning = true;
let framesAsked = 0;
beforeEach(() => {
  framesAsked = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  framesRunning = true;
  let next = 0;
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  vi.stubGlobal('requestAnimationFrame', (cb: (t: number) => void): number => {
    const id = ++next;
    framesAsked++;
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

describe('useFrameThrottle while the page is hidden', () => {
  let doc: FakeDocument;
  beforeEach(() => { doc = new FakeDocument(); vi.stubGlobal('document', doc); });

  /** A throttle painting `state.value`, and the values it painted. */
  function throttled(): { throttle: { request(): void; cancel(): void }; state: { value: number }; painted: number[]; stop(): void } {
    const state = { value: 0 };
    const painted: number[] = [];
    const scope = effectScope();
    const throttle = scope.run(() => useFrameThrottle(() => { painted.push(state.value); }, { fps: 10 }))!;
    return { throttle, state, painted, stop: () => scope.stop() };
  }

  it('schedules nothing however often it is asked, then paints the latest state once when shown', () => {
    const { throttle, state, painted, stop } = throttled();
    doc.set('hidden');
    for (let i = 1; i <= 250; i++) { state.value = i; throttle.request(); vi.advanceTimersByTime(40); } // 10 s of audio blocks
    expect(painted).toEqual([]);
    expect(framesAsked).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    doc.set('visible');
    vi.advanceTimersByTime(1000);
    expect(painted).toEqual([250]);
    stop();
  });

  it('drops a paint pending when the page is hidden, and makes it once shown', () => {
    const { throttle, painted, stop } = throttled();
    throttle.request();
    vi.advanceTimersByTime(100);
    expect(painted.length).toBe(1);
    throttle.request(); // within the interval: waits on a timer
    expect(vi.getTimerCount()).toBe(1);
    doc.set('hidden');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(painted.length).toBe(1);
    doc.set('visible');
    vi.advanceTimersByTime(100);
    expect(painted.length).toBe(2);
    stop();
  });

  it('paints nothing when shown if nothing was asked, nor what cancel() dropped', () => {
    const { throttle, painted, stop } = throttled();
    doc.set('hidden');
    doc.set('visible');
    vi.advanceTimersByTime(1000);
    expect(painted).toEqual([]);
    doc.set('hidden');
    throttle.request();
    throttle.cancel();
    doc.set('visible');
    vi.advanceTimersByTime(1000);
    expect(painted).toEqual([]);
    stop();
  });

  it('follows a caller\'s own switch instead of the page, and nothing once its scope is gone', () => {
    const on = ref(true);
    let paints = 0;
    const scope = effectScope();
    const throttle = scope.run(() => useFrameThrottle(() => { paints++; }, { visible: on }))!;
    doc.set('hidden'); // not what this throttle follows
    throttle.request();
    vi.advanceTimersByTime(100);
    expect(paints).toBe(1);
    on.value = false;
    drive(throttle, 1000, 40);
    expect(paints).toBe(1);
    scope.stop();
    on.value = true;
    vi.advanceTimersByTime(1000);
    expect(paints).toBe(1);
    expect(doc.listeners.size).toBe(0);
  });
});
