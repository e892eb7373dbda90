// Reads any folder in the Speech Commands layout, read-only — a Hark dataset or not:
//
//   <label>/<speaker>_nohash_<n>.wav      clips (folders starting with '.' or '_' are not labels)
//   _background_noise_/*.wav               background recordings
//   _unknown_/*.wav                        other speech (as the published Speech Commands test set has it)
//   _silence_/*.wav                        background too (ditto)
//   validation_list.txt, testing_list.txt  optional; they decide the splits when present
//
// Nothing is written into the folder (no manifest, no lock): it may be someone else's
// data set or on a read-only disk. Every WAV is decoded with core's strict decoder and
// resampled to 16 kHz; a file that cannot be read is a warning, not a failure. Files are
// read through a handle (app/node/wav-file.ts), their header checked first: a clip
// longer than one may be, or a background recording longer than MAX_BACKGROUND_SECONDS,
// is skipped without its audio being read, so a huge file costs kilobytes.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resample } from '../../core/audio/resample.js';
import { decodeWav, WavError, type DecodedWav } from '../../core/audio/wav.js';
import type { KwsClip } from '../../core/kws/examples.js';
import { isTempName } from '../node/dataset/atomic.js';
import { hashName, readSplitLists, splitOf, type Split } from '../node/dataset/split.js';
import { BACKGROUND_DIR, OTHER_SPEECH_LABEL, SAMPLE_RATE, SILENCE_DIR } from '../node/dataset/store.js';
import { readBackgroundFile, readClipFile, readWavFile } from '../node/wav-file.js';
import { CancelledError, CliError, describeErrno } from './errors.js';

export interface FolderClip extends KwsClip {
  /** Relative to the folder, '/'-separated. */
  path: string;
  split: Split;
}

export interface LoadedFolder {
  root: string;
  clips: FolderClip[];
  /** 16 kHz background recordings from `_background_noise_/`. */
  background: { path: string; samples: Float32Array }[];
  /** One sentence per file that was left out. */
  warnings: string[];
  /** Whether validation_list.txt / testing_list.txt decided the splits. */
  splitFromLists: boolean;
}

export interface LoadOptions {
  background?: boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function wavFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.wav') && !isTempName(e.name)).map((e) => e.name).sort(byName);
}

const to16k = (wav: DecodedWav): Float32Array => (wav.sampleRate === SAMPLE_RATE ? wav.samples : resample(wav.samples, wav.sampleRate, SAMPLE_RATE));

/** 16 kHz mono samples of a WAV file's bytes. Throws WavError. */
export function decodeTo16k(bytes: Uint8Array): Float32Array {
  return to16k(decodeWav(bytes));
}

/** Reads a WAV file (up to decodeWav's default limits, checked from its header) as 16 kHz mono; WAV errors name the file. */
export async function readWav16k(path: string): Promise<Float32Array> {
  try {
    return to16k(await readWavFile(path));
  } catch (err) {
    if (!(err instanceof WavError)) throw err;
    throw new CliError(`${path}: ${err.message}`, { cause: err });
  }
}

export async function loadFolder(root: string, options: LoadOptions = {}): Promise<LoadedFolder> {
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    throw new CliError(`cannot read the folder ${describeErrno(err) ?? root}`, { cause: err });
  }
  if (!info.isDirectory()) throw new CliError(`${root} is not a folder (expected <word>/<speaker>_nohash_<n>.wav inside)`);
  const lists = await readSplitLists(root);
  const files: { path: string; label: string; background: boolean }[] = [];
  const top = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort(byName);
  for (const name of top) {
    if (name === BACKGROUND_DIR || name === SILENCE_DIR) {
      if (options.background) for (const f of await wavFiles(join(root, name))) files.push({ path: `${name}/${f}`, label: name, background: true });
      continue;
    }
    if (name === OTHER_SPEECH_LABEL) {
      for (const f of await wavFiles(join(root, name))) files.push({ path: `${name}/${f}`, label: OTHER_SPEECH_LABEL, background: false });
      continue;
    }
    if (name.startsWith('.') || name.startsWith('_')) continue;
    for (const f of await wavFiles(join(root, name))) files.push({ path: `${name}/${f}`, label: name, background: false });
  }
  const clips: FolderClip[] = [];
  const background: LoadedFolder['background'] = [];
  const warnings: string[] = [];
  let lastTick = performance.now();
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    try {
      const samples = to16k(await (f.background ? readBackgroundFile : readClipFile)(join(root, f.path)));
      if (samples.length === 0) throw new Error('it has no samples');
      if (f.background) background.push({ path: f.path, samples });
      else {
        const file = f.path.slice(f.path.indexOf('/') + 1);
        clips.push({ path: f.path, label: f.label, speaker: hashName(file).replace(/\.wav$/i, ''), samples, split: splitOf(f.path, lists) });
      }
    } catch (err) {
      warnings.push(`skipped ${f.path}: ${describeErrno(err) ?? (err as Error).message}`);
    }
    if (performance.now() - lastTick > 100 || i === files.length - 1) {
      options.onProgress?.(i + 1, files.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastTick = performance.now();
      if (options.signal?.aborted) break;
    }
  }
  if (options.signal?.aborted) throw new CancelledError();
  if (clips.length === 0) {
    throw new CliError(`no readable clips in ${root}: expected the Speech Commands layout, <word>/<speaker>_nohash_<n>.wav` +
      (warnings.length ? ` (${warnings.length} file${warnings.length === 1 ? '' : 's'} could not be read, e.g. ${warnings[0].replace(/^skipped /, '')})` : ''));
  }
  return { root, clips, background, warnings, splitFromLists: lists !== undefined };
}

/** The folder's clips of each split. */
export function bySplit(clips: readonly FolderClip[]): Record<Split, FolderClip[]> {
  return {
    training: clips.filter((c) => c.split === 'training'),
    validation: clips.filter((c) => c.split === 'validation'),
    testing: clips.filter((c) => c.split === 'testing'),
  };
}
