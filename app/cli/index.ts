// The `hark` command: argument parsing and dispatch. `main(argv, io)` returns the exit
// code and never throws, so it runs in-process in tests; `runCli` wires it to the real
// process (stdout, stderr, Ctrl-C) for bin/hark.js.
//
// Built by electron-vite as its own main-process entry (out/main/cli.js, next to
// training-thread.js, which the training threads start); it never imports electron.

import { parseArgs } from 'node:util';
import { compare } from './commands/compare.js';
import { evaluate } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { listen } from './commands/listen.js';
import { mine } from './commands/mine.js';
import { train } from './commands/train.js';
import { resolvePath, type Command } from './command.js';
import { EXIT_CANCELLED, EXIT_OK, EXIT_USAGE, reportError, UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { stopAllBars } from './progress.js';

export const COMMANDS: readonly Command[] = [train, evaluate, importCommand, exportCommand, listen, mine, compare];

const GENERAL_USAGE = 'usage: hark <command> [arguments] [options]   (hark <command> --help for details)';

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'hark — train and run small keyword-spotting models, offline.',
    '',
    GENERAL_USAGE,
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Errors are one line on stderr and a non-zero exit code (1 failure, 2 usage, 130 cancelled);',
    'HARK_DEBUG=1 adds the stack trace.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`usage: ${c.usage}`, '', `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`, '', 'options:', c.help, '  -h, --help       this help'].join('\n');
}

/** Node's parseArgs errors, reworded as one short line. */
function usageFromParseError(err: unknown, c: Command): UsageError {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${quoted.split(' ')[0] || message}`, c.usage);
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = quoted.split(' ')[0];
    if (/does not take/.test(message)) return new UsageError(`option ${option} does not take a value`, c.usage);
    if (/ambiguous/.test(message)) return new UsageError(`option ${option} needs a value (for one that starts with "-", write ${option}=-…)`, c.usage);
    return new UsageError(`option ${option} needs a value`, c.usage);
  }
  return new UsageError(message.split('\n')[0], c.usage);
}

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('no command given', GENERAL_USAGE);
  if (name === '--help' || name === '-h' || name === 'help') {
    const about = rest[0] !== undefined ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    if (rest[0] !== undefined && !about) throw new UsageError(`unknown command "${rest[0]}"`, GENERAL_USAGE);
    io.stdout.write(`${about ? commandHelp(about) : generalHelp()}\n`);
    return EXIT_OK;
  }
  if (name.startsWith('-')) throw new UsageError(`expected a command before ${name}`, GENERAL_USAGE);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`, GENERAL_USAGE);
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageFromParseError(err, command);
  }
  if (parsed.values.help) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return EXIT_OK;
  }
  const { positionals } = parsed;
  if (positionals.length < command.positionals.length) {
    throw new UsageError(`missing <${command.positionals[positionals.length]}>`, command.usage);
  }
  if (positionals.length > command.positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[command.positionals.length]}"`, command.usage);
  }
  return command.run({
    io, values: parsed.values as Record<string, string | boolean | undefined>, positionals,
    path: (p) => resolvePath(io.cwd, p),
  });
}

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    stopAllBars();
    const r = reportError(err);
    // Ctrl-C during a command that did not check the signal surfaces as some other error.
    const cancelled = io.signal?.aborted === true;
    io.stderr.write(`hark: ${cancelled && r.exitCode !== EXIT_CANCELLED ? 'cancelled' : r.message}\n`);
    if (r.usage && !cancelled) io.stderr.write(`${r.usage.startsWith('usage:') ? r.usage : `usage: ${r.usage}`}\n`);
    if (io.env.HARK_DEBUG === '1' && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return cancelled ? EXIT_CANCELLED : r.exitCode;
  }
}

/** The real process: stdout, stderr, Ctrl-C / SIGTERM (the first cancels cleanly, a second exits at once). */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_CANCELLED);
    process.stderr.write('\nhark: stopping… (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  // SIGTERM (kill, a closing terminal or service manager) stops the same clean way.
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  // A closed pipe (hark … | head) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(EXIT_OK); });
  try {
    return await main(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

export { EXIT_USAGE };
