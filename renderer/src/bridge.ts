// The only renderer module that touches the host: `window.hark` (Electron's preload; ESLint
// enforces that nothing else reads it) or, in a plain browser, the browser host's
// WebSocket (`npm run serve`). Both become one EngineClient (app/shared/client.ts), so
// the rest of the UI never knows which host it runs under.
//
// It checks what it finds instead of trusting it and answers null when there is no engine
// (a page opened without a host), so the UI can say so rather than crash.

import { HARK_API_KEY, isHarkApi, type HarkApi } from '../../app/shared/api.js';
import type { MessageChannelLike, MessageListener } from '../../app/shared/channel.js';
import { createEngineClient, type EngineClient } from '../../app/shared/client.js';
import { decodeFrame, encodeFrame } from '../../app/shared/wire-codec.js';

export function getHarkApi(): HarkApi | null {
  const candidate: unknown = (window as unknown as Record<string, unknown>)[HARK_API_KEY];
  return isHarkApi(candidate) ? candidate : null;
}

/** What a host may add to the API to hand the page a MessagePort to the engine. */
interface PortProvider {
  connectEngine(): Promise<MessagePort>;
}

function portProvider(api: HarkApi | null): PortProvider | null {
  const f: unknown = (api as unknown as { connectEngine?: unknown } | null)?.connectEngine;
  return typeof f === 'function' ? { connectEngine: () => (f as () => Promise<MessagePort>).call(api) } : null;
}

/** The browser host's token: from the page URL (`?token=` or `#token=`), the host puts it there. */
function browserHostToken(): string | null {
  const fromQuery = new URLSearchParams(location.search).get('token');
  if (fromQuery) return fromQuery;
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  return fromHash || null;
}

/** A WebSocket as a MessagePort-like channel, framing each message with the wire codec. */
export function webSocketChannel(socket: WebSocket): MessageChannelLike {
  socket.binaryType = 'arraybuffer';
  const listeners = new Map<MessageListener, (e: MessageEvent) => void>();
  return {
    postMessage(data) {
      if (socket.readyState === WebSocket.OPEN) socket.send(encodeFrame(data));
    },
    addEventListener(_type, listener) {
      const wrapped = (e: MessageEvent): void => {
        if (!(e.data instanceof ArrayBuffer)) return;
        let data: unknown;
        try { data = decodeFrame(new Uint8Array(e.data)); } catch { return; }
        listener({ data });
      };
      listeners.set(listener, wrapped);
      socket.addEventListener('message', wrapped);
    },
    removeEventListener(_type, listener) {
      const wrapped = listeners.get(listener);
      if (wrapped) socket.removeEventListener('message', wrapped);
      listeners.delete(listener);
    },
    close() { socket.close(); },
  };
}

export interface EngineConnection {
  client: EngineClient;
  host: 'electron' | 'browser';
  /** Called once when the connection is lost. */
  onClose(handler: () => void): void;
}

/** Connects to the engine of whichever host serves the page, or null when there is none. */
export async function connectEngine(): Promise<EngineConnection | null> {
  const api = getHarkApi();
  const provider = portProvider(api);
  if (provider) {
    const port = await provider.connectEngine();
    const client = createEngineClient(port);
    return { client, host: 'electron', onClose: () => undefined };
  }
  const token = browserHostToken();
  if (!token || (location.protocol !== 'http:' && location.protocol !== 'https:')) return null;
  const url = new URL('engine', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = `?token=${encodeURIComponent(token)}`;
  url.hash = '';
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('could not reach the engine')), { once: true });
  });
  const client = createEngineClient(webSocketChannel(socket));
  return {
    client,
    host: 'browser',
    onClose: (handler) => socket.addEventListener('close', () => { client.close(); handler(); }, { once: true }),
  };
}
