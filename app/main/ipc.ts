// Main's IPC handlers: the only two things the page can ask main for. Every handler first
// checks the sender (ipc-senders.ts) and ignores or refuses anyone else. ipcMain and the
// actions come in as arguments, so tests drive the handlers with fakes.

import { IPC_CHANNELS } from '../shared/api.js';
import { isTrustedSender, senderInfo, type IpcEventLike, type TrustedSenders } from './ipc-senders.js';

export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): unknown;
}

export interface IpcActions {
  /** Who may ask, at the moment of asking. */
  trusted(): TrustedSenders;
  /** Hand the sender a new port to the engine. */
  connectEngine(event: IpcEventLike): void;
  /** Show the folder dialog and grant the chosen folder to the engine; the grant id or null. */
  pickImportFolder(): Promise<string | null>;
}

export class UntrustedSenderError extends Error {
  constructor() {
    super('refused: this IPC call did not come from Hark’s own page');
  }
}

export function registerIpcHandlers(ipcMain: IpcMainLike, actions: IpcActions): void {
  const trusted = (event: IpcEventLike) => isTrustedSender(senderInfo(event), actions.trusted());

  ipcMain.on(IPC_CHANNELS.connectEngine, (event) => {
    if (!trusted(event)) return;
    actions.connectEngine(event);
  });

  ipcMain.handle(IPC_CHANNELS.pickImportFolder, async (event) => {
    if (!trusted(event)) throw new UntrustedSenderError();
    return actions.pickImportFolder();
  });
}
