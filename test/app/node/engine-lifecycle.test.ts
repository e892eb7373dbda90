// The engine lifecycle both hosts share, with fake engine processes: ready before use,
// folder grants, a crash restarted once, a crash loop given up with a clear reason, a
// restart that fails to start, and a shutdown that is asked for, then forced.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineRestartNotice } from '../../../app/shared/api.js';
import type { ControlMessage, EngineToHost } from '../../../app/node/host-channels.js';
import { EngineLifecycle, RestartPolicy, SHUTDOWN_TIMEOUT_MS, type EngineProcess } from '../../../app/node/engine-lifecycle.js';

/** A fake engine: answers grants, and says 'ready' when told to (at once by default). */
class FakeEngine extends EventEmitter implements EngineProcess {
  readonly sent: ControlMessage[] = [];
  killed = false;
  /** What it does when asked to shut down: exit (like the real engine) or hang. */
  onShutdown: 'exit' | 'hang' = 'exit';

  send(message: ControlMessage): void {
    this.sent.push(message);
    if (message.kind === 'grant') {
      const refused = message.folder.startsWith('relative');
      queueMicrotask(() => this.say({ kind: 'granted', requestId: message.requestId, grant: refused ? null : `g-${message.folder}`, ...(refused ? { error: 'a granted folder must be absolute' } : {}) }));
    }
    if (message.kind === 'shutdown' && this.onShutdown === 'exit') queueMicrotask(() => this.exit(0));
  }
  onMessage(listener: (message: EngineToHost) => void): void {
    this.on('message', listener);
  }
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.once('exit', listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(null, 'SIGKILL');
  }
  say(message: EngineToHost): void {
    this.emit('message', message);
  }
  ready(): void {
    this.say({ kind: 'ready', pid: 1 });
  }
  exit(code: number | null, signal: string | null = null): void {
    this.emit('exit', code, signal);
  }
}

