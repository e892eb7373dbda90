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
import { MIN_TAKES_TO_TEST, MIN_TAKES_TO_VALIDATE } from '../../shared/held-out.js';

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

/** A name's position in [0, 100), from its SHA-1 (the rule's arithmetic). */
export function hashPercentage(name: string): number {
  const hex = createHash('sha1').update(name, 'utf8').digest('hex');
  const h = BigInt(`0x${hex}`) % BigInt(MAX_NUM_WAVS_PER_CLASS + 1);
  return Number(h) * (100 / MAX_NUM_WAVS_PER_CLASS);
}

/** The speaker's position in [0, 100), from the SHA-1 of its id. */
export const speakerPercentage = hashPercentage;

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

// ---------------------------------------------------------------------------------------
// The split a training run uses. The rule above keeps a speaker's clips together, which
// is what makes a test figure mean "people it never heard" — but only when there are
// enough speakers. A person recording their own commands is one speaker: the rule puts
// all of them in one split (the default name `me` hashes into testing), and nothing is
// left to train on. So a run checks the dataset's own split first and, when it cannot
// serve, splits by take instead: within each word, some of every speaker's takes are held
// out, the rest are learned. The report then says which it was: takes of voices the model
// heard are a weaker test than voices it never heard.

/** What decided a run's split: the dataset's list files, the speaker rule, or takes within each speaker. */
export type SplitBasis = 'lists' | 'speaker' | 'take';

/** A clip as the split planner sees it: `split` is the dataset's own (lists or speaker rule). */
export interface SplitCandidate {
  path: string;
  label: string;
  speaker: string;
  split: Split;
}

export interface SplitPlan {
  basis: SplitBasis;
  /** The split of each clip, in the order given. */
  splits: Split[];
  /** Why the dataset's own split could not serve (one sentence), or null when it did. */
  fallback: string | null;
}

export { MIN_TAKES_TO_TEST, MIN_TAKES_TO_VALIDATE } from '../../shared/held-out.js';

/** Why a run has no report when nothing could be held out (one sentence, for the app and the CLI). */
export const NOT_MEASURED = `Not measured: every clip was needed for training. Record at least ${MIN_TAKES_TO_TEST} takes of each word so that some can be held out to test on.`;
/** ...when the held-out clips are only of labels the model has no class for. */
export const NOT_MEASURED_NO_CLASS = 'Not measured: the held-out clips are none of the words this model was trained on.';

/**
 * The split a run trains with. The dataset's own split when every word has training clips
 * and held-out (validation or testing) clips; otherwise by take. `words` are the labels the
 * model must learn (default: every label); other labels are other speech and do not decide.
 */
export function planSplits(clips: readonly SplitCandidate[], words?: readonly string[], fromLists = false): SplitPlan {
  // Labels starting with '_' (other speech read from `_unknown_/`) are never words.
  const wanted = words ?? [...new Set(clips.map((c) => c.label))].filter((l) => !l.startsWith('_')).sort();
  const problem = ownSplitProblem(clips, wanted);
  if (problem === null) return { basis: fromLists ? 'lists' : 'speaker', splits: otherSpeechByTake(clips, clips.map((c) => c.split), wanted), fallback: null };
  const why = fromLists ? `validation_list.txt and testing_list.txt leave ${problem}` : `the split by speaker leaves ${problem}`;
  return { basis: 'take', splits: splitByTake(clips), fallback: `${why}, so the takes of each speaker are split instead` };
}

/**
 * Other speech (labels that are not words) that the own split leaves with no training clip
 * (all of it under one speaker's name that falls in testing, as `me` does) is split by take
 * instead: other speech a user recorded, marked "wrong" or mined is there to be learned.
 */
function otherSpeechByTake(clips: readonly SplitCandidate[], splits: Split[], words: readonly string[]): Split[] {
  const out = [...splits];
  for (const label of new Set(clips.map((c) => c.label))) {
    if (words.includes(label)) continue;
    const mine = clips.map((c, i) => (c.label === label ? i : -1)).filter((i) => i >= 0);
    if (mine.some((i) => out[i] === 'training')) continue;
    const byTake = splitByTake(mine.map((i) => clips[i]));
    mine.forEach((i, k) => { out[i] = byTake[k]; });
  }
  return out;
}

/** What keeps the dataset's own split from serving the run, or null. */
function ownSplitProblem(clips: readonly SplitCandidate[], words: readonly string[]): string | null {
  const noTraining: string[] = [], noHeldOut: string[] = [];
  for (const word of words) {
    const mine = clips.filter((c) => c.label === word);
    if (mine.length === 0) continue; // nothing to split; the recipe says the word has no clips
    if (!mine.some((c) => c.split === 'training')) noTraining.push(word);
    else if (!mine.some((c) => c.split !== 'training')) noHeldOut.push(word);
  }
  const quoted = (ws: string[]): string => ws.map((w) => `"${w}"`).join(', ');
  if (noTraining.length > 0) return `${quoted(noTraining)} without training clips`;
  if (noHeldOut.length > 0) return `${quoted(noHeldOut)} without held-out clips`;
  return null;
}

/**
 * Within each label: its speakers' takes in turn (each speaker's in the order of the
 * SHA-1 of their path, so a clip's place does not depend on when it was recorded), then
 * the first TESTING_PERCENT of that order (at least one once the label has
 * MIN_TAKES_TO_TEST) to testing, the next VALIDATION_PERCENT (at least one from
 * MIN_TAKES_TO_VALIDATE) to validation, the rest to training. One speaker: some of their
 * own takes held out; several: the held-out takes spread over them.
 */
export function splitByTake(clips: readonly SplitCandidate[]): Split[] {
  const splits: Split[] = clips.map(() => 'training');
  const byLabel = new Map<string, Map<string, number[]>>();
  clips.forEach((c, i) => {
    const speakers = byLabel.get(c.label) ?? new Map<string, number[]>();
    const takes = speakers.get(c.speaker) ?? [];
    takes.push(i);
    speakers.set(c.speaker, takes);
    byLabel.set(c.label, speakers);
  });
  for (const speakers of byLabel.values()) {
    const queues = [...speakers.keys()].sort().map((s) => (speakers.get(s) as number[])
      .map((i) => ({ i, rank: hashPercentage(clips[i].path) }))
      .sort((a, b) => a.rank - b.rank || (clips[a.i].path < clips[b.i].path ? -1 : 1))
      .map((e) => e.i));
    const order: number[] = [];
    for (let k = 0; queues.some((q) => k < q.length); k++) for (const q of queues) if (k < q.length) order.push(q[k]);
    const n = order.length;
    const testing = n >= MIN_TAKES_TO_TEST ? Math.max(1, Math.round((n * TESTING_PERCENT) / 100)) : 0;
    const validation = n >= MIN_TAKES_TO_VALIDATE ? Math.max(1, Math.round((n * VALIDATION_PERCENT) / 100)) : 0;
    order.forEach((i, k) => { splits[i] = k < testing ? 'testing' : k < testing + validation ? 'validation' : 'training'; });
  }
  return splits;
}
