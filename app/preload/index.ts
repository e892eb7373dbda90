// Preload (sandboxed, CommonJS). Exposes exactly one frozen object, `window.hark`, built
// by createHarkApi. ipcRenderer stays here: the API's functions use it only on the fixed
// channels of IPC_CHANNELS, and nothing that holds it reaches the page.
//
// The engine's MessagePort cannot cross contextBridge, so it is handed to the page with
// window.postMessage (Electron's documented pattern), addressed to our own origin only.

import { contextBridge, ipcRenderer } from 'electron';
import { ENGINE_PORT_MESSAGE, HARK_API_KEY, IPC_CHANNELS, createHarkApi, type EnginePortMessage, type EngineRestartNotice } from '../shared/api.js';

// The project typechecks app/ without DOM types; these are the window members used.
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void;
  location: { origin: string };
};

ipcRenderer.on(IPC_CHANNELS.enginePort, (event, notice: EngineRestartNotice | null) => {
  const message: EnginePortMessage = { type: ENGINE_PORT_MESSAGE, notice: notice ?? null };
  page.postMessage(message, page.location.origin, [...event.ports]);
});

contextBridge.exposeInMainWorld(
  HARK_API_KEY,
  createHarkApi(__APP_VERSION__, {
    send: (channel) => ipcRenderer.send(channel),
    invoke: (channel) => ipcRenderer.invoke(channel),
  }),
);
