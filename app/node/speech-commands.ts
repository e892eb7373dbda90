// The Speech Commands layout, read. The one reader of such folders, a Hark dataset or not:
// the dataset store's scan of its own folder, the CLI's `hark train`, `eval` and `compare`,
// the scripts, the bench and the accuracy tests.
//
//   <label>/<speaker>_nohash_<n>.wav      clips (folders starting with '.' or '_' are not labels)
//   _unknown_/*.wav                        other speech (as the published Speech Commands test set has it)
//   _background_noise_/*.wav               background recordings
//   _silence_/*.wav                        background too (ditto)
//   validation_list.txt, testing_list.txt  optional; they decide the splits when present
//
//   listSpeechCommands   the folder's clips (label, speaker, take, split) and background
//                        recordings, without reading any audio;
//   readWav16k           one WAV file as 16 kHz mono, read as a clip, background or any audio;
//   readSpeechCommands   the folder's clips (and, if asked, background) as 16 kHz mono.
//
// Nothing is written into the folder: it may be someone else's data set or on a read-only
// disk. Files are read through a handle (wav-file.ts), their header checked first: a clip
// longer than one may be, or a background recording longer than MAX_BACKGROUND_SECONDS, is
// refused before its audio is read, so a huge file costs kilobytes. Every failure is a
// DatasetError; that of one file is an UnreadableWavError naming it.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resample } from '../../core/audio/resample.js';
import { SAMPLE_RATE } from '../../core/audio/sample-rate.js';
import { HarkError } from '../../core/errors.js';
import type { DecodedWav } from '../../core/audio/wav.js';
import type { KwsClip } from '../../core/kws/examples.js';
import { BACKGROUND_FOLDERS, UNKNOWN_LABEL } from '../../core/kws/labels.js';
import { DatasetError, isTempName } from './dataset/atomic.js';
import { hashName, readSplitLists, splitOf, type Split, type SplitLists } from './dataset/split.js';
import { readBackgroundFile, readClipFile, readWavFile } from './wav-file.js';

/** Other speech (never a word): Speech Commands' `_unknown_` folder, core's unknown class. */
export const OTHER_SPEECH_LABEL = UNKNOWN_LABEL;

/** A clip file of the folder, as its path names it. */
export interface SpeechCommandsEntry {
  /** Relative to the root, '/'-separated: `<label>/<file>.wav`. */
  path: string;
  /** The folder's name: a word, or OTHER_SPEECH_LABEL. */
  label: string;
  /** The file name up to `_nohash_` (all of it but `.wav` when it has none). */
  speaker: string;
  /** The `<n>` of `_nohash_<n>.wav`; null when the name has none. */
  take: number | null;
  /** From the list files when the folder has them, else Speech Commands' rule by speaker. */
  split: Split;
}

export interface SpeechCommandsListing {
  root: string;
  /** In the order of their folders' names, then of their file names. */
  clips: SpeechCommandsEntry[];
  /** Background recordings (`_background_noise_/…`, `_silence_/…`), relative to the root, in the same order. */
  background: string[];
  /** validation_list.txt / testing_list.txt, when the folder has either. */
  lists: SplitLists | undefined;
}

/** A clip read from the folder: 16 kHz mono samples. */
export interface SpeechCommandsClip extends KwsClip {
  /** Relative to the root, '/'-separated. */
  path: string;
  split: Split;
}

export interface SpeechCommandsFolder {
  root: string;
  clips: SpeechCommandsClip[];
  /** 16 kHz background recordings (empty unless asked for). */
  background: { path: string; samples: Float32Array }[];
  /** Every file left out, in the order read, each naming its path relative to the root. */
  skipped: UnreadableWavError[];
  /** Whether validation_list.txt / testing_list.txt decided the splits. */
  splitFromLists: boolean;
}

/** What a file is read as, which decides the longest it may be (wav-file.ts). */
export type WavRole = 'clip' | 'background' | 'audio';

export interface ReadWavOptions {
  /** 'clip': at most MAX_CLIP_SECONDS; 'background': at most MAX_BACKGROUND_SECONDS; 'audio' (default): decodeWav's limits. */
  as?: WavRole;
  /** Refuse a file whose audio was cut off (WavFileOptions.refuseCutOff); clips and background only. */
  refuseCutOff?: boolean;
}

