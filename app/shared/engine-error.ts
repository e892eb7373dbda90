// The error a client call rejects with: the engine's { code, message } as a HarkError, so
// the UI can switch on `code` exactly as it does for core's errors.

import { HarkError } from '../../core/errors.js';
import { ERROR_CODES, isWireError, type WireError } from './protocol.js';

/** A code the engine, a host or the client raises itself: declared in ERROR_CODES, so an undeclared one is a type error. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class EngineError extends HarkError {
  /** An error raised on this side of the wire (timeout, disconnected, no engine). */
  constructor(code: ErrorCode, message: string);
  /** An error relayed from the engine: dataset, model and core errors keep their own codes. */
  constructor(relayed: WireError);
  constructor(codeOrRelayed: ErrorCode | WireError, message = '') {
    if (typeof codeOrRelayed === 'string') super(codeOrRelayed, message);
    else super(codeOrRelayed.code, codeOrRelayed.message);
  }
}

/** A wire error with a declared code, for errors a host or the engine's server builds itself. */
export function wireError(code: ErrorCode, message: string): WireError {
  return { code, message };
}

/** Any thrown value as a wire error: HarkErrors keep their code; the rest are 'internal'. */
export function toWireError(err: unknown): WireError {
  if (err instanceof HarkError) return { code: err.code, message: err.message };
  if (isWireError(err)) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return wireError(ERROR_CODES.internal, message);
}

/** What a client call rejects with, whatever the engine or the transport produced. */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  return new EngineError(toWireError(err));
}
