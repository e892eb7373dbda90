// Main's IPC handlers answer only our own window's main frame on our own origin.
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../app/shared/api.js';
import { registerIpcHandlers, UntrustedSenderError, type IpcMainLike } from '../../app/main/ipc.js';
import { isTrustedSender, senderInfo, type IpcEventLike } from '../../app/main/ipc-senders.js';
import { APP_ORIGIN } from '../../app/node/app-protocol.js';

const OUR_ID = 7;

function event(options: { id?: number; url?: string | null; subframe?: boolean }): IpcEventLike {
  const mainFrame = { url: options.url ?? 'hark://app/index.html' };
  const frame = options.url === null ? null : options.subframe ? { url: options.url ?? 'hark://app/index.html' } : mainFrame;
  return { sender: { id: options.id ?? OUR_ID, mainFrame }, senderFrame: frame };
}

const ours = event({});
const unexpected: Array<[string, IpcEventLike]> = [
  ['another WebContents', event({ id: 99 })],
  ['a subframe of our page', event({ subframe: true })],
  ['a foreign origin in our window', event({ url: 'https://example.com/' })],
  ['a file: page', event({ url: 'file:///etc/passwd' })],
  ['a hark: look-alike host', event({ url: 'hark://evil/index.html' })],
  ['no frame (destroyed)', event({ url: null })],
  ['a data: URL', event({ url: 'data:text/html,hi' })],
];

function install() {
  const on = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();
  const handle = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    on: (channel, listener) => on.set(channel, listener),
    handle: (channel, listener) => handle.set(channel, listener),
  };
  const actions = {
    trusted: () => ({ origins: [APP_ORIGIN], webContentsId: OUR_ID }),
    connectEngine: vi.fn(),
    pickImportFolder: vi.fn(async () => 'grant-abcdef123456'),
  };
  registerIpcHandlers(ipcMain, actions);
  return { on, handle, actions };
}

describe('IPC handlers', () => {
  it('registers exactly the channels of IPC_CHANNELS that go to main', () => {
    const { on, handle } = install();
    expect([...on.keys()]).toEqual([IPC_CHANNELS.connectEngine]);
    expect([...handle.keys()]).toEqual([IPC_CHANNELS.pickImportFolder]);
  });

  it('serve our own page', async () => {
    const { on, handle, actions } = install();
    on.get(IPC_CHANNELS.connectEngine)!(ours);
    expect(actions.connectEngine).toHaveBeenCalledTimes(1);
    expect(await handle.get(IPC_CHANNELS.pickImportFolder)!(ours)).toBe('grant-abcdef123456');
  });

  for (const [what, sender] of unexpected) {
    it(`reject ${what}`, async () => {
      const { on, handle, actions } = install();
      on.get(IPC_CHANNELS.connectEngine)!(sender);
      expect(actions.connectEngine).not.toHaveBeenCalled();
      await expect(Promise.resolve().then(() => handle.get(IPC_CHANNELS.pickImportFolder)!(sender))).rejects.toBeInstanceOf(UntrustedSenderError);
      expect(actions.pickImportFolder).not.toHaveBeenCalled();
    });
  }

  it('trust nobody while there is no window', () => {
    expect(isTrustedSender(senderInfo(ours), { origins: [APP_ORIGIN], webContentsId: null })).toBe(false);
    expect(isTrustedSender(senderInfo(ours), { origins: [APP_ORIGIN], webContentsId: OUR_ID })).toBe(true);
    expect(isTrustedSender(senderInfo(event({ url: 'http://localhost:5173/' })), { origins: [APP_ORIGIN, 'http://localhost:5173'], webContentsId: OUR_ID })).toBe(true);
  });
});
