// The engine service's own typed error (unknown project, busy, not allowed, ...): its code
// is one of the protocol's declared ERROR_CODES, so a client can rely on the list.
import { HarkError } from '../../core/errors.js';
import type { ErrorCode } from '../shared/engine-error.js';

export class EngineServiceError extends HarkError {
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
