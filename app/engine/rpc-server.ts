// The engine's end of the protocol: validates every incoming message and dispatches it.
//
// Every error that leaves for the page passes through here, as an answer or in an event's
// `error`: ServeOptions.publicMessage rewrites its message once, for all of them (the
// service uses it to turn absolute data paths into paths relative to the project).
//
// The client uses birpc; this side speaks birpc's wire format (../shared/rpc-envelope.ts)
// without it, because every message must pass a schema before anything runs and a refused
// message without an id must still be answered (birpc drops those silently).

import type { MessageChannelLike, MessageListener } from '../shared/channel.js';
import { toWireError, wireError } from '../shared/engine-error.js';
import { errorMessage, eventMessage, messageIdOf, resultMessage } from '../shared/rpc-envelope.js';
import {
  ERROR_CODES,
  RequestEnvelope,
  isMethodName,
  isWireError,
  methodSchemas,
  type EngineEvent,
  type EngineResults,
  type MethodName,
  type WireError,
} from '../shared/protocol.js';
import type { z } from 'zod';

export type EngineHandlers = {
  [M in MethodName]: (params: z.output<(typeof methodSchemas)[M]>) => Promise<EngineResults[M]> | EngineResults[M];
};

class RefusedMessage extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/** A short, readable account of why arguments failed their schema. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'argument'}: ${issue.message}`)
    .join('; ');
}

/** Validates one raw message into a method and its parsed parameters, or throws RefusedMessage. */
export function parseRequest(data: unknown): { id?: string; method: MethodName; params: unknown } {
  const envelope = RequestEnvelope.safeParse(data);
  if (!envelope.success) {
    throw new RefusedMessage(wireError(ERROR_CODES.badMessage, `not a request: ${describeIssues(envelope.error)}`));
  }
  const { i: id, m: method, a: args } = envelope.data;
  if (!isMethodName(method)) {
    throw new RefusedMessage(wireError(ERROR_CODES.unknownMethod, `no method ${JSON.stringify(method.slice(0, 64))}`));
  }
  const parsed = methodSchemas[method].safeParse(args[0]);
  if (!parsed.success) {
    throw new RefusedMessage(wireError(ERROR_CODES.badArguments, `${method}: ${describeIssues(parsed.error)}`));
  }
  return { id, method, params: parsed.data };
}

export interface ServedChannel {
  /** Sends an event to this channel's client. */
  emit(event: EngineEvent): void;
  close(): void;
}

export interface ServeOptions {
  /** Rewrites the message of every error sent to the page (default: unchanged). */
  publicMessage?: (message: string) => string;
}

export function serveChannel(channel: MessageChannelLike, handlers: EngineHandlers, options: ServeOptions = {}): ServedChannel {
  let closed = false;
  const { publicMessage } = options;
  const publicError = (e: WireError): WireError => (publicMessage ? { ...e, message: publicMessage(e.message) } : e);
  const post = (message: unknown): void => {
    if (closed) return;
    try {
      channel.postMessage(message);
    } catch {
      // The other end is gone; the host notices and cleans up.
    }
  };
  const emit = (event: EngineEvent): void => {
    const out = 'error' in event && isWireError(event.error) ? { ...event, error: publicError(event.error) } : event;
    post(eventMessage(out));
  };
  const answer = (id: string | undefined, outcome: { r: unknown } | { e: WireError }): void => {
    if (id !== undefined) post('e' in outcome ? errorMessage(id, publicError(outcome.e)) : resultMessage(id, outcome.r));
    else if ('e' in outcome) emit({ type: 'protocol.error', error: outcome.e });
  };

  const onMessage: MessageListener = (event) => {
    const data = event.data;
    let request: ReturnType<typeof parseRequest>;
    try {
      request = parseRequest(data);
    } catch (err) {
      answer(messageIdOf(data), { e: err instanceof RefusedMessage ? err.wire : toWireError(err) });
      return;
    }
    const handler = handlers[request.method] as (params: unknown) => unknown;
    Promise.resolve()
      .then(() => handler(request.params))
      .then(
        (result) => answer(request.id, { r: result }),
        (err: unknown) => answer(request.id, { e: toWireError(err) }),
      );
  };

  channel.addEventListener('message', onMessage);
  channel.start?.();
  return {
    emit,
    close() {
      closed = true;
      channel.removeEventListener('message', onMessage);
      channel.close?.();
    },
  };
}
