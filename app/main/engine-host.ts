// Electron's engine: main forks app/engine/main.ts (out/main/engine.js) with
// utilityProcess and hands each page connection a MessagePort straight to it, so main is
// never in the audio or data path. Its life (ready, grants, restarts, shutdown) is the
// EngineLifecycle both hosts share; after a restart the page gets a fresh port with a
// notice, or only the notice when the lifecycle gives up. The engine lives as long as the
// window (index.ts calls stop when it closes).
//
// Electron comes in through EngineHostDeps, so tests drive this with fakes.

import { EngineLifecycle, type EngineProcess, type RestartPolicy } from '../node/engine-lifecycle.js';
import type { EngineRestartNotice } from '../shared/api.js';
import type { EngineToHost } from '../node/host-channels.js';

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

function utilityEngine(child: UtilityProcessLike): EngineProcess {
  return {
    send: (message, transfer) => child.postMessage(message, transfer),
    onMessage: (listener) => void child.on('message', (message) => listener(message as EngineToHost)),
    onExit: (listener) => void child.on('exit', (code) => listener(code, null)),
    kill: () => void child.kill(),
  };
}

export class EngineHost {
  private readonly lifecycle: EngineLifecycle;
  /** Why the engine could not start, told to a page that connects afterwards. */
  private failure: EngineRestartNotice | null = null;

  constructor(private readonly deps: EngineHostDeps) {
    this.lifecycle = new EngineLifecycle({
      spawn: () => utilityEngine(deps.fork()),
      policy: deps.policy,
      onRestart: (notice) => {
        if (!notice.gaveUp) return this.connectPage(notice);
        this.failure = notice; // a page that connects later (a reload) is told too, not left waiting
        deps.sendToPage(null, notice);
      },
    });
  }

  get running(): boolean {
    return this.lifecycle.current !== null;
  }

  start(): void {
    this.failure = null;
    this.lifecycle.start().catch((err: unknown) => {
      this.failure = { restarts: 0, gaveUp: true, reason: (err as Error).message };
      this.deps.sendToPage(null, this.failure);
    });
  }

  /** A new port pair: one end to the engine, the other to the page. */
  connectPage(notice: EngineRestartNotice | null = null): void {
    const engine = this.lifecycle.current;
    if (!engine) {
      this.deps.sendToPage(null, notice ?? this.failure);
      return;
    }
    const { port1, port2 } = this.deps.createChannel();
    engine.send({ kind: 'connect' }, [port2]);
    this.deps.sendToPage(port1, notice);
  }

  /** Lets the page import from a folder the user chose in main's dialog. */
  grantFolder(folder: string): Promise<string> {
    return this.lifecycle.grantFolder(folder);
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }
}
