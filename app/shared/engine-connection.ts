// The one adapter that knows which host the page runs under. The UI's bridge calls
// connectToEngine(window, api) and gets an EngineClient; nothing else in the UI can tell
// Electron from the browser host.
//
//  - Electron (the preload's `window.hark` is there): ask main for a port, take it from
//    the ENGINE_PORT_MESSAGE window message, talk to the engine over it. After an engine
//    crash main sends a new port with a notice: the client switches to it (calls in flight
//    on the dead port fail with 'disconnected') and emits 'host.engine-restarted'.
//  - Browser host (a page served by `npm run serve`, token in the URL fragment): a
//    WebSocket to the same server; the host itself restarts the engine behind it and
//    sends 'host.engine-restarted'.
//
// Shared with the renderer: window, MessagePort and WebSocket are described structurally,
// so this module imports neither DOM nor Node types.

import { isEnginePortMessage, type HarkApi } from './api.js';
import type { MessageChannelLike } from './channel.js';
import { createEngineClient, type ClientOptions, type EngineClient } from './client.js';
import { EngineError } from './engine-error.js';
import type { EngineEvent } from './protocol.js';
import { createWebSocketChannel, engineSocketUrl, type WebSocketLike } from './websocket-channel.js';

export interface PageLike {
  readonly location: { readonly href: string };
  addEventListener(type: 'message', listener: (event: { data: unknown; source: unknown; ports: readonly unknown[] }) => void): void;
}

export interface ConnectOptions extends ClientOptions {
  /** The browser's WebSocket constructor (tests pass ws's). */
  WebSocket?: new (url: string) => WebSocketLike;
}

export interface EngineConnection {
  host: 'electron' | 'browser';
  client: EngineClient;
}

/** Connects to the engine through whichever host served the page; rejects with EngineError('no-host') when neither is there. */
export function connectToEngine(page: PageLike, api: HarkApi | null, options: ConnectOptions = {}): Promise<EngineConnection> {
  if (api) return connectThroughElectron(page, api, options);
  const url = engineSocketUrl(page.location.href);
  const WebSocketCtor = options.WebSocket ?? (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (url && WebSocketCtor) {
    const client = createEngineClient(createWebSocketChannel(new WebSocketCtor(url)), options);
    return Promise.resolve({ host: 'browser', client });
  }
  return Promise.reject(new EngineError('no-host', 'Hark’s engine is not reachable: open the app, or the URL `npm run serve` printed (with its #token)'));
}

function connectThroughElectron(page: PageLike, api: HarkApi, options: ClientOptions): Promise<EngineConnection> {
  const client = new SwitchableClient(options);
  return new Promise((resolve) => {
    page.addEventListener('message', (event) => {
      // Only the preload's message to this very window, checked rather than trusted.
      if (event.source !== page || !isEnginePortMessage(event.data)) return;
      const port = event.ports[0] as MessageChannelLike | undefined;
      const notice = event.data.notice;
      if (port) client.use(port);
      else client.detach();
      if (notice) client.dispatch({ type: 'host.engine-restarted', ...notice });
      if (port) resolve({ host: 'electron', client });
    });
    api.connectEngine();
  });
}

/** An EngineClient whose channel can be replaced (a restarted engine), keeping its subscribers. */
class SwitchableClient implements EngineClient {
  private inner: EngineClient | null = null;
  private readonly handlers = new Set<(event: EngineEvent) => void>();

  constructor(private readonly options: ClientOptions) {}

  use(port: MessageChannelLike): void {
    this.inner?.close();
    this.inner = createEngineClient(port, this.options);
    this.inner.onAny((event) => this.dispatch(event));
  }

  detach(): void {
    this.inner?.close();
    this.inner = null;
  }

  dispatch(event: EngineEvent): void {
    for (const handler of this.handlers) handler(event);
  }

  call: EngineClient['call'] = (method, ...params) => {
    if (!this.inner) return Promise.reject(new EngineError('engine-unavailable', 'the engine is not running'));
    return this.inner.call(method, ...params);
  };

  send: EngineClient['send'] = (method, ...params) => {
    this.inner?.send(method, ...params);
  };

  on: EngineClient['on'] = (type, handler) =>
    this.onAny((event) => {
      if (event.type === type) handler(event as never);
    });

  onAny(handler: (event: EngineEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  close(): void {
    this.detach();
  }
}
