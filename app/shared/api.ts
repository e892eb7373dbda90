// The one API the preload script puts on `window.hark` (see app/preload/index.ts).
// Keep it narrow: plain, frozen data and, later, a few typed functions that each do one
// thing. Never a generic `send(channel, ...)` or anything that hands out ipcRenderer.
//
// This module is shared by main/preload (Node types) and the renderer (DOM types), so it
// must not import from either world.

/** Name of the property on `window` that carries the API. */
export const HARK_API_KEY = 'hark';

export interface HarkApi {
  /** The app's version, from package.json at build time. */
  readonly version: string;
}

/** Builds the frozen object the preload exposes. */
export function createHarkApi(version: string): HarkApi {
  return Object.freeze({ version });
}

/**
 * True when `value` has the shape of a HarkApi. The renderer checks what it finds on
 * `window` with this instead of trusting it, so it also runs in a plain browser (tests,
 * the Vite dev server opened in a browser) where there is no preload.
 */
export function isHarkApi(value: unknown): value is HarkApi {
  if (typeof value !== 'object' || value === null) return false;
  const version: unknown = (value as { version?: unknown }).version;
  return typeof version === 'string' && version.length > 0;
}
