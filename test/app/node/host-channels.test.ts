// The adapters that turn Electron's MessagePortMain and Node's IPC into the engine's channel.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { channelFromIpc, channelFromMessagePortMain, type MessagePortMainLike } from '../../../app/node/host-channels.js';

describe('host channel adapters', () => {
  it('reads { data } events from a MessagePortMain and posts to it', () => {
    const port = Object.assign(new EventEmitter(), { postMessage: (m: unknown) => sent.push(m), start: () => { started = true; }, close: () => undefined });
    const sent: unknown[] = [];
    let started = false;
    const channel = channelFromMessagePortMain(port as unknown as MessagePortMainLike);
    const got: unknown[] = [];
    const listener = (e: { data: unknown }) => got.push(e.data);
    channel.addEventListener('message', listener);
    channel.start?.();
    port.emit('message', { data: { t: 'q' }, ports: [] });
    channel.removeEventListener('message', listener);
    port.emit('message', { data: 'after' });
    channel.postMessage({ t: 's' });
    expect(started).toBe(true);
    expect(got).toEqual([{ t: 'q' }]);
    expect(sent).toEqual([{ t: 's' }]);
  });

  it('passes only { kind: rpc } IPC messages through and wraps what it sends', () => {
    const proc = Object.assign(new EventEmitter(), { send: (m: unknown) => sent.push(m) > 0 });
    const sent: unknown[] = [];
    const channel = channelFromIpc(proc);
    const got: unknown[] = [];
    channel.addEventListener('message', (e) => got.push(e.data));
    proc.emit('message', { kind: 'rpc', data: 1 });
    proc.emit('message', { kind: 'grant', requestId: 1, folder: '/x' });
    proc.emit('message', 'junk');
    channel.postMessage(2);
    expect(got).toEqual([1]);
    expect(sent).toEqual([{ kind: 'rpc', data: 2 }]);
  });
});
