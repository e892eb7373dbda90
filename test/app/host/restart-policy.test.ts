import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../../app/host/restart-policy.js';

describe('RestartPolicy', () => {
  it('allows three restarts in a minute and refuses the fourth', () => {
    let now = 0;
    const policy = new RestartPolicy({ now: () => now });
    expect([1, 2, 3, 4].map(() => policy.recordCrash())).toEqual([
      { restart: true, restarts: 1 },
      { restart: true, restarts: 2 },
      { restart: true, restarts: 3 },
      { restart: false, restarts: 4 },
    ]);
    now = 10_000;
    expect(policy.recordCrash().restart).toBe(false);
  });

  it('forgets crashes older than the window', () => {
    let now = 0;
    const policy = new RestartPolicy({ maxRestarts: 1, windowMs: 1000, now: () => now });
    expect(policy.recordCrash()).toEqual({ restart: true, restarts: 1 });
    now = 1000;
    expect(policy.recordCrash()).toEqual({ restart: true, restarts: 1 });
    now = 1500;
    expect(policy.recordCrash()).toEqual({ restart: false, restarts: 2 });
  });
});