export interface ReadFolderOptions {
  /** Read the background recordings too (default: only list clips). */
  background?: boolean;
  /** 'skip' (default): a file that cannot be read is left out and reported in `skipped`; 'throw': its error is thrown. */
  unreadable?: 'skip' | 'throw';
  onProgress?: (done: number, total: number) => void;
  /** Checked between files; an abort is a DatasetError 'cancelled'. */
  signal?: AbortSignal;
}

/** A WAV file that could not be read (or held no audio); `code` is the reader's (truncated, clip-too-long, ENOENT, …). */
export class UnreadableWavError extends DatasetError {
  /**
   * @param file the path as the caller knows it (relative to the folder it read)
   * @param reason why, in words, without the path
   */
  constructor(readonly file: string, readonly reason: string, code: string, options?: { cause?: unknown }) {
    super(code, `${file}: ${reason}`, options);
  }
}

/** How often a folder read reports progress and yields to the event loop (ms). */
const PROGRESS_INTERVAL_MS = 100;
const TAKE = /_nohash_(\d+)\.wav$/i;
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const folderOf = (path: string): string => path.slice(0, path.indexOf('/'));

/** The speaker of a clip file: the name up to `_nohash_`, as Speech Commands hashes it for the split. */
export function speakerOf(fileName: string): string {
  return hashName(fileName).replace(/\.wav$/i, '');
}

/** The `<n>` of a `…_nohash_<n>.wav` file name or path; null when it has none. */
export function takeOf(fileName: string): number | null {
  const m = TAKE.exec(fileName);
  return m ? Number(m[1]) : null;
}

/** A WAV file's name, and not the temp file of an interrupted write (atomic.ts). */
export function isWavFileName(name: string): boolean {
  return name.toLowerCase().endsWith('.wav') && !isTempName(name);
}

/** A folder of background recordings, not of clips. */
export function isBackgroundFolder(name: string): boolean {
  return BACKGROUND_FOLDERS.includes(name);
}

/** A folder of clips: one named for a word (not starting with '.' or '_'), or other speech's. */
export function isClipFolder(name: string): boolean {
  return name === OTHER_SPEECH_LABEL || !(name.startsWith('.') || name.startsWith('_'));
}

/** Audio at Hark's rate. */
export function to16k(wav: DecodedWav): Float32Array {
  return wav.sampleRate === SAMPLE_RATE ? wav.samples : resample(wav.samples, wav.sampleRate, SAMPLE_RATE);
}

/** A folder that cannot be read, naming it (the file-system error is its cause). */
function unreadableFolder(dir: string, err: unknown): DatasetError {
  return new DatasetError('not-found', `cannot read the folder ${dir}: ${(err as Error).message}`, { cause: err });
}

async function wavFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw unreadableFolder(dir, err);
  }
  return entries.filter((e) => e.isFile() && isWavFileName(e.name)).map((e) => e.name).sort(byName);
}

/**
 * The clips and background recordings of a Speech Commands folder, without reading any
 * audio. Throws DatasetError: 'not-found' when the folder (or one of its folders) cannot be
 * read, 'not-a-directory' when `root` is a file.
 */
export async function listSpeechCommands(root: string): Promise<SpeechCommandsListing> {
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    throw unreadableFolder(root, err);
  }
  if (!info.isDirectory()) throw new DatasetError('not-a-directory', `${root} is not a folder (expected <word>/<speaker>_nohash_<n>.wav inside)`);
  const lists = await readSplitLists(root);
  let top;
  try {
    top = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort(byName);
  } catch (err) {
    throw unreadableFolder(root, err);
  }
  const clips: SpeechCommandsEntry[] = [];
  const background: string[] = [];
  for (const label of top) {
    if (isBackgroundFolder(label)) {
      for (const file of await wavFiles(join(root, label))) background.push(`${label}/${file}`);
    } else if (isClipFolder(label)) {
      for (const file of await wavFiles(join(root, label))) {
        const path = `${label}/${file}`;
        clips.push({ path, label, speaker: speakerOf(file), take: takeOf(file), split: splitOf(path, lists) });
      }
    }
  }
  return { root, clips, background, lists };
}

