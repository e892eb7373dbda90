// The browser host's transport: a WebSocket wrapped into the MessagePort-like channel the
// engine client takes, so the UI cannot tell it from Electron's MessagePort except
// through the one adapter that picks it. Every message is one binary frame of
// ./wire-codec.ts (typed arrays travel as raw bytes).
//
// Shared with the renderer: the socket is described structurally (the DOM WebSocket and
// the `ws` package both fit), so there is no DOM or Node import.

import type { MessageChannelLike, MessageListener } from './channel.js';
import { decodeFrame, encodeFrame } from './wire-codec.js';
import { ERROR_CODES } from './protocol.js';
import { protocolErrorMessage } from './rpc-envelope.js';

/** The query parameter and URL fragment key that carry the per-run token. */
export const TOKEN_PARAM = 'token';
/** The WebSocket path of the browser host. */
export const ENGINE_SOCKET_PATH = '/engine';

/** Close codes the browser host uses besides the standard ones. */
export const CLOSE_CODES = { replaced: 4000, engineGone: 4001 } as const;

export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: (event: unknown) => void): void;
}

const OPEN = 1;
const CONNECTING = 0;

/** The engine's WebSocket URL for a page the browser host served (token from the page's #token=…), or null. */
export function engineSocketUrl(pageHref: string): string | null {
  let page: URL;
  try {
    page = new URL(pageHref);
  } catch {
    return null;
  }
  if (page.protocol !== 'http:') return null;
  const token = new URLSearchParams(page.hash.replace(/^#/, '')).get(TOKEN_PARAM);
  if (!token || !/^[0-9a-f]{64}$/.test(token)) return null;
  return `ws://${page.host}${ENGINE_SOCKET_PATH}?${TOKEN_PARAM}=${token}`;
}

export function createWebSocketChannel(socket: WebSocketLike): MessageChannelLike {
  socket.binaryType = 'arraybuffer';
  const listeners = new Set<MessageListener>();
  const queued: Uint8Array[] = [];
  const deliver = (data: unknown) => {
    for (const listener of listeners) listener({ data });
  };

  socket.addEventListener('open', () => {
    for (const frame of queued.splice(0)) socket.send(frame);
  });
  socket.addEventListener('message', (event) => {
    const raw = event.data;
    const bytes = raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw instanceof Uint8Array ? raw : null;
    try {
      if (bytes === null) throw new Error('text frame');
      deliver(decodeFrame(bytes));
    } catch (err) {
      deliver(protocolErrorMessage(ERROR_CODES.badMessage, `unreadable frame from the host: ${(err as Error).message}`));
    }
  });

  return {
    postMessage(data) {
      const frame = encodeFrame(data);
      if (socket.readyState === OPEN) socket.send(frame);
      else if (socket.readyState === CONNECTING) queued.push(frame);
      // Closing or closed: dropped; the client's pending calls time out or are closed by the UI.
    },
    addEventListener: (_type, listener) => void listeners.add(listener),
    removeEventListener: (_type, listener) => void listeners.delete(listener),
    close: () => socket.close(1000, 'closed by the page'),
  };
}
