// The browser host: serves the built renderer on 127.0.0.1 and bridges one page at a
// time to an engine child process over a WebSocket. For the browser tests and for people
// who run Hark headless on another box of theirs (reach it through an SSH tunnel: it never
// listens beyond loopback).
//
// Security: a fresh random token per run, in the printed URL's fragment (so it is never
// sent in an HTTP request line, log or Referer); the page passes it when it opens the
// WebSocket. The upgrade is refused before the handshake (HTTP 401 without the right
// token, 403 when Origin is not exactly this server's) so nothing reaches the engine.
// Whatever a peer does on the wire (resets, forbidden frames, hostile codec frames) ends
// at most its own connection: see dropOnError and ../shared/wire-codec.ts.
// Static files go through the same path checks as Electron's hark:// protocol
// (app/node/app-protocol.ts), with the same CSP plus this server's ws: origin.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { APP_ORIGIN, createAppProtocolHandler } from '../node/app-protocol.js';
import { contentSecurityPolicy } from '../shared/csp.js';
import { ERROR_CODES } from '../shared/protocol.js';
import { protocolErrorMessage } from '../shared/rpc-envelope.js';
import { CLOSE_CODES, ENGINE_SOCKET_PATH, TOKEN_PARAM } from '../shared/websocket-channel.js';
import { decodeFrame, encodeFrame, MAX_FRAME_BYTES } from '../shared/wire-codec.js';
import { EngineSupervisor, type EngineSupervisorOptions } from './engine-supervisor.js';

export interface BrowserHostOptions {
  /** The built renderer (out/renderer). */
  rendererRoot: string;
  engine: Omit<EngineSupervisorOptions, 'stderr'> & { stderr?: EngineSupervisorOptions['stderr'] };
  /** 0 (default): any free port. */
  port?: number;
}

export interface BrowserHost {
  /** Open this in a browser: http://127.0.0.1:<port>/#token=<token> */
  url: string;
  origin: string;
  token: string;
  supervisor: EngineSupervisor;
  close(): Promise<void>;
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(32).toString('hex');
  const supervisor = new EngineSupervisor(options.engine);
  await supervisor.start();

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('connection', dropOnError);
  // After listen(), the server's own errors are failed accepts (EMFILE ...): it goes on listening.
  server.on('error', () => undefined);
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const csp = contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`] });
  const files = createAppProtocolHandler(options.rendererRoot, { csp });

  server.on('request', (req, res) => {
    void (async () => {
      // Same files, same checks as hark://app/ in Electron: map the path onto that URL.
      const path = (req.url ?? '/').split(/[?#]/)[0];
      const response = await files(new Request(`${APP_ORIGIN}${path.startsWith('/') ? path : `/${path}`}`, { method: req.method }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let current: WebSocket | null = null;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuseUpgrade(req, token, origin);
    if (refusal) {
      // Closed once the reply is out, whether or not the peer reads it (as ws refuses).
      socket.once('finish', () => socket.destroy());
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refusal.reason}\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  // Engine → page: encode each message as a binary frame.
  supervisor.channel.addEventListener('message', ({ data }) => {
    if (current?.readyState !== 1) return;
    try {
      current.send(encodeFrame(data));
    } catch {
      // An unencodable message (a bug) must not take the host down.
    }
  });

  function attach(ws: WebSocket): void {
    // One page at a time (a reload replaces the old connection).
    current?.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    current = ws;
    dropOnError(ws);
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        ws.send(encodeFrame(protocolErrorMessage(ERROR_CODES.badMessage, 'text frames are not accepted; send binary frames')));
        return;
      }
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      let message: unknown;
      try {
        message = decodeFrame(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      } catch (err) {
        ws.send(encodeFrame(protocolErrorMessage(ERROR_CODES.badMessage, (err as Error).message)));
        return;
      }
      supervisor.channel.postMessage(message);
    });
    ws.on('close', () => {
      if (current === ws) current = null;
    });
  }

  return {
    url: `${origin}/#${TOKEN_PARAM}=${token}`,
    origin,
    token,
    supervisor,
    async close() {
      current?.close(1001, 'the host is shutting down');
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await supervisor.stop();
    },
  };
}

/**
 * Socket errors, in one place for every socket the host touches (each accepted connection,
 * before it is a request, a refused upgrade or a WebSocket, and each WebSocket): the peer
 * that caused one loses its connection and nothing else happens. Node's server takes its
 * own handler off a socket it hands to 'upgrade', and ws adds one only inside
 * handleUpgrade, so a refused upgrade had none; a WebSocket emits 'error' for every frame
 * RFC 6455 forbids (having queued its close frame). Issue 14.
 */
function dropOnError(socket: Socket | WebSocket): void {
  if (socket instanceof WebSocket) socket.on('error', () => socket.terminate());
  else socket.on('error', () => socket.destroy());
}

/** Why an upgrade request is refused, or null when it may proceed. */
export function refuseUpgrade(req: Pick<IncomingMessage, 'url' | 'headers'>, token: string, origin: string): { status: number; reason: string } | null {
  let url: URL;
  try {
    url = new URL(req.url ?? '', 'http://127.0.0.1');
  } catch {
    return { status: 400, reason: 'Bad Request' };
  }
  if (url.pathname !== ENGINE_SOCKET_PATH) return { status: 404, reason: 'Not Found' };
  const given = url.searchParams.get(TOKEN_PARAM) ?? '';
  const expected = Buffer.from(token);
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { status: 401, reason: 'Unauthorized: missing or wrong token' };
  if (req.headers.origin !== origin) return { status: 403, reason: 'Forbidden: wrong Origin' };
  return null;
}
