// What every command module provides, and helpers to read option values.

import { isAbsolute, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import type { CliIO } from './io.js';
import { rangeText, type NumericOption } from '../../core/kws/options.js';

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

/** A setting declared in core/kws/options.ts, from its flag, in its range; `fallback` when absent. */
export function declaredOption(cmd: Command, values: OptionValues, option: NumericOption): number | undefined;
export function declaredOption(cmd: Command, values: OptionValues, option: NumericOption, fallback: number): number;
export function declaredOption(cmd: Command, values: OptionValues, option: NumericOption, fallback?: number): number | undefined {
  return option.integer
    ? intOption(cmd, values, option.flag, option.min, option.max, fallback as number)
    : numberOption(cmd, values, option.flag, option.min, option.max, fallback);
}

/** parseArgs entries for the flags of declared settings. */
export function declaredFlags(...options: NumericOption[]): Record<string, { type: 'string' }> {
  return Object.fromEntries(options.map((o) => [o.flag, { type: 'string' as const }]));
}

/**
 * The help line of a declared setting: `  --flag X   help (range; default d)`, the help column
 * at 19 as the other lines'. `defaultText` replaces "default d"; `note` follows it.
 */
export function declaredHelp(option: NumericOption, metavar: string, { defaultText, note }: { defaultText?: string; note?: string } = {}): string {
  const flag = `  --${option.flag} ${metavar}`;
  const details = [rangeText(option), defaultText ?? `default ${option.default}`, ...(note ? [note] : [])].join('; ');
  return wrapHelp(`${flag.length < 19 ? flag.padEnd(19) : `${flag}  `}${option.help} (${details})`);
}

/** A help line wrapped at 100 columns, the rest indented to the help column. */
function wrapHelp(line: string, width = 100, indent = 19): string {
  const lines: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    if (cut <= indent) break;
    lines.push(rest.slice(0, cut));
    rest = ' '.repeat(indent) + rest.slice(cut + 1);
  }
  return [...lines, rest].join('\n');
}

/** A value from a fixed set. */
export function choiceOption<T extends string>(cmd: Command, values: OptionValues, name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be ${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}, not "${String(raw)}"`, cmd.usage);
  return raw as T;
}

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
