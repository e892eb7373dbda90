// The Node host's engine: a child_process.fork of the engine entry, supervised. Used by
// `npm run serve` (app/host/serve.ts) and by the integration tests.
//
// The UI side sees one stable channel (`channel`) that outlives engine restarts. Requests
// in flight when the engine dies are answered with an 'engine-crashed' error, and every
// channel listener gets a 'host.engine-restarted' event (gaveUp when the restart policy
// says stop). IPC uses serialization: 'advanced' (structured clone), so typed arrays
// cross unchanged.

import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { MessageChannelLike, MessageListener } from '../shared/channel.js';
import { EVENT_FUNCTION, type EngineEvent } from '../shared/protocol.js';
import type { ControlMessage, EngineToHost } from '../engine/host-channels.js';
import { RestartPolicy } from './restart-policy.js';

export interface EngineSupervisorOptions {
  /** The engine entry: out/main/engine.js, or app/engine/main.ts with execArgv ['--import', 'tsx']. */
  enginePath: string;
  execArgv?: string[];
  dataDir: string;
  version: string;
  policy?: RestartPolicy;
  /** Where the child's stderr goes (default: inherited). */
  stderr?: 'inherit' | 'ignore' | 'pipe';
}

export class EngineSupervisor extends EventEmitter {
  private child: ChildProcess | null = null;
  private readonly uiListeners = new Set<MessageListener>();
  private readonly pending = new Set<string>();
  private readonly policy: RestartPolicy;
  private stopping = false;
  private gaveUp = false;
  private nextGrant = 1;
  private readonly grantWaiters = new Map<number, (m: Extract<EngineToHost, { kind: 'granted' }>) => void>();

  constructor(readonly options: EngineSupervisorOptions) {
    super();
    this.policy = options.policy ?? new RestartPolicy();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the engine and resolves once it says it is ready. */
  async start(): Promise<void> {
    this.stopping = false;
    const child = fork(this.options.enginePath, ['--data', this.options.dataDir, '--host', 'node', '--version', this.options.version], {
      execArgv: this.options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', this.options.stderr ?? 'inherit', 'ipc'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if ((message as EngineToHost).kind === 'ready') {
          child.off('exit', onEarlyExit);
          resolve();
        }
      };
      const onEarlyExit = (code: number | null, signal: string | null) => {
        child.off('message', onMessage);
        reject(new Error(`the engine exited while starting (code ${code}, signal ${signal})`));
      };
      child.once('message', onMessage);
      child.once('exit', onEarlyExit);
    });
    child.on('message', (message: unknown) => this.fromEngine(message as EngineToHost));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
  }

  /** The UI's channel to whichever engine is current. */
  readonly channel: MessageChannelLike = {
    postMessage: (data) => {
      const id = requestId(data);
      if (!this.child || !this.child.connected) {
        if (id !== undefined) this.deliver({ t: 's', i: id, e: { code: 'engine-unavailable', message: 'the engine is not running' } });
        return;
      }
      if (id !== undefined) this.pending.add(id);
      this.child.send({ kind: 'rpc', data } satisfies ControlMessage);
    },
    addEventListener: (_type, listener) => void this.uiListeners.add(listener),
    removeEventListener: (_type, listener) => void this.uiListeners.delete(listener),
  };

  /** Lets the UI import from `folder` (a host decision, never a UI one); resolves to the grant id. */
  async grantFolder(folder: string): Promise<string> {
    const child = this.child;
    if (!child) throw new Error('the engine is not running');
    const requestId = this.nextGrant++;
    const answer = new Promise<Extract<EngineToHost, { kind: 'granted' }>>((resolve) => this.grantWaiters.set(requestId, resolve));
    child.send({ kind: 'grant', requestId, folder } satisfies ControlMessage);
    const { grant, error } = await answer;
    if (grant === null) throw new Error(error ?? 'refused');
    return grant;
  }

  /** Kills the current engine as a crash would (tests). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /** Waits for the next engine to be ready after a crash. */
  nextStart(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onRestart = (e: { gaveUp: boolean }) => {
        this.off('restarted', onRestart);
        if (e.gaveUp) reject(new Error('the host gave up restarting the engine'));
        else resolve();
      };
      this.on('restarted', onRestart);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ kind: 'shutdown' } satisfies ControlMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private fromEngine(message: EngineToHost): void {
    if (message.kind === 'rpc') {
      const data = message.data as { t?: unknown; i?: unknown };
      if (data?.t === 's' && typeof data.i === 'string') this.pending.delete(data.i);
      this.deliver(message.data);
    } else if (message.kind === 'granted') {
      this.grantWaiters.get(message.requestId)?.(message);
      this.grantWaiters.delete(message.requestId);
    }
  }

  private deliver(data: unknown): void {
    for (const listener of this.uiListeners) listener({ data });
  }

  private hostEvent(event: EngineEvent): void {
    this.deliver({ t: 'q', m: EVENT_FUNCTION, a: [event] });
  }

  private onExit(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.child === child) this.child = null;
    for (const id of this.pending) {
      this.deliver({ t: 's', i: id, e: { code: 'engine-crashed', message: 'the engine stopped before answering' } });
    }
    this.pending.clear();
    for (const waiter of this.grantWaiters.values()) waiter({ kind: 'granted', requestId: 0, grant: null, error: 'the engine stopped' });
    this.grantWaiters.clear();
    if (this.stopping || this.gaveUp) return;
    const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const decision = this.policy.recordCrash();
    if (!decision.restart) {
      this.gaveUp = true;
      this.hostEvent({ type: 'host.engine-restarted', restarts: decision.restarts, gaveUp: true, reason });
      this.emit('restarted', { restarts: decision.restarts, gaveUp: true, reason });
      return;
    }
    this.start().then(
      () => {
        this.hostEvent({ type: 'host.engine-restarted', restarts: decision.restarts, gaveUp: false, reason });
        this.emit('restarted', { restarts: decision.restarts, gaveUp: false, reason });
      },
      (err: unknown) => {
        this.gaveUp = true;
        const why = `${reason}; restart failed: ${(err as Error).message}`;
        this.hostEvent({ type: 'host.engine-restarted', restarts: decision.restarts, gaveUp: true, reason: why });
        this.emit('restarted', { restarts: decision.restarts, gaveUp: true, reason: why });
      },
    );
  }
}

function requestId(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { t, i } = data as { t?: unknown; i?: unknown };
  return t === 'q' && typeof i === 'string' ? i : undefined;
}
