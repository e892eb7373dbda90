// A function that runs at most once per interval, and always with the latest arguments:
// a call inside the interval is kept and run when the interval ends (trailing), so the
// last value shown is the last value given. For text in live views (numbers, ARIA values)
// that would otherwise change at the frame rate; VueUse's useThrottleFn with trailing: true,
// without the dependency. The pending call is dropped when the owning scope goes away.

import { getCurrentScope, onScopeDispose } from 'vue';

export interface UseThrottledFnOptions {
  /** Shortest time between two runs (ms, > 0). */
  intervalMs: number;
}

export interface ThrottledFn<A extends unknown[]> {
  (...args: A): void;
  /** Drops a pending trailing run. */
  cancel(): void;
}

export function useThrottledFn<A extends unknown[]>(fn: (...args: A) => void, options: UseThrottledFnOptions): ThrottledFn<A> {
  const { intervalMs } = options;
  if (!(intervalMs > 0 && Number.isFinite(intervalMs))) throw new RangeError(`intervalMs must be a positive number, got ${String(intervalMs)}`);
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;

  const run = (args: A): void => {
    last = performance.now();
    fn(...args);
  };
  const throttled = ((...args: A): void => {
    const wait = last + intervalMs - performance.now();
    if (wait <= 0 && timer === null) { run(args); return; }
    pending = args;
    timer ??= setTimeout(() => {
      timer = null;
      const next = pending;
      pending = null;
      if (next) run(next);
    }, Math.max(0, wait));
  }) as ThrottledFn<A>;
  throttled.cancel = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    pending = null;
  };

  if (getCurrentScope()) onScopeDispose(throttled.cancel);
  return throttled;
}
