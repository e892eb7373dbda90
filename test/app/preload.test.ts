import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ENGINE_PORT_MESSAGE,
  IPC_CHANNELS,
  createHarkApi,
  isEnginePortMessage,
  isHarkApi,
} from '../../app/shared/api.js';

// A stand-in for Electron's module: records what the preload exposes and which channels it
// uses. `ipcRenderer` carries a sentinel so the test can tell if it (or anything holding
// it) leaks to the page.
const electron = vi.hoisted(() => {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  return {
    listeners,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      send: vi.fn(),
      invoke: vi.fn(async () => 'grant-1234567890'),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => listeners.set(channel, listener)),
      __sentinel: 'ipcRenderer',
    },
  };
});
vi.mock('electron', () => electron);

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Every value reachable from `root`, depth first. */
function reachable(root: unknown, seen = new Set<unknown>()): unknown[] {
  if (seen.has(root)) return [];
  seen.add(root);
  if ((typeof root !== 'object' && typeof root !== 'function') || root === null) return [root];
  return [root, ...Reflect.ownKeys(root).flatMap((key) => reachable((root as Record<PropertyKey, unknown>)[key], seen))];
}

describe('preload', () => {
  it('exposes exactly one frozen, narrow API as window.hark, on fixed channels only', async () => {
    vi.stubGlobal('__APP_VERSION__', '9.8.7');
    const postMessage = vi.fn();
    vi.stubGlobal('postMessage', postMessage);
    vi.stubGlobal('location', { origin: 'hark://app' });
    await import('../../app/preload/index.js');

    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>];
    expect(key).toBe('hark');
    expect(Object.keys(api).sort()).toEqual(['connectEngine', 'pickImportFolder', 'version']);
    expect(api['version']).toBe('9.8.7');
    expect(Object.isFrozen(api)).toBe(true);
    expect(reachable(api)).not.toContain(electron.ipcRenderer);

    // Each function uses its own fixed channel and passes nothing from the page.
    (api['connectEngine'] as (...args: unknown[]) => void)('extra', 'ignored');
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith(IPC_CHANNELS.connectEngine);
    expect(await (api['pickImportFolder'] as (...args: unknown[]) => Promise<unknown>)('/etc')).toBe('grant-1234567890');
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CHANNELS.pickImportFolder);

    // The engine port goes to our own origin only, with the notice checked by the page.
    expect([...electron.listeners.keys()]).toEqual([IPC_CHANNELS.enginePort]);
    const port = { fake: 'port' };
    electron.listeners.get(IPC_CHANNELS.enginePort)!({ ports: [port] }, null);
    expect(postMessage).toHaveBeenCalledWith({ type: ENGINE_PORT_MESSAGE, notice: null }, 'hark://app', [port]);
    expect(isEnginePortMessage(postMessage.mock.calls[0][0])).toBe(true);
  });

  it('uses ipcRenderer only on the channels of IPC_CHANNELS', () => {
    const source = readFileSync(new URL('../../app/preload/index.ts', import.meta.url), 'utf8');
    const code = source.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    const uses = [...code.matchAll(/ipcRenderer\.(\w+)\(([^,)]*)/g)].map((m) => `${m[1]}(${m[2]})`);
    expect(uses.sort()).toEqual(['invoke(channel)', 'on(IPC_CHANNELS.enginePort)', 'send(channel)'].sort());
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });

  const built = new URL('../../out/preload/index.cjs', import.meta.url);
  it('built preload (out/) is CommonJS and names only our channels (npm test builds first)', () => {
    expect(existsSync(built), `${built} missing: run npm run build`).toBe(true);
    const bundle = readFileSync(built, 'utf8');
    expect(bundle).toMatch(/exposeInMainWorld\(/);
    const channels = new Set([...bundle.matchAll(/"(hark:[\w-]+)"/g)].map((m) => m[1]));
    for (const channel of channels) expect(Object.values(IPC_CHANNELS) as string[]).toContain(channel);
    // Sandboxed preloads are CommonJS: no ESM syntax at the top level.
    expect(bundle).not.toMatch(/^\s*(import|export)\s/m);
  });
});

describe('HarkApi shape check used by the renderer', () => {
  it('accepts what the preload builds and rejects the rest', () => {
    const api = createHarkApi('1.0.0', { send: () => undefined, invoke: async () => null });
    expect(isHarkApi(api)).toBe(true);
    for (const value of [undefined, null, 'hark', 42, {}, { version: '' }, { version: '1' }, { version: 1 }, []]) {
      expect(isHarkApi(value), JSON.stringify(value)).toBe(false);
    }
  });

  it('checks engine-port messages instead of trusting them', () => {
    expect(isEnginePortMessage({ type: ENGINE_PORT_MESSAGE, notice: { restarts: 1, gaveUp: false, reason: 'x' } })).toBe(true);
    for (const value of [null, {}, { type: 'other', notice: null }, { type: ENGINE_PORT_MESSAGE }, { type: ENGINE_PORT_MESSAGE, notice: { restarts: '1' } }]) {
      expect(isEnginePortMessage(value), JSON.stringify(value)).toBe(false);
    }
  });
});
