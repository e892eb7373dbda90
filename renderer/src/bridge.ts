// The only renderer module that touches the host: `window.hark` (Electron's preload; ESLint
// enforces that nothing else reads it) or, in a plain browser, the browser host's
// WebSocket (`npm run serve`, app/shared/websocket-channel.ts). Both become one EngineClient (app/shared/client.ts), so
// the rest of the UI never knows which host it runs under.
//
// It checks what it finds instead of trusting it and answers null when there is no engine
// (a page opened without a host), so the UI can say so rather than crash.

import { HARK_API_KEY, isHarkApi, type HarkApi } from '../../app/shared/api.js';
import { createEngineClient, type EngineClient } from '../../app/shared/client.js';
import { createWebSocketChannel, engineSocketUrl } from '../../app/shared/websocket-channel.js';

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
  // The browser host (`npm run serve`) puts this run's token in the page URL's fragment.
  const url = engineSocketUrl(location.href);
  if (!url) return null;
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('Could not reach the engine of the browser host.')), { once: true });
  });
  const client = createEngineClient(createWebSocketChannel(socket));
  return {
    client,
    host: 'browser',
    onClose: (handler) => socket.addEventListener('close', () => { client.close(); handler(); }, { once: true }),
  };
}
