// What every command module provides, and helpers to read option values.

import { isAbsolute, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import type { CliIO } from './io.js';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandContext {
  io: CliIO;
  values: OptionValues;
  positionals: string[];
  /** A path from the command line, resolved against io.cwd. */
  path(p: string): string;
}

export interface Command {
  name: string;
  /** One line for `hark --help`. */
  summary: string;
  /** `hark <name> <args> [options]` */
  usage: string;
  /** Option lines for `hark <name> --help`. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Required positional arguments, by name (shown in errors). */
  positionals: string[];
  run(ctx: CommandContext): Promise<number>;
}

export function resolvePath(cwd: string, p: string): string {
  return isAbsolute(p) ? p : resolve(cwd, p);
}

/** An integer option in [min, max], or `fallback` when absent. */
export function intOption(cmd: Command, values: OptionValues, name: string, min: number, max: number): number | undefined;
export function intOption(cmd: Command, values: OptionValues, name: string, min: number, max: number, fallback: number): number;
export function intOption(cmd: Command, values: OptionValues, name: string, min: number, max: number, fallback?: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${String(raw)}"`, cmd.usage);
  return n;
}

/** A number option in [min, max], or `fallback` when absent. */
export function numberOption(cmd: Command, values: OptionValues, name: string, min: number, max: number, fallback?: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = String(raw).trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, not "${String(raw)}"`, cmd.usage);
  return n;
}

/** A value from a fixed set. */
export function choiceOption<T extends string>(cmd: Command, values: OptionValues, name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}, not "${String(raw)}"`, cmd.usage);
  return raw as T;
}

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
