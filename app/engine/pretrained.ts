// The pretrained encoder (assets/pretrained/encoder.hark, made by `npm run pretrain`; its
// README says what it learned from): every new model starts from its recurrent layers
// (core/kws/pretrained.ts) unless the run asks to train from scratch. Read once per
// process and kept.
//
// Where it is: $HARK_ENCODER if set (tests; an empty value: none); in the packaged app, in
// its resources folder (electron-builder.yml, extraResources); otherwise the repository's
// assets/ folder above this module (source, out/ builds, the CLI).

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HarkError } from '../../core/errors.js';
import { loadKwsModel } from '../../core/kws/model-file.js';
import type { KwsModel } from '../../core/kws/recipe.js';

export const PRETRAINED_DIR = 'pretrained';
export const ENCODER_FILE = 'encoder.hark';

/** The encoder file is damaged (training goes on from scratch, with a warning). */
export class EncoderError extends HarkError {}

/** The encoder's file, or null when there is none. */
export function findEncoder(): string | null {
  const env = process.env.HARK_ENCODER;
  if (env !== undefined) return env === '' || !existsSync(env) ? null : env;
  const candidates: string[] = [];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(join(resources, PRETRAINED_DIR, ENCODER_FILE));
  for (let dir = import.meta.dirname, up = 0; up < 5; up++, dir = dirname(dir)) candidates.push(join(dir, 'assets', PRETRAINED_DIR, ENCODER_FILE));
  return candidates.find((f) => existsSync(f)) ?? null;
}

/** Reads an encoder file: a keyword model that passes the loader's checks. */
export async function readEncoder(file: string): Promise<KwsModel> {
  try {
    return loadKwsModel(new Uint8Array(await readFile(file)));
  } catch (err) {
    throw new EncoderError('bad-encoder', `the pretrained encoder ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

let cached: Promise<KwsModel | null> | null = null;

/** The bundled encoder, read once per process; null when there is none. */
export function bundledEncoder(): Promise<KwsModel | null> {
  cached ??= (async () => {
    const file = findEncoder();
    return file === null ? null : readEncoder(file);
  })();
  // A failed read is not kept: the next run tries again.
  cached.catch(() => { cached = null; });
  return cached;
}
