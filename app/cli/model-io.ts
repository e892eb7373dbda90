// Model files and inference engines for the commands.

import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HarkError } from '../../core/errors.js';
import { TypeScriptEngine, type InferenceEngine } from '../../core/inference/engine.js';
import { loadKwsModel, type KwsModelFormat } from '../../core/kws/model-file.js';
import type { KwsModel } from '../../core/kws/recipe.js';
import { writeFileAtomic } from '../engine/dataset/atomic.js';
import { CliError, describeErrno, UsageError } from './errors.js';

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

/** Fails early (before minutes of training) when `path` cannot be written later. */
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
}

/** Writes a file atomically (temp file, fsync, rename): a crash leaves the old file or the new one. */
export async function writeFileSafely(path: string, bytes: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(path, bytes);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    throw new CliError(`cannot write ${describeErrno(cause) ?? path}`, { cause: err });
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
  const { createOnnxEngine } = await import('../engine/onnx-engine.js');
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
