// Model files and inference engines for the commands.

import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HarkError } from '../../core/errors.js';
import { TypeScriptEngine, type InferenceEngine } from '../../core/inference/engine.js';
import { loadKwsModel, type KwsModelFormat } from '../../core/kws/model-file.js';
import type { KwsModel } from '../../core/kws/recipe.js';
import { TEMP_MARKER, writeFileAtomic } from '../node/dataset/atomic.js';
import { CliError, describeErrno, errnoReason, oneLine, UsageError } from './errors.js';

export type LoadedModel = KwsModel & { format: KwsModelFormat; path: string; bytes: number };

/** Reads a .hark checkpoint or an .onnx export; anything else is one clear error. */
export async function readModelFile(path: string): Promise<LoadedModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    throw new CliError(`cannot read the model ${describeErrno(err) ?? path}`, { cause: err });
  }
  if (bytes.length === 0) throw new CliError(`${path} is empty, not a Hark model`);
  try {
    return { ...loadKwsModel(bytes), path, bytes: bytes.length };
  } catch (err) {
    const why = err instanceof HarkError ? err.message : `it could not be parsed (${(err as Error).message})`;
    throw new CliError(`${path} is not a usable Hark model (.hark or .onnx): ${why}`, { cause: err });
  }
}

/**
 * Fails early (before minutes of training) when `path` cannot be written later: its folder
 * must exist, it must not be a folder, and a small file must really be writable next to it
 * (a read-only or full disk, or a folder without write permission, fails that write; `stat`
 * alone says nothing about them). Errors name `path`, never the probe.
 */
export async function checkWritable(path: string): Promise<void> {
  const dir = dirname(path);
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw new CliError(`cannot write ${path}: the folder ${describeErrno(err) ?? dir}`, { cause: err });
  }
  if (!info.isDirectory()) throw new CliError(`cannot write ${path}: ${dir} is not a folder`);
  try {
    if ((await stat(path)).isDirectory()) throw new CliError(`cannot write ${path}: it is a folder`);
  } catch (err) {
    if (err instanceof CliError) throw err;
  }
  // The probe is named like writeFileAtomic's temp files, so a crash leaves nothing new to clean up.
  const probe = join(dir, `.${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx');
    try {
      await handle.writeFile(new Uint8Array(4096));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${errnoReason(err) ?? (err as Error).message}`, { cause: err });
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

/** Whether two paths name the same existing file (through links too): same device and inode. */
export async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist (yet)
  }
}

/** Writes a file atomically (temp file, fsync, rename): a crash leaves the old file or the new one. Errors name `path`. */
export async function writeFileSafely(path: string, bytes: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    throw new CliError(`cannot write ${path}: ${errnoReason(cause) ?? (cause instanceof Error ? oneLine(cause.message) : 'unknown error')}`, { cause: err });
  }
}

export type EngineChoice = 'ts' | 'onnx';

export function parseEngine(value: string | undefined, usage: string): EngineChoice {
  const v = value ?? 'ts';
  if (v !== 'ts' && v !== 'onnx') throw new UsageError(`--engine must be ts or onnx, not "${v}"`, usage);
  return v;
}

/** Opens the model in the engine asked for. Dispose it when done. */
export async function openEngine(choice: EngineChoice, model: KwsModel): Promise<InferenceEngine> {
  if (choice === 'ts') return new TypeScriptEngine(model.model);
  // onnxruntime (a native module) is loaded only when asked for.
  const { createOnnxEngine } = await import('../node/onnx-engine.js');
  return createOnnxEngine(model.model);
}

export function engineName(choice: EngineChoice): string {
  return choice === 'ts' ? 'TypeScript engine' : 'onnxruntime';
}

export function describeModel(m: KwsModel): string {
  const c = m.model.config;
  return `${c.cell}, ${c.hiddenSize} units × ${c.layers} layer${c.layers === 1 ? '' : 's'}, ${m.model.paramCount.toLocaleString('en-US')} parameters; classes ${m.labels.join(', ')}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
