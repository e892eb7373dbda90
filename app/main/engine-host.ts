// Electron's engine: main forks app/engine/main.ts (out/main/engine.js) with
// utilityProcess and hands each page connection a MessagePort straight to it, so main is
// never in the audio or data path. A crash restarts the engine (bounded by RestartPolicy)
// and the page gets a fresh port with a notice, or only the notice when main gives up.
// The engine lives as long as the window (index.ts calls stop when it closes).
//
// Electron comes in through EngineHostDeps, so tests drive this with fakes.

import { RestartPolicy } from '../host/restart-policy.js';
import type { EngineRestartNotice } from '../shared/api.js';
import type { ControlMessage, EngineToHost } from '../engine/host-channels.js';

/** The parts of Electron's UtilityProcess used here. */
export interface UtilityProcessLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface PortPair {
  port1: unknown;
  port2: unknown;
}

export interface EngineHostDeps {
  /** utilityProcess.fork(engine.js, [...args]) */
  fork(): UtilityProcessLike;
  /** new MessageChannelMain() */
  createChannel(): PortPair;
  /** Give the page a port (or null when there is no engine) with an optional notice. */
  sendToPage(port: unknown | null, notice: EngineRestartNotice | null): void;
  policy?: RestartPolicy;
}

export class EngineHost {
  private child: UtilityProcessLike | null = null;
  private stopped = false;
  private gaveUp = false;
  private nextGrant = 1;
  private readonly grants = new Map<number, (m: Extract<EngineToHost, { kind: 'granted' }>) => void>();
  private readonly policy: RestartPolicy;

  constructor(private readonly deps: EngineHostDeps) {
    this.policy = deps.policy ?? new RestartPolicy();
  }

  get running(): boolean {
    return this.child !== null;
  }

  start(): void {
    this.stopped = false;
    const child = this.deps.fork();
    this.child = child;
    child.on('message', (message) => {
      const m = message as EngineToHost;
      if (m?.kind === 'granted') {
        this.grants.get(m.requestId)?.(m);
        this.grants.delete(m.requestId);
      }
    });
    child.on('exit', (code) => this.onExit(child, code));
  }

  /** A new port pair: one end to the engine, the other to the page. */
  connectPage(notice: EngineRestartNotice | null = null): void {
    if (!this.child) {
      this.deps.sendToPage(null, notice);
      return;
    }
    const { port1, port2 } = this.deps.createChannel();
    this.child.postMessage({ kind: 'connect' } satisfies ControlMessage, [port2]);
    this.deps.sendToPage(port1, notice);
  }

  /** Lets the page import from a folder the user chose in main's dialog. */
  async grantFolder(folder: string): Promise<string> {
    const child = this.child;
    if (!child) throw new Error('the engine is not running');
    const requestId = this.nextGrant++;
    const answer = new Promise<Extract<EngineToHost, { kind: 'granted' }>>((resolve) => this.grants.set(requestId, resolve));
    child.postMessage({ kind: 'grant', requestId, folder } satisfies ControlMessage);
    const { grant, error } = await answer;
    if (grant === null) throw new Error(error ?? 'the engine refused the folder');
    return grant;
  }

  stop(): void {
    this.stopped = true;
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.postMessage({ kind: 'shutdown' } satisfies ControlMessage);
    // The engine exits by itself after shutting down; make sure it does.
    setTimeout(() => child.kill(), 3000).unref?.();
  }

  private onExit(child: UtilityProcessLike, code: number): void {
    if (this.child === child) this.child = null;
    for (const resolve of this.grants.values()) resolve({ kind: 'granted', requestId: 0, grant: null, error: 'the engine stopped' });
    this.grants.clear();
    if (this.stopped || this.gaveUp) return;
    const reason = `the engine exited with code ${code}`;
    const decision = this.policy.recordCrash();
    if (!decision.restart) {
      this.gaveUp = true;
      this.deps.sendToPage(null, { restarts: decision.restarts, gaveUp: true, reason });
      return;
    }
    this.start();
    this.connectPage({ restarts: decision.restarts, gaveUp: false, reason });
  }
}
