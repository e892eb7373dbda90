// Wires the pure policies into Electron objects. Only type imports from 'electron': the
// objects come in as arguments, so tests drive these functions with small fakes.

import type { Session, WebContents } from 'electron';
import { isPermissionAllowed, queryFromCheck, queryFromRequest } from './permissions.js';

/** The parts of WebContents used here. */
export type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * No navigation away from the loaded page, no new windows, no <webview>. The renderer is
 * a single page; links to the outside world will get their own vetted path if ever needed.
 */
export function hardenWebContents(contents: HardenableContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** The parts of Session used here. */
export type PermissionSession = Pick<
  Session,
  'setPermissionCheckHandler' | 'setPermissionRequestHandler' | 'setDevicePermissionHandler'
>;

/**
 * Microphone for our own origins, nothing else (see permissions.ts). Both handlers are
 * needed: Chromium checks before it asks.
 */
export function installPermissionHandlers(session: PermissionSession, trustedOrigins: readonly string[]): void {
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionAllowed(queryFromCheck(permission, requestingOrigin, details), trustedOrigins),
  );
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(isPermissionAllowed(queryFromRequest(permission, details, contents.getURL()), trustedOrigins));
  });
  // HID, USB, serial, Bluetooth: never.
  session.setDevicePermissionHandler(() => false);
}
