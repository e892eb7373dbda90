// The page's one connector (what renderer/src/bridge.ts uses), Electron side: ports arrive
// as window messages (here from real structured-clone MessageChannels to in-process
// engines), a restart swaps the port and hands the UI the new client, a give-up closes
// the connection with the reason. The browser-host side runs against the real host in
// test/app/host/serve.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineService } from '../../../app/engine/service.js';
import { ENGINE_PORT_MESSAGE, createHarkApi, type EngineRestartNotice } from '../../../app/shared/api.js';
import type { MessageChannelLike } from '../../../app/shared/channel.js';
import type { EngineClient } from '../../../app/shared/client.js';
import { connectToEngine, type PageLike, type PortMessageEvent } from '../../../app/shared/engine-connection.js';
import type { WebSocketLike } from '../../../app/shared/websocket-channel.js';

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
  const listeners: Array<(event: PortMessageEvent) => void> = [];
  const page: PageLike = { location: { href, origin: 'hark://app' }, addEventListener: (_type, listener) => void listeners.push(listener) };
  const deliver = (port: unknown | null, notice: EngineRestartNotice | null, from: { source?: unknown; origin?: string } = {}) =>
    listeners.forEach((l) => l({ data: { type: ENGINE_PORT_MESSAGE, notice }, source: from.source ?? page, origin: from.origin ?? 'hark://app', ports: port ? [port] : [] }));
  return { page, deliver };
}

/** An API whose connectEngine makes "main" answer with `port`, as the preload would. */
function electronApi(deliver: (port: unknown | null, notice: EngineRestartNotice | null) => void, port: Promise<MessageChannelLike | null>, notice: EngineRestartNotice | null = null) {
  return createHarkApi('1.2.3', { send: vi.fn(() => void port.then((p) => deliver(p, notice))), invoke: async () => '/granted' });
}

describe('connectToEngine under Electron', () => {
  it('takes the port main sends, and hands over a new client after a restart', async () => {
    const { page, deliver } = fakePage();
    const connection = (await connectToEngine(page, electronApi(deliver, engine('first'))))!;
    const { host, client } = connection;
    cleanup.push(() => client.close());
    expect(host).toBe('electron');
    expect((await client.call('engine.info')).version).toBe('first');
    expect(await connection.pickImportFolder?.()).toBe('/granted');

    // A message from elsewhere (another window or frame, another origin) is ignored.
    deliver(await engine('intruder'), null, { source: {} });
    deliver(await engine('intruder'), null, { origin: 'https://evil.example' });
    expect((await client.call('engine.info')).version).toBe('first');

    const replaced: Array<{ client: EngineClient; notice: EngineRestartNotice | null }> = [];
    connection.onReplaced((fresh, notice) => replaced.push({ client: fresh, notice }));
    const notice = { restarts: 1, gaveUp: false, reason: 'exited with code 1' };
    deliver(await engine('second'), notice);
    expect(replaced).toHaveLength(1);
    expect(replaced[0].notice).toEqual(notice);
    expect((await replaced[0].client.call('engine.info')).version).toBe('second');
    await expect(client.call('engine.info')).rejects.toMatchObject({ code: 'disconnected' });

    const closed: string[] = [];
    connection.onClose((reason) => closed.push(reason));
    deliver(null, { restarts: 4, gaveUp: true, reason: 'exited with code 1' });
    expect(closed).toEqual(['The engine stopped and was not restarted: exited with code 1']);
    await expect(replaced[0].client.call('engine.info')).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('rejects with the reason when main has no engine to give', async () => {
    const { page, deliver } = fakePage();
    const api = electronApi(deliver, Promise.resolve(null), { restarts: 0, gaveUp: true, reason: 'the engine exited with code 3 while starting' });
    await expect(connectToEngine(page, api)).rejects.toMatchObject({
      code: 'engine-unavailable',
      message: 'The engine stopped and was not restarted: the engine exited with code 3 while starting',
    });
  });
});

describe('connectToEngine without a host', () => {
  it('answers null when there is no preload and no token in the URL', async () => {
    const opened = vi.fn();
    const WebSocket = opened as unknown as new (url: string) => WebSocketLike;
    expect(await connectToEngine(fakePage('http://127.0.0.1:1/').page, null, { WebSocket })).toBeNull();
    expect(await connectToEngine(fakePage('http://127.0.0.1:1/#token=short').page, null, { WebSocket })).toBeNull();
    expect(opened).not.toHaveBeenCalled();
  });
});
