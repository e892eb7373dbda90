// The browser host: static files with the app's CSP, the WebSocket's token and Origin
// checks, and the whole engine flow over the WebSocket (the same scenarios the forked
// engine runs), with typed arrays intact through the binary frame codec.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserHost, type BrowserHost } from '../../../app/host/serve.js';
import { createEngineClient, type EngineClient } from '../../../app/shared/client.js';
import { createWebSocketChannel, engineSocketUrl, type WebSocketLike } from '../../../app/shared/websocket-channel.js';
import { connectToEngine } from '../../../app/shared/engine-connection.js';
import { encodeFrame } from '../../../app/shared/wire-codec.js';
import { ENGINE_SOURCE } from '../engine/engine-harness.js';
import { cancelAndResume, trainExportImportListen } from '../engine/scenarios.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function startHost(): Promise<BrowserHost> {
  const dir = await mkdtemp(join(tmpdir(), 'hark-serve-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const rendererRoot = join(dir, 'renderer');
  await mkdir(join(rendererRoot, 'assets'), { recursive: true });
  await writeFile(join(rendererRoot, 'index.html'), '<!doctype html><title>Hark</title>');
  await writeFile(join(rendererRoot, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
  const host = await startBrowserHost({
    rendererRoot,
    engine: { enginePath: ENGINE_SOURCE, execArgv: ['--import', 'tsx'], dataDir: join(dir, 'data'), version: '0.0.0-serve' },
  });
  cleanup.push(() => host.close());
  return host;
}

/** Resolves with the HTTP status of a refused upgrade, or 101 if it was accepted. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

async function connect(host: BrowserHost): Promise<EngineClient> {
  const url = engineSocketUrl(host.url);
  expect(url).not.toBeNull();
  const ws = new WebSocket(url!, { origin: host.origin });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const client = createEngineClient(createWebSocketChannel(ws as unknown as WebSocketLike), { timeoutMs: 120_000 });
  cleanup.push(async () => {
    client.close();
    ws.close();
  });
  return client;
}

describe('browser host (npm run serve)', () => {
  it('serves the renderer on 127.0.0.1 with the CSP, its ws: origin and nothing outside the folder', async () => {
    const host = await startHost();
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    const page = await fetch(`${host.origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Hark</title>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${new URL(host.origin).port}`);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval';");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${host.origin}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/nope.js']) {
      expect((await fetch(`${host.origin}${path}`)).status, path).toBe(404);
    }
  });

  it('refuses WebSockets without the token, with a wrong token or from another Origin', async () => {
    const host = await startHost();
    const good = engineSocketUrl(host.url)!;
    const base = good.replace(/\?.*$/, '');
    expect(await upgradeStatus(base, host.origin)).toBe(401);
    expect(await upgradeStatus(`${base}?token=${'0'.repeat(64)}`, host.origin)).toBe(401);
    expect(await upgradeStatus(`${base}?token=${host.token.slice(0, 10)}`, host.origin)).toBe(401);
    expect(await upgradeStatus(good, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(good, `http://localhost:${new URL(host.origin).port}`)).toBe(403);
    expect(await upgradeStatus(good, undefined)).toBe(403);
    expect(await upgradeStatus(good.replace('/engine', '/other'), host.origin)).toBe(404);
    expect(await upgradeStatus(good, host.origin)).toBe(101);
  });

  it('answers malformed frames with typed errors and keeps serving', async () => {
    const host = await startHost();
    const ws = new WebSocket(engineSocketUrl(host.url)!, { origin: host.origin });
    await new Promise((resolve) => ws.once('open', resolve));
    cleanup.push(async () => ws.close());
    const client = createEngineClient(createWebSocketChannel(ws as unknown as WebSocketLike));
    const errors: string[] = [];
    client.on('protocol.error', (e) => errors.push(e.error.code));
    ws.send('not binary');
    ws.send(new Uint8Array([1, 2, 3]));
    // Two buffer-table entries over the same bytes: refused by the host, never passed on.
    const header = new TextEncoder().encode(JSON.stringify({ m: { t: 'q', m: 'engine.info', a: [{ x: { $bin: 0 }, y: { $bin: 1 } }] }, b: [['u8', 0, 8], ['u8', 0, 8]] }));
    const overlapping = new Uint8Array(((8 + header.length + 7) & ~7) + 8);
    overlapping.set([0x48, 0x52, 0x4b, 0x31]);
    new DataView(overlapping.buffer).setUint32(4, header.length, true);
    overlapping.set(header, 8);
    ws.send(overlapping);
    ws.send(encodeFrame({ t: 'q', m: 'engine.info', a: [{ extra: 1 }] }));
    expect((await client.call('engine.info')).host).toBe('node');
    expect(errors).toEqual(['bad-message', 'bad-message', 'bad-message', 'bad-arguments']);
  });

  it('is what the page connector picks when there is no preload and the URL carries the token', async () => {
    const host = await startHost();
    // A browser sends its page's Origin by itself; ws needs to be told.
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string) {
        super(url, { origin: host.origin });
      }
    }
    const page = { location: { href: host.url, origin: host.origin }, addEventListener: () => undefined };
    const open = () => connectToEngine(page, null, { WebSocket: BrowserLikeWebSocket as unknown as new (url: string) => WebSocketLike });
    const connection = (await open())!;
    const { host: kind, client } = connection;
    cleanup.push(async () => client.close());
    expect(kind).toBe('browser');
    expect(connection.pickImportFolder).toBeNull();
    const before = await client.call('engine.info');
    expect(before).toMatchObject({ host: 'node', version: '0.0.0-serve' });

    // The host restarts a crashed engine behind the same connection and says so on it.
    const restarted = new Promise((resolve) => client.on('host.engine-restarted', resolve));
    host.supervisor.kill();
    expect(await restarted).toMatchObject({ restarts: 1, gaveUp: false, reason: 'killed by SIGKILL' });
    expect((await client.call('engine.info')).pid).not.toBe(before.pid);

    // A newer page takes the host over: the old connection closes with a sentence for the user.
    const closed = new Promise((resolve) => connection.onClose(resolve));
    const newer = (await open())!;
    cleanup.push(async () => newer.client.close());
    expect(await closed).toBe('The connection to the engine was lost.');
    await expect(client.call('engine.info')).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('runs the engine flow over the WebSocket: dataset, training, report, export, import, live audio', async () => {
    const client = await connect(await startHost());
    const info = await client.call('engine.info');
    expect(info).toMatchObject({ host: 'node', version: '0.0.0-serve' });
    await trainExportImportListen(client);
  }, 300_000);

  it('cancels and resumes training over the WebSocket', async () => {
    await cancelAndResume(await connect(await startHost()));
  }, 300_000);
});
