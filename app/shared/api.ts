// The one API the preload script puts on `window.hark` (see app/preload/index.ts).
// Narrow: the version, and two functions that each do one thing over a fixed IPC channel.
// Never a generic `send(channel, ...)` or anything that hands out ipcRenderer.
//
// The engine itself is not reached through this API: `connectEngine()` asks main for a
// MessagePort, which arrives as a window 'message' event (ENGINE_PORT_MESSAGE) because
// contextBridge cannot carry ports; the page then talks to the engine over that port with
// createEngineClient (./client.ts). After an engine crash main sends a fresh port with a
// restart notice (or only the notice, when it gave up).
//
// This module is shared by main/preload (Node types) and the renderer (DOM types), so it
// must not import from either world.

/** Name of the property on `window` that carries the API. */
export const HARK_API_KEY = 'hark';

/** The IPC channels between preload and main; the only ones either side uses. */
export const IPC_CHANNELS = {
  /** renderer → main (send): please create a port to the engine. */
  connectEngine: 'hark:connect-engine',
  /** main → renderer: a port (event.ports[0]) and/or a restart notice. */
  enginePort: 'hark:engine-port',
  /** renderer → main (invoke): show the folder dialog; answers a grant id or null. */
  pickImportFolder: 'hark:pick-import-folder',
} as const;

/** The `data.type` of the window message that carries the engine port into the page. */
export const ENGINE_PORT_MESSAGE = 'hark:engine-port';

export interface EngineRestartNotice {
  /** Crashes within the restart window, this one included. */
  restarts: number;
  /** True when main stopped restarting the engine (it keeps crashing). */
  gaveUp: boolean;
  reason: string;
}

/** What the page receives as the window message's data (the port is event.ports[0]). */
export interface EnginePortMessage {
  type: typeof ENGINE_PORT_MESSAGE;
  notice: EngineRestartNotice | null;
}

export interface HarkApi {
  /** The app's version, from package.json at build time. */
  readonly version: string;
  /** Asks main for a MessagePort to the engine; it arrives as an ENGINE_PORT_MESSAGE window message. */
  connectEngine(): void;
  /** Shows the folder dialog; resolves to a grant id for dataset.importFolder, or null when cancelled. */
  pickImportFolder(): Promise<string | null>;
}

/** The ipcRenderer calls the API needs, injected by the preload (tests pass fakes). */
export interface PreloadIpc {
  send(channel: typeof IPC_CHANNELS.connectEngine): void;
  invoke(channel: typeof IPC_CHANNELS.pickImportFolder): Promise<unknown>;
}

/** Builds the frozen object the preload exposes. */
export function createHarkApi(version: string, ipc: PreloadIpc): HarkApi {
  return Object.freeze({
    version,
    connectEngine: () => ipc.send(IPC_CHANNELS.connectEngine),
    pickImportFolder: async () => {
      const grant = await ipc.invoke(IPC_CHANNELS.pickImportFolder);
      return typeof grant === 'string' ? grant : null;
    },
  });
}

/**
 * True when `value` has the shape of a HarkApi. The renderer checks what it finds on
 * `window` with this instead of trusting it, so it also runs in a plain browser (tests,
 * the browser host) where there is no preload.
 */
export function isHarkApi(value: unknown): value is HarkApi {
  if (typeof value !== 'object' || value === null) return false;
  const api = value as Partial<Record<keyof HarkApi, unknown>>;
  return (
    typeof api.version === 'string' &&
    api.version.length > 0 &&
    typeof api.connectEngine === 'function' &&
    typeof api.pickImportFolder === 'function'
  );
}

/** True when a window message is main's engine-port message (checked, not trusted). */
export function isEnginePortMessage(data: unknown): data is EnginePortMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as { type?: unknown; notice?: unknown };
  if (m.type !== ENGINE_PORT_MESSAGE) return false;
  if (m.notice === null) return true;
  const n = m.notice as Partial<EngineRestartNotice> | undefined;
  return typeof n === 'object' && n !== null && typeof n.restarts === 'number' && typeof n.gaveUp === 'boolean' && typeof n.reason === 'string';
}
