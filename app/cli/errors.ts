// How the `hark` command fails: one line on stderr, `hark: <message>`, and an exit code —
// 1 for a failure, 2 for a usage mistake (with the command's usage line), 130 when the
// user cancelled with Ctrl-C. Never a stack trace, unless HARK_DEBUG=1.

import { HarkError, TrainingAbortedError } from '../../core/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

/** The command line itself is wrong: a missing argument, an unknown option, a bad value. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the command already put into words (a file that is not a model, an empty folder, …). */
export class CliError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The user pressed Ctrl-C. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'not a folder',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
};

/** One line: newlines and runs of spaces collapsed, trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\s{2,}/g, ' ').trim();
}

function errnoOf(err: unknown): { code: string; path?: string; syscall?: string } | null {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && typeof e.errno === 'number') return { code: e.code, path: e.path, syscall: e.syscall };
  return null;
}

/** What went wrong in a Node file-system error, in words, without its path; null for other errors. */
export function errnoReason(err: unknown): string | null {
  const e = errnoOf(err);
  return e ? ERRNO_TEXT[e.code] ?? oneLine((err as Error).message) : null;
}

/** A Node file-system error as "<path>: <what went wrong>". */
export function describeErrno(err: unknown): string | null {
  const e = errnoOf(err);
  if (!e) return null;
  const what = errnoReason(err) as string;
  return e.path ? `${e.path}: ${what}` : what;
}

export interface ErrorReport {
  message: string;
  exitCode: number;
  usage?: string;
}

/** What to print for an error (without the `hark: ` prefix) and the exit code. */
export function reportError(err: unknown): ErrorReport {
  if (err instanceof UsageError) return { message: oneLine(err.message), exitCode: EXIT_USAGE, usage: err.usage };
  if (err instanceof CancelledError || err instanceof TrainingAbortedError) return { message: oneLine(err.message === 'Training was cancelled' ? 'training cancelled' : err.message), exitCode: EXIT_CANCELLED };
  if (err instanceof CliError) return { message: oneLine(err.message), exitCode: EXIT_FAILURE };
  if (err instanceof HarkError) {
    // The store wraps Node's raw "ENOENT: no such file or directory, stat '…'": say it plainly.
    const text = oneLine(err.message);
    const cause = errnoOf(err.cause);
    const at = cause ? text.indexOf(`: ${cause.code}:`) : -1;
    return { message: cause && at >= 0 ? `${text.slice(0, at)}: ${ERRNO_TEXT[cause.code] ?? cause.code}` : text, exitCode: EXIT_FAILURE };
  }
  const errno = describeErrno(err);
  if (errno) return { message: errno, exitCode: EXIT_FAILURE };
  const text = err instanceof Error ? err.message : String(err);
  return { message: `unexpected error: ${oneLine(text) || 'unknown'} (HARK_DEBUG=1 shows details)`, exitCode: EXIT_FAILURE };
}
