// Who may use main's IPC handlers: only the main frame of our own window, showing a page
// of our own origin. Pure (the Electron event is reduced to SenderInfo by senderInfo), so
// tests check each case without Electron.

import { normalizeOrigin } from './permissions.js';

export interface SenderInfo {
  /** The URL of the frame that sent the message (senderFrame.url), if known. */
  readonly frameUrl: string | undefined;
  /** Whether that frame is its WebContents' main frame. */
  readonly isMainFrame: boolean;
  /** The sending WebContents' id. */
  readonly webContentsId: number;
}

export interface TrustedSenders {
  readonly origins: readonly string[];
  /** The id of our window's WebContents; null while there is no window. */
  readonly webContentsId: number | null;
}

export function isTrustedSender(sender: SenderInfo, trusted: TrustedSenders): boolean {
  if (trusted.webContentsId === null || sender.webContentsId !== trusted.webContentsId) return false;
  if (!sender.isMainFrame) return false;
  const origin = normalizeOrigin(sender.frameUrl);
  if (origin === null) return false;
  return trusted.origins.some((o) => normalizeOrigin(o) === origin);
}

/** The fields of IpcMainEvent / IpcMainInvokeEvent used here. */
export interface IpcEventLike {
  readonly sender: { readonly id: number; readonly mainFrame: unknown };
  readonly senderFrame: { readonly url: string } | null;
}

export function senderInfo(event: IpcEventLike): SenderInfo {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url,
    isMainFrame: frame !== null && frame === event.sender.mainFrame,
    webContentsId: event.sender.id,
  };
}
