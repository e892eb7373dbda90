// Adapters from each host's way of talking to a child into the one MessageChannelLike
// shape the engine serves, plus the small control protocol the host (never the UI) uses.
//
// Electron utilityProcess: process.parentPort carries control messages; each UI
// connection arrives as a MessagePortMain transferred with { kind: 'connect' }.
// Node child_process.fork (serialization: 'advanced', so typed arrays survive): one IPC
// channel, UI traffic wrapped as { kind: 'rpc', data }, control messages beside it.

import type { MessageChannelLike, MessageListener } from '../shared/channel.js';

/** Host → engine. */
export type ControlMessage =
  | { kind: 'connect' }
  | { kind: 'rpc'; data: unknown }
  | { kind: 'grant'; requestId: number; folder: string }
  | { kind: 'shutdown' };

/** Engine → host. */
export type EngineToHost =
  | { kind: 'ready'; pid: number }
  | { kind: 'rpc'; data: unknown }
  | { kind: 'granted'; requestId: number; grant: string | null; error?: string };

/** The parts of Electron's MessagePortMain used here. */
export interface MessagePortMainLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** Electron's MessagePortMain as a channel (its events carry `data` like the DOM's). */
export function channelFromMessagePortMain(port: MessagePortMainLike): MessageChannelLike {
  const wrapped = new Map<MessageListener, (event: { data: unknown }) => void>();
  return {
    postMessage: (data) => port.postMessage(data),
    addEventListener: (_type, listener) => {
      const fn = (event: { data: unknown }) => listener({ data: event.data });
      wrapped.set(listener, fn);
      port.on('message', fn);
    },
    removeEventListener: (_type, listener) => {
      const fn = wrapped.get(listener);
      if (fn) port.off('message', fn);
      wrapped.delete(listener);
    },
    start: () => port.start(),
    close: () => port.close(),
  };
}

/** The parts of a Node process with an IPC channel used here. */
export interface IpcProcessLike {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** The UI traffic of a forked child's IPC channel as a channel. */
export function channelFromIpc(proc: IpcProcessLike): MessageChannelLike {
  const wrapped = new Map<MessageListener, (message: unknown) => void>();
  return {
    postMessage: (data) => {
      proc.send?.({ kind: 'rpc', data } satisfies EngineToHost);
    },
    addEventListener: (_type, listener) => {
      const fn = (message: unknown) => {
        if (isControl(message) && message.kind === 'rpc') listener({ data: message.data });
      };
      wrapped.set(listener, fn);
      proc.on('message', fn);
    },
    removeEventListener: (_type, listener) => {
      const fn = wrapped.get(listener);
      if (fn) proc.off('message', fn);
      wrapped.delete(listener);
    },
  };
}

export function isControl(message: unknown): message is ControlMessage {
  if (typeof message !== 'object' || message === null) return false;
  const kind = (message as { kind?: unknown }).kind;
  return kind === 'connect' || kind === 'rpc' || kind === 'grant' || kind === 'shutdown';
}
