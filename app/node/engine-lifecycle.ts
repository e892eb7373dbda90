// One engine process's life, the same under both hosts (Electron's main forks a utility
// process, the Node host a child process): start and wait until it says 'ready', folder
// grants, restart after a crash (bounded by RestartPolicy), and shutdown (asked, then
// killed after SHUTDOWN_TIMEOUT_MS). Each host adapts its child to EngineProcess and
// decides what to tell the page; tests drive this with fake processes.
//
// An engine that exits before it is ready is not restarted: a crash at start-up would
// only repeat. start() rejects instead, and a failed restart gives up.

import type { EngineRestartNotice } from '../shared/api.js';
import { EngineError } from '../shared/engine-error.js';
import { ERROR_CODES } from '../shared/protocol.js';
import type { ControlMessage, EngineToHost } from './host-channels.js';

/** How long a stopping engine may take to shut down by itself before it is killed. */
export const SHUTDOWN_TIMEOUT_MS = 5000;
/** Restarts allowed within RESTART_WINDOW_MS; one more crash and the host gives up. */
export const MAX_RESTARTS = 3;
export const RESTART_WINDOW_MS = 60_000;

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

/** How often a crashed engine is restarted, instead of looping on a crash. Pure (the clock is injected). */
export class RestartPolicy {
  private readonly crashes: number[] = [];
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: RestartPolicyOptions = {}) {
    this.maxRestarts = options.maxRestarts ?? MAX_RESTARTS;
    this.windowMs = options.windowMs ?? RESTART_WINDOW_MS;
    this.now = options.now ?? Date.now;
  }

  /** Records a crash and says whether to restart. */
  recordCrash(): RestartDecision {
    const t = this.now();
    this.crashes.push(t);
    while (this.crashes.length > 0 && this.crashes[0] <= t - this.windowMs) this.crashes.shift();
    return { restart: this.crashes.length <= this.maxRestarts, restarts: this.crashes.length };
  }

  /** Forgets the crashes: a deliberate new start (a new window) is not part of a crash loop. */
  reset(): void {
    this.crashes.length = 0;
  }
}

/** One engine child, whatever the host: the parts the lifecycle uses. */
export interface EngineProcess {
  /** Sends a control message; a child that is already gone drops it (its exit follows). */
  send(message: ControlMessage, transfer?: unknown[]): void;
  onMessage(listener: (message: EngineToHost) => void): void;
  /** Called once, when the process has exited; `signal` when a signal ended it. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Ends the process at once. */
  kill(): void;
}

export interface EngineLifecycleOptions<P extends EngineProcess> {
  spawn(): P;
  /** A crashed engine was restarted and is ready (gaveUp false), or the host gave up on it (gaveUp true). */
  onRestart(notice: EngineRestartNotice): void;
  /** Every message the engine sends besides 'ready' and 'granted' (the Node host's page traffic). */
  onMessage?(message: EngineToHost): void;
  /** An engine exited, for whatever reason (a crash, or stop()); called before any restart. */
  onExit?(engine: P): void;
  policy?: RestartPolicy;
  shutdownTimeoutMs?: number;
}

type Granted = Extract<EngineToHost, { kind: 'granted' }>;

interface Running<P> {
  readonly process: P;
  readonly exited: Promise<void>;
  readonly grants: Map<number, { resolve(answer: Granted): void; reject(err: Error): void }>;
}

/** Why an engine exited, in words the page shows after "The engine stopped". */
export function exitReason(code: number | null, signal: string | null): string {
  return signal ? `killed by ${signal}` : `exited with code ${code}`;
}

export class EngineLifecycle<P extends EngineProcess = EngineProcess> {
  private running: Running<P> | null = null;
  private readonly policy: RestartPolicy;
  private stopping = false;
  private gaveUp = false;
  private nextGrant = 1;

  constructor(private readonly options: EngineLifecycleOptions<P>) {
    this.policy = options.policy ?? new RestartPolicy();
  }

  /** The engine process, from the moment it is spawned until it exits or is stopped. */
  get current(): P | null {
    return this.running?.process ?? null;
  }

  /** Spawns an engine and resolves once it is ready; rejects when it exits first. */
  start(): Promise<void> {
    this.stopping = false;
    // A new start after giving up (macOS: the window closed and opened again) restarts on crashes again.
    if (this.gaveUp) { this.gaveUp = false; this.policy.reset(); }
    const child = this.options.spawn();
    let ready = false;
    let readiness!: { resolve(): void; reject(err: Error): void };
    const started = new Promise<void>((resolve, reject) => (readiness = { resolve, reject }));
    const exited = new Promise<void>((resolve) =>
      child.onExit((code, signal) => {
        resolve();
        this.afterExit(running, ready, exitReason(code, signal));
        if (!ready) readiness.reject(new EngineError(ERROR_CODES.engineUnavailable, `the engine ${exitReason(code, signal)} while starting`));
      }),
    );
    const running: Running<P> = { process: child, exited, grants: new Map() };
    child.onMessage((message) => {
      if (message?.kind === 'ready') {
        ready = true;
        readiness.resolve();
      } else if (message?.kind === 'granted') {
        running.grants.get(message.requestId)?.resolve(message);
        running.grants.delete(message.requestId);
      } else {
        this.options.onMessage?.(message);
      }
    });
    this.running = running;
    return started;
  }

  /** Lets the page import from `folder` (a host decision, never a page one); resolves to the grant id. */
  async grantFolder(folder: string): Promise<string> {
    const running = this.running;
    if (!running) throw new EngineError(ERROR_CODES.engineUnavailable, 'the engine is not running');
    const requestId = this.nextGrant++;
    const answer = new Promise<Granted>((resolve, reject) => running.grants.set(requestId, { resolve, reject }));
    running.process.send({ kind: 'grant', requestId, folder });
    const { grant, error } = await answer;
    if (grant === null) throw new EngineError(ERROR_CODES.notAllowed, error ?? 'the engine refused the folder');
    return grant;
  }

  /** Asks the engine to shut down and resolves once it has exited; kills it if it takes longer than the timeout. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = this.running;
    // Forgotten at once: a start() from here on (a new window) gets a new engine.
    this.running = null;
    if (!running) return;
    running.process.send({ kind: 'shutdown' });
    const timer = setTimeout(() => running.process.kill(), this.options.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS);
    await running.exited;
    clearTimeout(timer);
    // afterExit leaves a stopped engine alone (no restart): the host still hears that it went.
    this.options.onExit?.(running.process);
  }

  private afterExit(running: Running<P>, wasReady: boolean, reason: string): void {
    for (const grant of running.grants.values()) grant.reject(new EngineError(ERROR_CODES.engineCrashed, 'the engine stopped before answering'));
    running.grants.clear();
    if (this.running !== running) return; // stopped, or replaced
    this.running = null;
    this.options.onExit?.(running.process);
    if (!wasReady || this.stopping || this.gaveUp) return;
    const decision = this.policy.recordCrash();
    if (!decision.restart) {
      this.giveUp(decision.restarts, reason);
      return;
    }
    this.start().then(
      () => {
        if (!this.stopping) this.options.onRestart({ restarts: decision.restarts, gaveUp: false, reason });
      },
      (err: unknown) => {
        if (!this.stopping) this.giveUp(decision.restarts, `${reason}; restart failed: ${(err as Error).message}`);
      },
    );
  }

  private giveUp(restarts: number, reason: string): void {
    this.gaveUp = true;
    this.options.onRestart({ restarts, gaveUp: true, reason });
  }
}
