// The pretrained encoder (assets/pretrained/encoder.hark, made by `npm run pretrain`; its
// README says what it learned from): every new model starts from its recurrent layers
// (core/kws/pretrained.ts) unless the run asks to train from scratch. Read once per
// process and kept.
//
// Where it is: $HARK_ENCODER if set (tests; an empty value: none), else as bundled-asset.ts finds it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HarkError } from '../../core/errors.js';
import { loadKwsModel } from '../../core/kws/model-file.js';
import type { KwsModel } from '../../core/kws/recipe.js';
import { findBundled, onceRetrying } from './bundled-asset.js';

export const PRETRAINED_DIR = 'pretrained';
export const ENCODER_FILE = 'encoder.hark';

/** The encoder file is damaged (training goes on from scratch, with a warning). */
export class EncoderError extends HarkError {}

/** The encoder's file, or null when there is none (bundled-asset.ts says where it looks). */
export function findEncoder(): string | null {
  return findBundled('HARK_ENCODER', join(PRETRAINED_DIR, ENCODER_FILE));
}

/** Reads an encoder file: a keyword model that passes the loader's checks. */
export async function readEncoder(file: string): Promise<KwsModel> {
  try {
    return loadKwsModel(new Uint8Array(await readFile(file)));
  } catch (err) {
    throw new EncoderError('bad-encoder', `the pretrained encoder ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** The bundled encoder, read once per process (a failed read is tried again next time); null when there is none. */
export const bundledEncoder: () => Promise<KwsModel | null> = onceRetrying(async () => {
  const file = findEncoder();
  return file === null ? null : readEncoder(file);
});