function setup(options: { policy?: RestartPolicy; startsReady?: (n: number) => boolean } = {}) {
  const engines: FakeEngine[] = [];
  const notices: EngineRestartNotice[] = [];
  const exits: number[] = [];
  const lifecycle = new EngineLifecycle({
    onExit: (engine) => exits.push(engines.indexOf(engine as FakeEngine) + 1),
    spawn: () => {
      const engine = new FakeEngine();
      const n = engines.push(engine);
      if (options.startsReady?.(n) ?? true) queueMicrotask(() => engine.ready());
      return engine;
    },
    onRestart: (notice) => notices.push(notice),
    policy: options.policy,
  });
  /** Lets queued microtasks (ready, restart, notices) run. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { lifecycle, engines, notices, exits, settle };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EngineLifecycle', () => {
  it('resolves start once the engine is ready, and grants folders through it', async () => {
    const { lifecycle, engines } = setup();
    await lifecycle.start();
    expect(lifecycle.current).toBe(engines[0]);
    expect(await lifecycle.grantFolder('/home/me/clips')).toBe('g-/home/me/clips');
    await expect(lifecycle.grantFolder('relative/clips')).rejects.toMatchObject({ code: 'not-allowed', message: 'a granted folder must be absolute' });
  });

  it('fails a grant in flight when the engine dies, and refuses grants while none runs', async () => {
    const { lifecycle, engines } = setup({ policy: new RestartPolicy({ maxRestarts: 0 }) });
    await lifecycle.start();
    engines[0].send = (message) => void engines[0].sent.push(message); // never answers
    const grant = lifecycle.grantFolder('/x');
    engines[0].exit(1);
    await expect(grant).rejects.toMatchObject({ code: 'engine-crashed' });
    await expect(lifecycle.grantFolder('/x')).rejects.toMatchObject({ code: 'engine-unavailable', message: 'the engine is not running' });
  });

  it('says an engine exited before restarting it', async () => {
    const { lifecycle, engines, exits, settle } = setup();
    await lifecycle.start();
    engines[0].exit(1);
    expect(exits).toEqual([1]);
    await settle();
    expect(engines).toHaveLength(2);
  });

  it('restarts a crashed engine once and says so when the new one is ready', async () => {
    const { lifecycle, engines, notices, settle } = setup();
    await lifecycle.start();
    engines[0].exit(1);
    await settle();
    expect(engines).toHaveLength(2);
    expect(lifecycle.current).toBe(engines[1]);
    expect(notices).toEqual([{ restarts: 1, gaveUp: false, reason: 'exited with code 1' }]);
  });

  it('gives up on a crash loop with a clear reason, and spawns nothing more', async () => {
    const { lifecycle, engines, notices, settle } = setup({ policy: new RestartPolicy({ maxRestarts: 2 }) });
    await lifecycle.start();
    for (let i = 0; i < 3; i++) {
      engines[i].exit(null, 'SIGSEGV');
      await settle();
    }
    expect(engines).toHaveLength(3);
    expect(notices).toEqual([
      { restarts: 1, gaveUp: false, reason: 'killed by SIGSEGV' },
      { restarts: 2, gaveUp: false, reason: 'killed by SIGSEGV' },
      { restarts: 3, gaveUp: true, reason: 'killed by SIGSEGV' },
    ]);
    expect(lifecycle.current).toBeNull();
  });

  it('restarts crashes again after a give-up and a new start (a window closed and opened again)', async () => {
    const { lifecycle, engines, notices, settle } = setup({ policy: new RestartPolicy({ maxRestarts: 1 }) });
    await lifecycle.start();
    for (let i = 0; i < 2; i++) { engines[i].exit(1); await settle(); }
    expect(notices.at(-1)).toMatchObject({ gaveUp: true });
    await lifecycle.stop();
    await lifecycle.start();
    engines.at(-1)!.exit(1);
    await settle();
    expect(notices.at(-1)).toEqual({ restarts: 1, gaveUp: false, reason: 'exited with code 1' });
    expect(lifecycle.current).not.toBeNull();
  });

  it('rejects start when the engine exits before it is ready, and gives up when a restart does', async () => {
    const first = setup({ startsReady: () => false });
    const starting = first.lifecycle.start();
    first.engines[0].exit(2);
    await expect(starting).rejects.toMatchObject({ code: 'engine-unavailable', message: 'the engine exited with code 2 while starting' });
    await first.settle();
    expect(first.engines).toHaveLength(1); // a crash at start-up is not restarted
    expect(first.notices).toEqual([]);

    const second = setup({ startsReady: (n) => n === 1 });
    await second.lifecycle.start();
    second.engines[0].exit(1);
    await second.settle();
    second.engines[1].exit(2);
    await second.settle();
    expect(second.engines).toHaveLength(2);
    expect(second.notices).toEqual([{ restarts: 1, gaveUp: true, reason: 'exited with code 1; restart failed: the engine exited with code 2 while starting' }]);
  });

});

describe('EngineLifecycle.stop', () => {
  it('stops an engine that shuts down by itself without killing or restarting it, and says it exited (once)', async () => {
    const { lifecycle, engines, notices, exits, settle } = setup();
    await lifecycle.start();
    await lifecycle.stop();
    expect(exits).toEqual([1]); // the host fails the page's calls in flight on it
    expect(engines[0].sent.at(-1)).toEqual({ kind: 'shutdown' });
    expect(engines[0].killed).toBe(false);
    await settle();
    expect(engines).toHaveLength(1);
    expect(notices).toEqual([]);
    expect(lifecycle.current).toBeNull();
  });

  it('kills an engine whose shutdown hangs, after the timeout and not before', async () => {
    vi.useFakeTimers();
    const { lifecycle, engines } = setup();
    const started = lifecycle.start();
    await vi.advanceTimersByTimeAsync(0);
    await started;
    engines[0].onShutdown = 'hang';
    let stopped = false;
    const stopping = lifecycle.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(SHUTDOWN_TIMEOUT_MS - 1);
    expect(engines[0].killed).toBe(false);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(engines[0].killed).toBe(true);
    expect(engines).toHaveLength(1); // a stop is not a crash
  });

  it('starts a new engine after a stop (a new window) while the old one is still shutting down', async () => {
    const { lifecycle, engines, exits, settle } = setup();
    await lifecycle.start();
    engines[0].onShutdown = 'hang';
    const stopped = lifecycle.stop();
    await lifecycle.start();
    expect(lifecycle.current).toBe(engines[1]);
    engines[0].exit(0);
    await stopped;
    await settle();
    expect(lifecycle.current).toBe(engines[1]); // the old engine's exit is not the new one's
    expect(exits).toEqual([1]); // and the host hears it as the old one's (its calls fail, not the new one's)
  });
});

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
