// Small timing helper shared by the benchmark runner and its peers.

export interface TimeItOptions {
  /** Untimed calls before measuring (JIT, lazy allocations, optimizer slots). */
  warmup: number;
  /** Measure at least this many calls... */
  minIters: number;
  /** ...and keep going until at least this much measured time has passed. */
  minMs: number;
}

export interface TimeItResult {
  /** Median wall time of one call, in milliseconds. */
  ms: number;
  /** Number of timed calls the median was taken over. */
  iters: number;
}

/** Median of a non-empty list (mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `warmup` untimed calls, then times calls one by one (awaiting each if it returns a promise)
 * until both `minIters` calls and `minMs` milliseconds of timed calls are reached. Returns the
 * MEDIAN per-call time, which is robust to the odd GC pause or noisy neighbour on a shared machine.
 */
export async function timeIt(
  fn: () => unknown,
  { warmup, minIters, minMs }: TimeItOptions,
): Promise<TimeItResult> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  let total = 0;
  while (samples.length < Math.max(1, minIters) || total < minMs) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    total += dt;
  }
  return { ms: median(samples), iters: samples.length };
}
