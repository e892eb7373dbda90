// The browser host against peers that misbehave on the wire (issue 14): upgrade requests
// that are reset instead of read, WebSocket frames the protocol forbids, connections cut
// at every stage. None of them may end the host; afterwards it still serves the page and
// the engine. The host runs in a process of its own (./host-process.ts), so that a fault
// ends it exactly as it would end `npm run serve`; the raw sockets here speak HTTP and
// WebSocket framing by hand, which is how such peers look.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEngineClient } from '../../../app/shared/client.js';
import { createWebSocketChannel, engineSocketUrl, type WebSocketLike } from '../../../app/shared/websocket-channel.js';
import { encodeFrame, MAX_FRAME_BYTES } from '../../../app/shared/wire-codec.js';

const FIXTURE = join(import.meta.dirname, 'host-process.ts');

interface HostProcess {
  url: string;
  origin: string;
  token: string;
  port: number;
  /** What the host wrote to stderr (an uncaught error's stack, when it died of one). */
  stderr(): string;
  /** SIGTERM, and what the process exited with: { code: 0, signal: null } unless it had already died. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function startHostProcess(): Promise<HostProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'hark-serve-faults-'));
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const status = await exited;
    await rm(dir, { recursive: true, force: true });
    return status;
  };
  cleanup.push(async () => void (await stop()));
  const ready = await new Promise<{ url: string; origin: string; token: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const newline = stdout.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(stdout.slice(0, newline)) as { url: string; origin: string; token: string });
    });
    void exited.then(({ code, signal }) => reject(new Error(`the host exited while starting (${code ?? signal}):\n${stderr}`)));
  });
  return { ...ready, port: Number(new URL(ready.origin).port), stderr: () => stderr, stop };
}

/** The page and the engine both still answer. */
async function expectServing(host: HostProcess): Promise<void> {
  const page = await fetch(`${host.origin}/`).catch((err: Error) => {
    throw hostGone(host, err.message);
  });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<title>Hark</title>');
  const ws = new WebSocket(engineSocketUrl(host.url)!, { origin: host.origin });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const client = createEngineClient(createWebSocketChannel(ws as unknown as WebSocketLike), { timeoutMs: 60_000 });
  try {
    expect(await client.call('engine.info')).toMatchObject({ host: 'node', version: '0.0.0-faults' });
  } finally {
    client.close();
  }
}

// ---------------------------------------------------------------------------------------
// A hand-made peer

type Request = 'good' | 'no token' | 'wrong token' | 'wrong origin' | 'h2c';
const REQUESTS: Request[] = ['good', 'no token', 'wrong token', 'wrong origin', 'h2c'];

function upgradeRequest(host: HostProcess, kind: Request): string {
  const lines =
    kind === 'h2c'
      ? ['GET / HTTP/1.1', 'Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA']
      : [
          `GET /engine${kind === 'no token' ? '' : `?token=${kind === 'wrong token' ? 'f'.repeat(64) : host.token}`} HTTP/1.1`,
          `Origin: ${kind === 'wrong origin' ? 'http://evil.example' : host.origin}`,
          'Connection: Upgrade',
          'Upgrade: websocket',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
        ];
  return [...lines, `Host: 127.0.0.1:${host.port}`, '', ''].join('\r\n');
}

function hostGone(host: HostProcess, why: string): Error {
  return new Error(`the host is gone (${why}); its stderr:\n${host.stderr()}`);
}

async function openSocket(host: HostProcess): Promise<Socket> {
  const socket = connect(host.port, '127.0.0.1');
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) => reject(hostGone(host, err.message)));
  });
  // From here the host may cut us off at any point: that is its right, and no failure.
  socket.on('error', () => undefined);
  return socket;
}

/** Everything up to the end of the reply's head ('' if the connection closed first). */
function replyHead(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) done();
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('close', done);
      resolve(text.slice(0, text.indexOf('\r\n\r\n') + 4));
    };
    socket.on('data', onData);
    socket.once('close', done);
  });
}

/** Sends an upgrade request and waits for the reply: the socket, and the reply's status. */
async function upgrade(host: HostProcess, kind: Request): Promise<{ socket: Socket; status: number }> {
  const socket = await openSocket(host);
  const head = replyHead(socket);
  socket.write(upgradeRequest(host, kind));
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(await head)?.[1];
  if (status === undefined) throw hostGone(host, `no reply to a ${kind} upgrade request`);
  return { socket, status: Number(status) };
}

/** Resolves once the host has closed the connection. */
function closedByHost(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
    socket.resume();
  });
}

/** A client frame: first byte (FIN, RSV, opcode), payload, masked unless told otherwise. */
function clientFrame(first: number, payload: Uint8Array, masked = true): Uint8Array {
  const length = payload.length < 126 ? [payload.length] : payload.length < 65536 ? [126, payload.length >> 8, payload.length & 0xff] : null;
  if (!length) throw new Error('use a declared length for longer payloads');
  const mask = [0x12, 0x34, 0x56, 0x78];
  const body = masked ? payload.map((b, i) => b ^ mask[i % 4]) : payload;
  return Uint8Array.from([first, (masked ? 0x80 : 0) | length[0], ...length.slice(1), ...(masked ? mask : []), ...body]);
}

