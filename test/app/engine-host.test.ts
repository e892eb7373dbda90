// Electron's engine host with fake utility processes: a port pair per page connection,
// restart after a crash with a notice to the page, bounded restarts, folder grants, stop.
// The lifecycle itself (test/app/node/engine-lifecycle.test.ts) is shared with the Node host.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EngineHost, type UtilityProcessLike } from '../../app/main/engine-host.js';
import { RestartPolicy } from '../../app/node/engine-lifecycle.js';

class FakeChild extends EventEmitter implements UtilityProcessLike {
  posted: Array<{ message: unknown; transfer?: unknown[] }> = [];
  killed = false;
  postMessage(message: unknown, transfer?: unknown[]): void {
    this.posted.push({ message, transfer });
    const m = message as { kind: string; requestId?: number; folder?: string };
    if (m.kind === 'grant') queueMicrotask(() => this.emit('message', { kind: 'granted', requestId: m.requestId, grant: `g-${m.folder}` }));
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

/** Lets the fakes' queued 'ready' and 'granted' messages, and the restarts they allow, run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(policy = new RestartPolicy()) {
  const children: FakeChild[] = [];
  const page: Array<{ port: unknown; notice: unknown }> = [];
  let n = 0;
  const host = new EngineHost({
    fork: () => {
      const child = new FakeChild();
      children.push(child);
      queueMicrotask(() => child.emit('message', { kind: 'ready', pid: children.length }));
      return child;
    },
    createChannel: () => ({ port1: `page-${n}`, port2: `engine-${n++}` }),
    sendToPage: (port, notice) => page.push({ port, notice }),
    policy,
  });
  return { host, children, page };
}

describe('EngineHost (Electron)', () => {
  it('gives the page one end of a new channel and the engine the other', () => {
    const { host, children, page } = setup();
    host.start();
    host.connectPage();
    expect(children[0].posted).toEqual([{ message: { kind: 'connect' }, transfer: ['engine-0'] }]);
    expect(page).toEqual([{ port: 'page-0', notice: null }]);
  });

  it('restarts a crashed engine and hands the page a new port with a notice, then gives up', async () => {
    const { host, children, page } = setup(new RestartPolicy({ maxRestarts: 2 }));
    host.start();
    await settle();
    children[0].emit('exit', 1);
    await settle();
    expect(children).toHaveLength(2);
    expect(children[1].posted).toEqual([{ message: { kind: 'connect' }, transfer: ['engine-0'] }]);
    expect(page.at(-1)).toEqual({ port: 'page-0', notice: { restarts: 1, gaveUp: false, reason: 'exited with code 1' } });
    children[1].emit('exit', 9);
    await settle();
    expect(page.at(-1)).toMatchObject({ notice: { restarts: 2, gaveUp: false } });
    children[2].emit('exit', 9);
    await settle();
    expect(children).toHaveLength(3);
    expect(page.at(-1)).toEqual({ port: null, notice: { restarts: 3, gaveUp: true, reason: 'exited with code 9' } });
    expect(host.running).toBe(false);
    // a reload asks again: it is told why, not left waiting for a port
    host.connectPage();
    expect(page.at(-1)).toEqual({ port: null, notice: { restarts: 3, gaveUp: true, reason: 'exited with code 9' } });
    expect(page).toHaveLength(4);
  });

  it('tells the page, even one that connects later, when the engine exits before it is ready', async () => {
    const { host, children, page } = setup();
    host.start();
    children[0].removeAllListeners('message'); // its 'ready' never arrives
    children[0].emit('exit', 3);
    await settle();
    host.connectPage();
    const notice = { restarts: 0, gaveUp: true, reason: 'the engine exited with code 3 while starting' };
    expect(page).toEqual([{ port: null, notice }, { port: null, notice }]);
    expect(children).toHaveLength(1);
  });

  it('grants folders through the engine and stops with the window', async () => {
    const { host, children } = setup();
    host.start();
    expect(await host.grantFolder('/home/me/clips')).toBe('g-/home/me/clips');
    const stopped = host.stop();
    expect(children[0].posted.at(-1)).toEqual({ message: { kind: 'shutdown' }, transfer: undefined });
    children[0].emit('exit', 0);
    await stopped;
    await settle();
    expect(children).toHaveLength(1); // a stop is not a crash
    expect(children[0].killed).toBe(false);
    await expect(host.grantFolder('/x')).rejects.toThrow(/not running/);
  });
});
