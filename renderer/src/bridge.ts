// The only renderer module that touches the host: `window.hark` (Electron's preload; ESLint
// enforces that nothing else reads it) or, in a plain browser, the browser host's
// WebSocket (`npm run serve`, app/shared/websocket-channel.ts). Both become one
// EngineClient (app/shared/client.ts), so the rest of the UI never knows which host it
// runs under.
//
// It checks what it finds instead of trusting it and answers null when there is no engine
// (a page opened without a host), so the UI can say so rather than crash.

import { HARK_API_KEY, isEnginePortMessage, isHarkApi, type EngineRestartNotice, type HarkApi } from '../../app/shared/api.js';
import { createEngineClient, type EngineClient } from '../../app/shared/client.js';
import { createWebSocketChannel, engineSocketUrl } from '../../app/shared/websocket-channel.js';

export function getHarkApi(): HarkApi | null {
  const candidate: unknown = (window as unknown as Record<string, unknown>)[HARK_API_KEY];
  return isHarkApi(candidate) ? candidate : null;
}

export interface EngineConnection {
  client: EngineClient;
  host: 'electron' | 'browser';
  /** Called once when the connection is lost for good. */
  onClose(handler: (reason: string) => void): void;
  /** Electron: main restarted the engine and sent a fresh port; the old client is closed. */
  onReplaced(handler: (client: EngineClient, notice: EngineRestartNotice | null) => void): void;
  /** Electron's folder dialog (a grant for dataset.importFolder), or null in a browser. */
  pickImportFolder: (() => Promise<string | null>) | null;
}

/** Electron: ask main for a port; it arrives as a window message from our own origin. */
function electronConnection(api: HarkApi): Promise<EngineConnection> {
  const closeHandlers: Array<(reason: string) => void> = [];
  const replaceHandlers: Array<(client: EngineClient, notice: EngineRestartNotice | null) => void> = [];
  let client: EngineClient | null = null;
  return new Promise((resolve) => {
    window.addEventListener('message', (event: MessageEvent) => {
      if (event.source !== window || event.origin !== location.origin || !isEnginePortMessage(event.data)) return;
      const port = event.ports[0];
      const notice = event.data.notice;
      if (!port) {
        if (notice?.gaveUp) for (const h of closeHandlers) h(`The engine stopped and was not restarted: ${notice.reason}`);
        return;
      }
      const fresh = createEngineClient(port);
      if (client === null) {
        client = fresh;
        resolve({
          client: fresh,
          host: 'electron',
          onClose: (h) => { closeHandlers.push(h); },
          onReplaced: (h) => { replaceHandlers.push(h); },
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

/** Connects to the engine of whichever host serves the page, or null when there is none. */
export async function connectEngine(): Promise<EngineConnection | null> {
  const api = getHarkApi();
  if (api) return electronConnection(api);
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
    onClose: (handler) => socket.addEventListener('close', () => { client.close(); handler('The connection to the engine was lost.'); }, { once: true }),
    onReplaced: () => undefined,
    pickImportFolder: null,
  };
}