/** The head of a masked binary frame that declares a 64-bit payload length (nothing follows). */
function declaredLength(length: bigint): Uint8Array {
  const head = new Uint8Array(14);
  head.set([0x82, 0x80 | 127]);
  new DataView(head.buffer).setBigUint64(2, length);
  head.set([1, 2, 3, 4], 10);
  return head;
}

/** Frames RFC 6455 forbids (or the host's limits refuse): each one fails the connection. */
const MALFORMED: Record<string, Uint8Array> = {
  unmasked: clientFrame(0x82, Uint8Array.of(1, 2, 3), false),
  'reserved opcode': clientFrame(0x83, Uint8Array.of(1, 2, 3)),
  'RSV1 without an extension': clientFrame(0xc2, Uint8Array.of(1, 2, 3)),
  'length past 2^53': declaredLength(0xffff_ffff_ffff_ffffn),
  'length past maxPayload': declaredLength(BigInt(MAX_FRAME_BYTES) + 1n),
  'fragmented ping': clientFrame(0x09, Uint8Array.of(1)),
  'ping over 125 bytes': clientFrame(0x89, new Uint8Array(126)),
  'continuation of nothing': clientFrame(0x80, Uint8Array.of(1)),
  'text that is not UTF-8': clientFrame(0x81, Uint8Array.of(0xc3, 0x28)),
  'close with a reserved code': clientFrame(0x88, Uint8Array.of(0x03, 0xe7)),
};

/** A well-formed request frame, to be cut short. */
const GOOD_FRAME = clientFrame(0x82, encodeFrame({ t: 'q', i: 'x', m: 'engine.info', a: [] }));

/** Runs fn(0..n-1), `width` at a time. */
async function repeat(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

describe('browser host under faulty peers', () => {
  it('survives refused upgrade requests (no token, wrong token, wrong Origin, h2c) reset without reading the refusal', async () => {
    const host = await startHostProcess();
    for (const kind of REQUESTS.filter((k) => k !== 'good')) {
      // RST instead of FIN, racing the refusal: the host's write or read fails...
      for (let i = 0; i < 50; i++) {
        const socket = await openSocket(host);
        socket.write(upgradeRequest(host, kind));
        socket.resetAndDestroy();
      }
      // ... or right after the refusal arrived.
      const { socket, status } = await upgrade(host, kind);
      expect(status, kind).toBeGreaterThanOrEqual(400);
      socket.resetAndDestroy();
    }
    await expectServing(host);
    expect(await host.stop()).toEqual({ code: 0, signal: null });
  });

  it('survives each malformed WebSocket frame by closing that connection', async () => {
    const host = await startHostProcess();
    for (const [name, frame] of Object.entries(MALFORMED)) {
      const { socket, status } = await upgrade(host, 'good');
      expect(status, name).toBe(101);
      socket.write(frame);
      await closedByHost(socket);
    }
    await expectServing(host);
    expect(await host.stop()).toEqual({ code: 0, signal: null });
  });

  it('survives 1,000 abrupt disconnects at every stage and 1,000 malformed frames, and still serves the page and the engine', async () => {
    const host = await startHostProcess();
    const malformed = Object.values(MALFORMED);
    const width = 8;

    // Before the upgrade reply: reset as soon as all or part of the request is written.
    await repeat(1000, width, async (i) => {
      const socket = await openSocket(host);
      const request = upgradeRequest(host, REQUESTS[i % REQUESTS.length]);
      socket.write(i % 2 ? request : request.slice(0, i % request.length));
      socket.resetAndDestroy();
    });
    // After the reply (101 or a refusal).
    await repeat(1000, width, async (i) => {
      const kind = REQUESTS[i % REQUESTS.length];
      const { socket, status } = await upgrade(host, kind);
      if (kind === 'good') expect(status).toBe(101);
      else expect(status).toBeGreaterThanOrEqual(400);
      socket.resetAndDestroy();
    });
    // Mid-frame: a request frame cut after any of its bytes but the last.
    await repeat(1000, width, async (i) => {
      const { socket, status } = await upgrade(host, 'good');
      expect(status).toBe(101);
      socket.write(GOOD_FRAME.subarray(0, 1 + (i % (GOOD_FRAME.length - 1))));
      socket.resetAndDestroy();
    });
    // Malformed frames: half wait for the host to close the connection, half reset at once.
    await repeat(1000, width, async (i) => {
      const { socket, status } = await upgrade(host, 'good');
      expect(status).toBe(101);
      socket.write(malformed[i % malformed.length]);
      if (i % 2) socket.resetAndDestroy();
      else await closedByHost(socket);
    });

    await expectServing(host);
    expect(await host.stop()).toEqual({ code: 0, signal: null });
  });
});
