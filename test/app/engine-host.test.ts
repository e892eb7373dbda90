// Electron's engine host with fake utility processes: a port pair per page connection,
// restart after a crash with a notice to the page, bounded restarts, folder grants, stop.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EngineHost, type UtilityProcessLike } from '../../app/main/engine-host.js';
import { RestartPolicy } from '../../app/host/restart-policy.js';

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

function setup(policy = new RestartPolicy()) {
  const children: FakeChild[] = [];
  const page: Array<{ port: unknown; notice: unknown }> = [];
  let n = 0;
  const host = new EngineHost({
    fork: () => {
      const child = new FakeChild();
      children.push(child);
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

  it('restarts a crashed engine and hands the page a new port with a notice, then gives up', () => {
    const { host, children, page } = setup(new RestartPolicy({ maxRestarts: 2 }));
    host.start();
    children[0].emit('exit', 1);
    expect(children).toHaveLength(2);
    expect(page.at(-1)).toEqual({ port: 'page-0', notice: { restarts: 1, gaveUp: false, reason: 'the engine exited with code 1' } });
    children[1].emit('exit', 9);
    expect(page.at(-1)).toMatchObject({ notice: { restarts: 2, gaveUp: false } });
    children[2].emit('exit', 9);
    expect(children).toHaveLength(3);
    expect(page.at(-1)).toEqual({ port: null, notice: { restarts: 3, gaveUp: true, reason: 'the engine exited with code 9' } });
    expect(host.running).toBe(false);
  });

  it('grants folders through the engine and stops with the window', async () => {
    const { host, children } = setup();
    host.start();
    expect(await host.grantFolder('/home/me/clips')).toBe('g-/home/me/clips');
    host.stop();
    expect(children[0].posted.at(-1)).toEqual({ message: { kind: 'shutdown' }, transfer: undefined });
    children[0].emit('exit', 0);
    expect(children).toHaveLength(1); // a stop is not a crash
    await expect(host.grantFolder('/x')).rejects.toThrow(/not running/);
  });
});
