// The engine service's own typed error (unknown project, busy, not allowed, ...).
import { HarkError } from '../../core/errors.js';

export class EngineServiceError extends HarkError {}
