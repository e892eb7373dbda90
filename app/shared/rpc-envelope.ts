// The wire format between the page and the engine, built in one place. It is birpc's:
// requests { t: 'q', i?, m, a }, answers { t: 's', i, r | e }, and engine events as a call
// of EVENT_FUNCTION without an id. The client speaks it through birpc; the engine's server
// and the hosts, which answer or inject messages of their own, build them here.
//
// Shared with the renderer: no Node or DOM imports.

import { wireError, type ErrorCode } from './engine-error.js';
import { EVENT_FUNCTION, type EngineEvent, type WireError } from './protocol.js';

/** The longest request id the engine accepts (RequestEnvelope in protocol.ts agrees). */
const MAX_ID_LENGTH = 64;

export interface RequestMessage {
  t: 'q';
  i?: string;
  m: string;
  a: unknown[];
}

export type AnswerMessage = { t: 's'; i: string; r: unknown } | { t: 's'; i: string; e: WireError };

/** An engine event as the client receives it. */
export function eventMessage(event: EngineEvent): RequestMessage {
  return { t: 'q', m: EVENT_FUNCTION, a: [event] };
}

/** A refused message that cannot be answered by id, as a 'protocol.error' event. */
export function protocolErrorMessage(code: ErrorCode, message: string): RequestMessage {
  return eventMessage({ type: 'protocol.error', error: wireError(code, message) });
}

export function resultMessage(id: string, result: unknown): AnswerMessage {
  return { t: 's', i: id, r: result };
}

export function errorMessage(id: string, error: WireError): AnswerMessage {
  return { t: 's', i: id, e: error };
}

/** Whether a message is one of birpc's (anything else is dropped before birpc reads fields of it). */
export function isRpcMessage(data: unknown): data is { t: 'q' | 's' } {
  const t = typeof data === 'object' && data !== null ? (data as { t?: unknown }).t : undefined;
  return t === 'q' || t === 's';
}

/** The id a message carries, if it is one the engine could answer by (whatever else is wrong with it). */
export function messageIdOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const id = (data as { i?: unknown }).i;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH ? id : undefined;
}

/** The id of a request that expects an answer (events and fire-and-forget calls have none). */
export function requestIdOf(data: unknown): string | undefined {
  return isRpcMessage(data) && data.t === 'q' ? messageIdOf(data) : undefined;
}

/** The id of the request a message answers, if it is an answer. */
export function answeredIdOf(data: unknown): string | undefined {
  return isRpcMessage(data) && data.t === 's' ? messageIdOf(data) : undefined;
}
