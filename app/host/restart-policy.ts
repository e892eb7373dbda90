// How often a crashed engine is restarted: at most `maxRestarts` within `windowMs`; past
// that the host gives up and tells the user, instead of looping on a crash at start-up.
// Shared by Electron's main process and the Node host. Pure (the clock is injected).

export interface RestartPolicyOptions {
  maxRestarts?: number;
  windowMs?: number;
  now?: () => number;
}

export interface RestartDecision {
  restart: boolean;
  /** Crashes within the window, this one included. */
  restarts: number;
}

export class RestartPolicy {
  private readonly crashes: number[] = [];
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: RestartPolicyOptions = {}) {
    this.maxRestarts = options.maxRestarts ?? 3;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Records a crash and says whether to restart. */
  recordCrash(): RestartDecision {
    const t = this.now();
    this.crashes.push(t);
    while (this.crashes.length > 0 && this.crashes[0] <= t - this.windowMs) this.crashes.shift();
    return { restart: this.crashes.length <= this.maxRestarts, restarts: this.crashes.length };
  }
}
