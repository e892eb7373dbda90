// The error a client call rejects with: the engine's { code, message } as a HarkError, so
// the UI can switch on `code` exactly as it does for core's errors.

import { HarkError } from '../../core/errors.js';
import { isWireError, type WireError } from './protocol.js';

export class EngineError extends HarkError {}

/** Any thrown value as a wire error: HarkErrors keep their code; the rest are 'internal'. */
export function toWireError(err: unknown): WireError {
  if (err instanceof HarkError) return { code: err.code, message: err.message };
  if (isWireError(err)) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}

/** What a client call rejects with, whatever the engine or the transport produced. */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const wire = toWireError(err);
  return new EngineError(wire.code, wire.message);
}
