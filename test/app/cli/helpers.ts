// Shared by the CLI tests: run `main` in-process with captured output, temp folders, and a
// tiny synthetic keyword set (espeak-ng + sox, scripts/make-keywords.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../app/cli/index.js';
import type { CliStream } from '../../../app/cli/io.js';

export interface HarkRun {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(isTTY = false): CliStream & { text: string } {
  const s = { text: '', isTTY, write(chunk: string) { s.text += chunk; return true; } };
  return s;
}

/** Runs `hark <args>` in-process. */
export async function hark(args: string[], options: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<HarkRun> {
  const stdout = capture(), stderr = capture();
  const code = await main(args, { stdout, stderr, env: options.env ?? {}, cwd: options.cwd ?? process.cwd(), signal: options.signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The lines of a text, without the empty last one. */
export const lines = (text: string): string[] => text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);

/** A failure is exactly one line `hark: …` on stderr (plus the usage line for usage errors), no stack trace. */
export function expectOneLineError(r: HarkRun, code: number, pattern: RegExp): void {
  const errLines = lines(r.stderr).filter((l) => !l.startsWith('hark: warning:') && !/^ {2}|…$/.test(l));
  if (r.code !== code || !pattern.test(errLines[0] ?? '') || errLines.length !== (code === 2 ? 2 : 1) || /\n\s+at /.test(r.stderr)) {
    throw new Error(`expected exit ${code} and one line matching ${pattern}, got exit ${r.code} and stderr:\n${r.stderr}`);
  }
  if (!errLines[0].startsWith('hark: ')) throw new Error(`the error line does not start with "hark: ": ${errLines[0]}`);
  if (code === 2 && !errLines[1].startsWith('usage: ')) throw new Error(`the second line is not a usage line: ${errLines[1]}`);
}

export async function tempDir(prefix: string, made: string[]): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export async function removeAll(dirs: string[]): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}
