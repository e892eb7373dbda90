import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHarkApi, isHarkApi } from '../../app/shared/api.js';

// A stand-in for Electron's module: records what the preload exposes. `ipcRenderer` is a
// sentinel so the test can tell if it (or anything holding it) leaks to the page.
const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: { send: () => undefined, invoke: () => undefined, on: () => undefined, __sentinel: 'ipcRenderer' },
}));
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
  it('exposes exactly one frozen, data-only API as window.hark', async () => {
    vi.stubGlobal('__APP_VERSION__', '9.8.7');
    await import('../../app/preload/index.js');

    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [key, api] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, unknown];
    expect(key).toBe('hark');
    expect(api).toEqual({ version: '9.8.7' });
    expect(Object.isFrozen(api)).toBe(true);

    const values = reachable(api);
    expect(values).not.toContain(electron.ipcRenderer);
    expect(values.some((v) => typeof v === 'function')).toBe(false);
  });

  it('does not mention ipcRenderer in its source', () => {
    const source = readFileSync(new URL('../../app/preload/index.ts', import.meta.url), 'utf8');
    const code = source.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(code).not.toMatch(/\bipcRenderer\b/);
    expect(code).toMatch(/contextBridge\.exposeInMainWorld\(/);
  });

  const built = new URL('../../out/preload/index.cjs', import.meta.url);
  it('built preload (out/) does not reference ipcRenderer (npm test builds first)', () => {
    expect(existsSync(built), `${built} missing: run npm run build`).toBe(true);
    const bundle = readFileSync(built, 'utf8');
    expect(bundle).not.toMatch(/\bipcRenderer\b/);
    expect(bundle).toMatch(/exposeInMainWorld\(/);
    // Sandboxed preloads are CommonJS: no ESM syntax at the top level.
    expect(bundle).not.toMatch(/^\s*(import|export)\s/m);
  });
});

describe('HarkApi shape check used by the renderer', () => {
  it('accepts what the preload builds and rejects the rest', () => {
    expect(isHarkApi(createHarkApi('1.0.0'))).toBe(true);
    for (const value of [undefined, null, 'hark', 42, {}, { version: '' }, { version: 1 }, []]) {
      expect(isHarkApi(value), JSON.stringify(value)).toBe(false);
    }
  });
});
