// The page's one host adapter, Electron side: ports arrive as window messages (here from
// real structured-clone MessageChannels to in-process engines), a restart swaps the port
// and tells the UI, a give-up leaves calls failing with a typed error.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineService } from '../../../app/engine/service.js';
import { ENGINE_PORT_MESSAGE, createHarkApi, type EngineRestartNotice } from '../../../app/shared/api.js';
import type { MessageChannelLike } from '../../../app/shared/channel.js';
import { connectToEngine, type PageLike } from '../../../app/shared/engine-connection.js';
import type { EngineEvent } from '../../../app/shared/protocol.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function engine(version: string): Promise<MessageChannelLike> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hark-conn-'));
  const service = new EngineService({ dataDir, host: 'electron', version });
  const { port1, port2 } = new MessageChannel();
  service.connect(port2 as unknown as MessageChannelLike);
  cleanup.push(async () => {
    await service.shutdown();
    port1.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return port1 as unknown as MessageChannelLike;
}

function fakePage(href = 'hark://app/index.html') {
  const listeners: Array<(event: { data: unknown; source: unknown; ports: readonly unknown[] }) => void> = [];
  const page: PageLike = { location: { href }, addEventListener: (_type, listener) => void listeners.push(listener) };
  const deliver = (port: unknown | null, notice: EngineRestartNotice | null, source: unknown = page) =>
    listeners.forEach((l) => l({ data: { type: ENGINE_PORT_MESSAGE, notice }, source, ports: port ? [port] : [] }));
  return { page, deliver };
}

describe('connectToEngine under Electron', () => {
  it('takes the port main sends, and switches to a new one after a restart', async () => {
    const { page, deliver } = fakePage();
    const api = createHarkApi('1.2.3', { send: vi.fn(() => queueMicrotask(() => void first.then((p) => deliver(p, null)))), invoke: async () => null });
    const first = engine('first');
    const { host, client } = await connectToEngine(page, api);
    cleanup.push(() => client.close());
    expect(host).toBe('electron');
    expect((await client.call('engine.info')).version).toBe('first');

    // A message from elsewhere (another window, a frame) is ignored.
    deliver(await engine('intruder'), null, {});
    expect((await client.call('engine.info')).version).toBe('first');

    const events: EngineEvent[] = [];
    client.onAny((e) => events.push(e));
    deliver(await engine('second'), { restarts: 1, gaveUp: false, reason: 'the engine exited with code 1' });
    expect(events).toEqual([{ type: 'host.engine-restarted', restarts: 1, gaveUp: false, reason: 'the engine exited with code 1' }]);
    expect((await client.call('engine.info')).version).toBe('second');

    deliver(null, { restarts: 4, gaveUp: true, reason: 'the engine exited with code 1' });
    expect(events.at(-1)).toMatchObject({ gaveUp: true });
    await expect(client.call('engine.info')).rejects.toMatchObject({ code: 'engine-unavailable' });
  });

  it('says clearly when there is no host', async () => {
    await expect(connectToEngine(fakePage('http://127.0.0.1:1/').page, null)).rejects.toMatchObject({ code: 'no-host' });
  });
});
