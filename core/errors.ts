// Typed errors of core. Every error a caller may want to act on carries a stable `code`
// (for programs and the UI) and a sentence a person can read (for the CLI and logs).

export class HarkError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A model, layer or training option that cannot work (caught before any work starts). */
export class ConfigError extends HarkError {}

/** Training produced a non-finite loss or gradient and could not recover. */
export class NonFiniteError extends HarkError {}

/** Training was cancelled through its AbortSignal. */
export class TrainingAbortedError extends HarkError {
  constructor(message = 'Training was cancelled') {
    super('aborted', message);
  }
}

/** A checkpoint file that is not one, is damaged, or is of another version. */
export class CheckpointError extends HarkError {}
