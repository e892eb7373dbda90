// The only renderer module that touches the host: `window.hark` (Electron's preload; ESLint
// enforces that nothing else reads it) or, in a plain browser, the browser host's
// WebSocket (`npm run serve`). The one connector, app/shared/engine-connection.ts, turns
// either into an EngineClient, so the rest of the UI never knows which host it runs under.
//
// It checks what it finds instead of trusting it and answers null when there is no engine
// (a page opened without a host), so the UI can say so rather than crash.

import { HARK_API_KEY, isHarkApi, type HarkApi } from '../../app/shared/api.js';
import { connectToEngine, type EngineConnection } from '../../app/shared/engine-connection.js';

export type { EngineConnection };

export function getHarkApi(): HarkApi | null {
  const candidate: unknown = (window as unknown as Record<string, unknown>)[HARK_API_KEY];
  return isHarkApi(candidate) ? candidate : null;
}

/** Connects to the engine of whichever host serves the page, or null when there is none. */
export function connectEngine(): Promise<EngineConnection | null> {
  return connectToEngine(window, getHarkApi());
}
