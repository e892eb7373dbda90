// Preload (sandboxed, CommonJS). Exposes exactly one frozen object, `window.hark`, built
// by createHarkApi: plain data for now. Never expose ipcRenderer, or a function that
// forwards arbitrary channels or arguments to it; each future call gets its own typed
// wrapper here and its own validated handler in main.

import { contextBridge } from 'electron';
import { HARK_API_KEY, createHarkApi } from '../shared/api.js';

contextBridge.exposeInMainWorld(HARK_API_KEY, createHarkApi(__APP_VERSION__));
