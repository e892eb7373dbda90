// The Node host's engine: a child_process.fork of the engine entry, its life (ready,
// grants, restarts, shutdown) the EngineLifecycle both hosts share. Used by `npm run serve`
// (app/host/serve.ts) and by the integration tests.
//
// The UI side sees one stable channel (`channel`) that outlives engine restarts. Requests
// in flight when the engine dies are answered with an 'engine-crashed' error, and every
// channel listener gets a 'host.engine-restarted' event (gaveUp when the lifecycle gives
// up). IPC uses serialization: 'advanced' (structured clone), so typed arrays cross
// unchanged.

import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { EngineLifecycle, type EngineProcess, type RestartPolicy } from '../node/engine-lifecycle.js';
import type { EngineRestartNotice } from '../shared/api.js';
import type { MessageChannelLike, MessageListener } from '../shared/channel.js';
import { wireError } from '../shared/engine-error.js';
import { ERROR_CODES } from '../shared/protocol.js';
import { answeredIdOf, errorMessage, eventMessage, requestIdOf } from '../shared/rpc-envelope.js';
import type { EngineToHost } from '../node/host-channels.js';

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

interface NodeEngine extends EngineProcess {
  readonly child: ChildProcess;
}

function nodeEngine(child: ChildProcess): NodeEngine {
  return {
    child,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => void child.on('message', (message) => listener(message as EngineToHost)),
    onExit: (listener) => void child.once('exit', listener),
    kill: () => void child.kill('SIGKILL'),
  };
}

/** Emits 'restarted' with an EngineRestartNotice after each crash. */
export class EngineSupervisor extends EventEmitter {
  private readonly uiListeners = new Set<MessageListener>();
  /** The page's calls not yet answered, and the engine each went to. */
  private readonly pending = new Map<string, NodeEngine>();
  private readonly lifecycle: EngineLifecycle<NodeEngine>;

  constructor(readonly options: EngineSupervisorOptions) {
    super();
    this.lifecycle = new EngineLifecycle({
      spawn: () =>
        nodeEngine(
          fork(options.enginePath, ['--data', options.dataDir, '--host', 'node', '--version', options.version], {
            execArgv: options.execArgv ?? [],
            serialization: 'advanced',
            stdio: ['ignore', 'inherit', options.stderr ?? 'inherit', 'ipc'],
          }),
        ),
      policy: options.policy,
      onMessage: (message) => {
        if (message.kind !== 'rpc') return;
        const answered = answeredIdOf(message.data);
        if (answered !== undefined) this.pending.delete(answered);
        this.deliver(message.data);
      },
      onExit: (engine) => {
        // Only that engine's: a new one may already be answering calls (a stop, then a start).
        for (const [id, to] of this.pending) {
          if (to !== engine) continue;
          this.pending.delete(id);
          this.deliver(errorMessage(id, wireError(ERROR_CODES.engineCrashed, 'the engine stopped before answering')));
        }
      },
      onRestart: (notice) => {
        this.deliver(eventMessage({ type: 'host.engine-restarted', ...notice }));
        this.emit('restarted', notice);
      },
    });
  }

  get pid(): number | undefined {
    return this.lifecycle.current?.child.pid;
  }

  /** Starts the engine and resolves once it says it is ready. */
  start(): Promise<void> {
    return this.lifecycle.start();
  }

  /** The UI's channel to whichever engine is current. */
  readonly channel: MessageChannelLike = {
    postMessage: (data) => {
      const id = requestIdOf(data);
      const engine = this.lifecycle.current;
      if (!engine?.child.connected) {
        if (id !== undefined) this.deliver(errorMessage(id, wireError(ERROR_CODES.engineUnavailable, 'the engine is not running')));
        return;
      }
      if (id !== undefined) this.pending.set(id, engine);
      engine.send({ kind: 'rpc', data });
    },
    addEventListener: (_type, listener) => void this.uiListeners.add(listener),
    removeEventListener: (_type, listener) => void this.uiListeners.delete(listener),
  };

  /** Lets the UI import from `folder` (a host decision, never a UI one); resolves to the grant id. */
  grantFolder(folder: string): Promise<string> {
    return this.lifecycle.grantFolder(folder);
  }

  /** Kills the current engine as a crash would (tests). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.lifecycle.current?.child.kill(signal);
  }

  /** Waits for the next engine to be ready after a crash. */
  nextStart(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onRestart = (notice: EngineRestartNotice) => {
        this.off('restarted', onRestart);
        if (notice.gaveUp) reject(new Error('the host gave up restarting the engine'));
        else resolve();
      };
      this.on('restarted', onRestart);
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  private deliver(data: unknown): void {
    for (const listener of this.uiListeners) listener({ data });
  }
}
