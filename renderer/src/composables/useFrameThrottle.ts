// Screen updates at a capped rate, on animation frames, and none while the page is hidden.
// Live listening produces data 25–40 times a second (microphone blocks, feature frames,
// posteriors); painting each change as it comes makes Chromium produce a frame per change
// (style, paint, raster, composite), which cost more CPU than the whole audio path
// (`npm run bench:live`). Callers record the latest values and call request(); `paint` then
// runs at most `fps` times a second, on an animation frame. While the page is hidden
// (minimised window, background tab) a request schedules nothing at all, no timer and no
// frame, and a pending one is dropped: Chromium would not run the frame anyway, but the
// timers would still wake the renderer. When the page is shown again, one paint shows the
// latest state (callers keep only the latest values, so nothing piles up meanwhile).

import { getCurrentScope, onScopeDispose, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { usePageVisibility } from './usePageVisibility.js';

/** The two DOM functions used, typed here so the Node-side tests typecheck without the DOM library. */
interface AnimationFrames {
  requestAnimationFrame(callback: (now: number) => void): number;
  cancelAnimationFrame(handle: number): void;
}
const frames = (): AnimationFrames => globalThis as unknown as AnimationFrames;

export interface UseFrameThrottleOptions {
  /** Most paints a second (default 15). */
  fps?: number;
  /** Whether painting is wanted now (default: the page is visible, usePageVisibility). */
  visible?: MaybeRefOrGetter<boolean>;
}

export interface FrameThrottle {
  /** Ask for a paint: the next animation frame at least 1/fps after the last paint; while hidden, one paint once shown. */
  request(): void;
  /** Drop a requested paint (also one waiting for the page to be shown). */
  cancel(): void;
}

export function useFrameThrottle(paint: () => void, options: UseFrameThrottleOptions = {}): FrameThrottle {
  const fps = options.fps ?? 15;
  if (!(fps > 0 && fps <= 1000)) throw new RangeError(`fps must be in (0, 1000], got ${String(fps)}`);
  const interval = 1000 / fps;
  let raf = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  /** A paint was asked for while hidden, or was pending when the page was hidden. */
  let wanted = false;
  const visible = options.visible ?? usePageVisibility();

  const onFrame = (now: number): void => {
    raf = 0;
    last = now;
    paint();
  };

  function request(): void {
    if (!toValue(visible)) { wanted = true; return; }
    if (raf !== 0 || timer !== null) return;
    // Wait out the interval with a timer, not by spinning on animation frames (each of
    // which would wake the renderer's frame machinery for nothing).
    const wait = last + interval - performance.now();
    if (wait <= 0) raf = frames().requestAnimationFrame(onFrame);
    else timer = setTimeout(() => { timer = null; raf = frames().requestAnimationFrame(onFrame); }, wait);
  }

  function drop(): void {
    if (raf !== 0) frames().cancelAnimationFrame(raf);
    if (timer !== null) clearTimeout(timer);
    raf = 0;
    timer = null;
  }

  function cancel(): void {
    drop();
    wanted = false;
  }

  // Synchronous, so no request slips in between the change and its handling; stopped with
  // the owning scope.
  watch(() => toValue(visible), (isVisible) => {
    if (!isVisible) {
      if (raf !== 0 || timer !== null) wanted = true;
      drop();
    } else if (wanted) {
      wanted = false;
      request();
    }
  }, { flush: 'sync' });

  if (getCurrentScope()) onScopeDispose(cancel);
  return { request, cancel };
}
