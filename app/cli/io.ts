import { CancelledError } from './errors.js';

// What a command writes to and reads from, so `main` runs in-process in tests with
// captured output and in the real process with stdout and stderr.

export interface CliStream {
  write(chunk: string): unknown;
  /** True only for a terminal: progress bars are drawn only then. */
  isTTY?: boolean;
}

export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  /** HARK_DEBUG=1 prints stack traces. */
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths are resolved against this folder. */
  cwd: string;
  /** Aborted on Ctrl-C: long commands stop cleanly. */
  signal?: AbortSignal;
}

/** Prints lines on stdout. */
export function out(io: CliIO, text = ''): void {
  io.stdout.write(`${text}\n`);
}

/** A warning on stderr (never on stdout, so --json output stays parseable). */
export function warn(io: CliIO, text: string): void {
  io.stderr.write(`hark: warning: ${text}\n`);
}

/** Aborts with CancelledError if the user pressed Ctrl-C. */
export function throwIfCancelled(io: CliIO): void {
  if (io.signal?.aborted) throw new CancelledError();
}
