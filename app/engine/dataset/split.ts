// Train / validation / test assignment, as in Speech Commands (Warden 2018, and
// `which_set` in TensorFlow's speech_commands/input_data.py):
//
//   hash_name = basename with everything from '_nohash_' on removed (the speaker id)
//   h = int(sha1(hash_name).hexdigest(), 16)
//   percentage = (h mod (MAX_NUM_WAVS_PER_CLASS + 1)) * (100 / MAX_NUM_WAVS_PER_CLASS)
//   MAX_NUM_WAVS_PER_CLASS = 2^27 - 1
//   validation if percentage < 10, testing if < 20, else training
//
// The split depends only on the speaker, so one speaker's clips are never in two splits,
// and it is stable as clips are added. If the dataset has validation_list.txt or
// testing_list.txt, those lists decide instead (paths relative to the dataset root, one a
// line, as Speech Commands ships them): listed files go to that split, the rest to training.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type Split = 'training' | 'validation' | 'testing';

export const MAX_NUM_WAVS_PER_CLASS = 2 ** 27 - 1;
export const VALIDATION_PERCENT = 10;
export const TESTING_PERCENT = 10;
export const VALIDATION_LIST = 'validation_list.txt';
export const TESTING_LIST = 'testing_list.txt';

/** The part of a file's base name that the split is hashed on: the speaker id. */
export function hashName(fileName: string): string {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  return base.replace(/_nohash_.*$/s, '');
}

/** The speaker's position in [0, 100), from the SHA-1 of its id. */
export function speakerPercentage(speaker: string): number {
  const hex = createHash('sha1').update(speaker, 'utf8').digest('hex');
  const h = BigInt(`0x${hex}`) % BigInt(MAX_NUM_WAVS_PER_CLASS + 1);
  return Number(h) * (100 / MAX_NUM_WAVS_PER_CLASS);
}

/** Speech Commands' rule for one file (path or base name). */
export function whichSet(fileName: string, validationPercent = VALIDATION_PERCENT, testingPercent = TESTING_PERCENT): Split {
  const p = speakerPercentage(hashName(fileName));
  if (p < validationPercent) return 'validation';
  if (p < validationPercent + testingPercent) return 'testing';
  return 'training';
}

export interface SplitLists {
  validation: Set<string>;
  testing: Set<string>;
}

const normalise = (line: string): string => line.trim().replace(/\\/g, '/').replace(/^\.\//, '');

async function readList(path: string): Promise<Set<string> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return new Set(text.split(/\r?\n/).map(normalise).filter((l) => l.length > 0));
}

/** The dataset's list files, or undefined if it has neither. */
export async function readSplitLists(root: string): Promise<SplitLists | undefined> {
  const validation = await readList(join(root, VALIDATION_LIST));
  const testing = await readList(join(root, TESTING_LIST));
  if (!validation && !testing) return undefined;
  return { validation: validation ?? new Set(), testing: testing ?? new Set() };
}

/** The split of a clip (path relative to the root, '/'-separated): list files first, else the hash rule. */
export function splitOf(relativePath: string, lists?: SplitLists): Split {
  if (lists) {
    const p = normalise(relativePath);
    if (lists.validation.has(p)) return 'validation';
    if (lists.testing.has(p)) return 'testing';
    return 'training';
  }
  return whichSet(relativePath);
}

/** The list files' text for a set of clips (sorted, one path a line). */
export function formatSplitLists(entries: Iterable<{ path: string; split: Split }>): { validation: string; testing: string } {
  const v: string[] = [];
  const t: string[] = [];
  for (const e of entries) {
    if (e.split === 'validation') v.push(e.path);
    else if (e.split === 'testing') t.push(e.path);
  }
  const text = (xs: string[]): string => (xs.length ? `${xs.sort().join('\n')}\n` : '');
  return { validation: text(v), testing: text(t) };
}
