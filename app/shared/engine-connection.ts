// The page's one connector to the engine, whichever host served it: renderer/src/bridge.ts
// calls connectToEngine(window, getHarkApi()), and nothing else in the UI can tell
// Electron from the browser host.
//
//  - Electron (the preload's `window.hark` is there): ask main for a port, take it from
//    the ENGINE_PORT_MESSAGE window message of our own window and origin, talk to the
//    engine over it. After an engine crash main sends a fresh port with a notice: the old
//    client is closed and onReplaced gets the new one; when main gives up, onClose.
//  - Browser host (a page served by `npm run serve`, token in the URL fragment): a
//    WebSocket to the same server; the host restarts the engine behind it and sends
//    'host.engine-restarted' on the same connection; a closed socket is onClose.
//
// Shared with the renderer: window, MessagePort and WebSocket are described structurally,
// so this module imports neither DOM nor Node types, and tests run it in Node.

import { isEnginePortMessage, type EngineRestartNotice, type HarkApi } from './api.js';
import type { MessageChannelLike } from './channel.js';
import { createEngineClient, type ClientOptions, type EngineClient } from './client.js';
import { EngineError } from './engine-error.js';
import { ERROR_CODES } from './protocol.js';
import { createWebSocketChannel, engineSocketUrl, type WebSocketLike } from './websocket-channel.js';

/** The window message the preload posts; `ports[0]` is the engine's port. */
export interface PortMessageEvent {
  readonly data: unknown;
  readonly source: unknown;
  readonly origin: string;
  readonly ports: readonly unknown[];
}

/** The parts of the page's window used here. */
export interface PageLike {
  readonly location: { readonly href: string; readonly origin: string };
  addEventListener(type: 'message', listener: (event: PortMessageEvent) => void): void;
}

export interface ConnectOptions extends ClientOptions {
  /** The WebSocket constructor (default: the global one; tests pass ws's). */
  WebSocket?: new (url: string) => WebSocketLike;
}

export interface EngineConnection {
  client: EngineClient;
  host: 'electron' | 'browser';
  /** Called once when the connection is lost for good, with a sentence for the user. */
  onClose(handler: (reason: string) => void): void;
  /** Electron: main restarted the engine and sent a fresh port; the old client is closed. */
  onReplaced(handler: (client: EngineClient, notice: EngineRestartNotice | null) => void): void;
  /** Electron's folder dialog (a grant for dataset.importFolder), or null in a browser. */
  pickImportFolder: (() => Promise<string | null>) | null;
}

/** What the user reads when the host gave up restarting the engine. */
export const gaveUpReason = (notice: Pick<EngineRestartNotice, 'reason'>): string => `The engine stopped and was not restarted: ${notice.reason}`;

/** Connects to the engine of whichever host served the page, or null when there is none. */
export function connectToEngine(page: PageLike, api: HarkApi | null, options: ConnectOptions = {}): Promise<EngineConnection | null> {
  if (api) return connectThroughElectron(page, api, options);
  // The browser host (`npm run serve`) puts this run's token in the page URL's fragment.
  const url = engineSocketUrl(page.location.href);
  const WebSocketCtor = options.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!url || !WebSocketCtor) return Promise.resolve(null);
  return connectThroughBrowserHost(new WebSocketCtor(url), options);
}

function connectThroughElectron(page: PageLike, api: HarkApi, options: ClientOptions): Promise<EngineConnection> {
  const closeHandlers: Array<(reason: string) => void> = [];
  const replaceHandlers: Array<(client: EngineClient, notice: EngineRestartNotice | null) => void> = [];
  let client: EngineClient | null = null;
  return new Promise((resolve, reject) => {
    page.addEventListener('message', (event) => {
      // Only the preload's message to this very window, checked rather than trusted.
      if (event.source !== page || event.origin !== page.location.origin || !isEnginePortMessage(event.data)) return;
      const port = event.ports[0] as MessageChannelLike | undefined;
      const notice = event.data.notice;
      if (!port) {
        if (!notice?.gaveUp) return;
        client?.close();
        if (client === null) reject(new EngineError(ERROR_CODES.engineUnavailable, gaveUpReason(notice)));
        for (const h of closeHandlers) h(gaveUpReason(notice));
        return;
      }
      const fresh = createEngineClient(port, options);
      if (client === null) {
        client = fresh;
        resolve({
          client: fresh,
          host: 'electron',
          onClose: (h) => void closeHandlers.push(h),
          onReplaced: (h) => void replaceHandlers.push(h),
          pickImportFolder: () => api.pickImportFolder(),
        });
      } else {
        client.close();
        client = fresh;
        for (const h of replaceHandlers) h(fresh, notice);
      }
    });
    api.connectEngine();
  });
}

async function connectThroughBrowserHost(socket: WebSocketLike, options: ClientOptions): Promise<EngineConnection> {
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new EngineError(ERROR_CODES.engineUnavailable, 'Could not reach the engine of the browser host.')));
  });
  const client = createEngineClient(createWebSocketChannel(socket), options);
  const closeHandlers: Array<(reason: string) => void> = [];
  socket.addEventListener('close', () => {
    client.close();
    for (const h of closeHandlers) h('The connection to the engine was lost.');
  });
  return {
    client,
    host: 'browser',
    onClose: (h) => void closeHandlers.push(h),
    onReplaced: () => undefined,
    pickImportFolder: null,
  };
}
