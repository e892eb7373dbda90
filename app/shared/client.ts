// The UI's handle on the engine, whatever the host: a typed call per protocol method and
// a subscription to engine events, over any MessagePort-like channel. birpc does the
// request/response bookkeeping (ids, timeouts, closing); this file adds the types, the
// one-object-argument convention and error mapping.
//
// Shared with the renderer: no Node or DOM imports.

import { createBirpc, type BirpcReturn } from 'birpc';
import type { MessageChannelLike, MessageListener } from './channel.js';
import { EngineError, toEngineError } from './engine-error.js';
import { isRpcMessage } from './rpc-envelope.js';
import {
  ERROR_CODES,
  EVENT_FUNCTION,
  type EngineEvent,
  type EngineEventType,
  type EngineResults,
  type MethodName,
  type MethodParams,
} from './protocol.js';

/** Methods without parameters take no argument; the rest take their one object. */
export type CallArgs<M extends MethodName> = undefined extends MethodParams<M> ? [] | [MethodParams<M>] : [MethodParams<M>];

export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;

export interface EngineClient {
  call<M extends MethodName>(method: M, ...params: CallArgs<M>): Promise<EngineResults[M]>;
  /** Fire and forget (live audio): no answer; a refusal comes back as a 'protocol.error' event. */
  send<M extends MethodName>(method: M, ...params: CallArgs<M>): void;
  on<T extends EngineEventType>(type: T, handler: (event: EventOf<T>) => void): () => void;
  onAny(handler: (event: EngineEvent) => void): () => void;
  /** Rejects pending and later calls with 'disconnected' and stops listening. */
  close(): void;
}

export interface ClientOptions {
  /** Milliseconds before a call gives up (default 5 minutes: imports and exports can be slow). */
  timeoutMs?: number;
}

type LocalFunctions = { [EVENT_FUNCTION]: (event: EngineEvent) => void };
type RemoteFunctions = Record<string, (...args: unknown[]) => unknown>;

export function createEngineClient(channel: MessageChannelLike, options: ClientOptions = {}): EngineClient {
  const handlers = new Set<(event: EngineEvent) => void>();
  let listener: MessageListener | undefined;
  const disconnected = () => new EngineError(ERROR_CODES.disconnected, 'the connection to the engine was closed');
  let closed = false;

  const local: LocalFunctions = {
    [EVENT_FUNCTION]: (event) => {
      if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
      for (const handler of handlers) handler(event);
    },
  };

  const rpc: BirpcReturn<RemoteFunctions, LocalFunctions, false> = createBirpc<RemoteFunctions, LocalFunctions, false>(local, {
    proxify: false,
    timeout: options.timeoutMs ?? 300_000,
    post: (data) => channel.postMessage(data),
    on: (fn) => {
      // Drop anything that is not a birpc message before birpc reads fields of it.
      listener = (event) => {
        if (isRpcMessage(event.data)) void fn(event.data);
      };
      channel.addEventListener('message', listener);
      channel.start?.();
    },
    off: () => {
      if (listener) channel.removeEventListener('message', listener);
    },
    onTimeoutError: (method) => {
      throw new EngineError(ERROR_CODES.timeout, `the engine did not answer ${method} in time`);
    },
  });

  return {
    async call(method, ...params) {
      if (closed) throw disconnected();
      try {
        return (await rpc.$call(method, ...params)) as never;
      } catch (err) {
        throw toEngineError(err);
      }
    },
    send(method, ...params) {
      rpc.$callEvent(method, ...params).catch(() => undefined);
    },
    on(type, handler) {
      const wrapped = (event: EngineEvent) => {
        if (event.type === type) handler(event as never);
      };
      handlers.add(wrapped);
      return () => handlers.delete(wrapped);
    },
    onAny(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close() {
      closed = true;
      rpc.$close(disconnected());
    },
  };
}