/** The code of a reader's failure: core's (WavError), the file system's (ENOENT, …), else 'unreadable'. */
function codeOf(err: unknown): string {
  if (err instanceof HarkError) return err.code;
  return (err as NodeJS.ErrnoException).code ?? 'unreadable';
}

async function readAs(path: string, shownAs: string, { as = 'audio', refuseCutOff = false }: ReadWavOptions): Promise<Float32Array> {
  try {
    const decoded = as === 'clip' ? readClipFile(path, { refuseCutOff })
      : as === 'background' ? readBackgroundFile(path, { refuseCutOff })
        : readWavFile(path);
    return to16k(await decoded);
  } catch (err) {
    throw new UnreadableWavError(shownAs, (err as Error).message, codeOf(err), { cause: err });
  }
}

/** A WAV file as 16 kHz mono (any rate, channels and sample format). Throws UnreadableWavError naming `path`. */
export function readWav16k(path: string, options: ReadWavOptions = {}): Promise<Float32Array> {
  return readAs(path, path, options);
}

/**
 * The message of a folder with no clip that could be read; `describe` says what went wrong
 * with the first file that could not (default: the reader's own words).
 */
export function noClipsMessage(root: string, skipped: readonly UnreadableWavError[], describe: (skipped: UnreadableWavError) => string = (e) => e.message): string {
  const n = skipped.length;
  return `no readable clips in ${root}: expected the Speech Commands layout, <word>/<speaker>_nohash_<n>.wav` +
    (n ? ` (${n} file${n === 1 ? '' : 's'} could not be read, e.g. ${describe(skipped[0])})` : '');
}

/** Not one clip of a folder could be read ('no-clips'): the files that could not, for a caller's own words. */
export class NoClipsError extends DatasetError {
  constructor(readonly root: string, readonly skipped: readonly UnreadableWavError[]) {
    super('no-clips', noClipsMessage(root, skipped));
  }
}

/**
 * Every clip of a Speech Commands folder (and its background recordings if asked) as 16 kHz
 * mono, with label, speaker and split. Throws DatasetError: as listSpeechCommands does,
 * 'no-clips' when not one clip could be read, 'cancelled' when the signal aborts, and (with
 * `unreadable: 'throw'`) the UnreadableWavError of the first file that cannot be read.
 */
export async function readSpeechCommands(root: string, options: ReadFolderOptions = {}): Promise<SpeechCommandsFolder> {
  const listing = await listSpeechCommands(root);
  const files = [
    ...(options.background ? listing.background.map((path) => ({ path, clip: undefined })) : []),
    ...listing.clips.map((clip) => ({ path: clip.path, clip })),
  ].sort((a, b) => byName(folderOf(a.path), folderOf(b.path))); // stable: each folder's files stay in name order
  const folder: SpeechCommandsFolder = { root, clips: [], background: [], skipped: [], splitFromLists: listing.lists !== undefined };
  let lastTick = performance.now();
  for (let i = 0; i < files.length; i++) {
    const { path, clip } = files[i];
    try {
      const samples = await readAs(join(root, path), path, { as: clip ? 'clip' : 'background' });
      if (samples.length === 0) throw new UnreadableWavError(path, 'it has no samples', 'empty');
      if (clip) folder.clips.push({ path, label: clip.label, speaker: clip.speaker, samples, split: clip.split });
      else folder.background.push({ path, samples });
    } catch (err) {
      if (!(err instanceof UnreadableWavError) || options.unreadable === 'throw') throw err;
      folder.skipped.push(err);
    }
    if (performance.now() - lastTick > PROGRESS_INTERVAL_MS || i === files.length - 1) {
      options.onProgress?.(i + 1, files.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastTick = performance.now();
      if (options.signal?.aborted) break;
    }
  }
  if (options.signal?.aborted) throw new DatasetError('cancelled', 'cancelled');
  if (folder.clips.length === 0) throw new NoClipsError(root, folder.skipped);
  return folder;
}
