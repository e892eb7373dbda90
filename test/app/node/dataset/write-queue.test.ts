import { describe, expect, it } from 'vitest';
import { WriteQueue } from '../../../../app/node/dataset/write-queue.js';

/** A promise and the function that settles it, to decide from the test when a task finishes. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { wait, open };
}

describe('WriteQueue', () => {
  it('runs tasks one at a time, in call order, even when an earlier one takes longer', async () => {
    const q = new WriteQueue();
    const log: string[] = [];
    const first = gate();
    const a = q.run(async () => { log.push('a starts'); await first.wait; log.push('a ends'); return 'a'; });
    const b = q.run(async () => { log.push('b starts'); log.push('b ends'); return 'b'; });
    const c = q.run(async () => { log.push('c starts'); return 'c'; });
    await Promise.resolve();
    expect(log).toEqual(['a starts']); // b waits for a, though a is blocked
    first.open();
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts']);
  });

  it('a failed task rejects its own caller only; the tasks behind it still run', async () => {
    const q = new WriteQueue();
    const failed = q.run(async () => { throw new Error('disk full'); });
    const next = q.run(async () => 'ran');
    await expect(failed).rejects.toThrow('disk full');
    expect(await next).toBe('ran');
  });

  it('drained settles after every task queued before it', async () => {
    const q = new WriteQueue();
    const done: number[] = [];
    const g = gate();
    void q.run(async () => { await g.wait; done.push(1); });
    void q.run(async () => { done.push(2); });
    const drained = q.drained().then(() => [...done]);
    g.open();
    expect(await drained).toEqual([1, 2]);
  });
});
