// The folders `hark train`, `eval` and `compare` read: any folder in the Speech Commands
// layout, read-only, through app/node/speech-commands.ts. This is the CLI's layer over that
// reader: its DatasetErrors become the CLI's errors (CliError, CancelledError) in the
// command's words, and each file that could not be read becomes a warning line.

import type { Split } from '../node/dataset/split.js';
import { DatasetError } from '../node/dataset/atomic.js';
import { NoClipsError, noClipsMessage, readSpeechCommands, type SpeechCommandsClip, type UnreadableWavError } from '../node/speech-commands.js';
import { CancelledError, CliError, describeErrno } from './errors.js';

export type FolderClip = SpeechCommandsClip;

export interface LoadedFolder {
  root: string;
  clips: FolderClip[];
  /** 16 kHz background recordings from `_background_noise_/` and `_silence_/`. */
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

/** What went wrong with a file, file-system errors in plain words. */
function problemOf(skipped: UnreadableWavError): string {
  return `${skipped.file}: ${describeErrno(skipped.cause) ?? skipped.reason}`;
}

/** A file left out, as a warning. */
function warningOf(skipped: UnreadableWavError): string {
  return `skipped ${problemOf(skipped)}`;
}

/** The reader's error in the command's words. */
function cliErrorOf(err: unknown, root: string): unknown {
  if (!(err instanceof DatasetError)) return err;
  if (err.code === 'cancelled') return new CancelledError();
  if (err.code === 'not-found') return new CliError(`cannot read the folder ${describeErrno(err.cause) ?? root}`, { cause: err });
  if (err instanceof NoClipsError) return new CliError(noClipsMessage(err.root, err.skipped, problemOf), { cause: err });
  return new CliError(err.message, { cause: err });
}

export async function loadFolder(root: string, options: LoadOptions = {}): Promise<LoadedFolder> {
  try {
    const { clips, background, skipped, splitFromLists } = await readSpeechCommands(root, options);
    return { root, clips, background, warnings: skipped.map(warningOf), splitFromLists };
  } catch (err) {
    throw cliErrorOf(err, root);
  }
}

/** The folder's clips of each split. */
export function bySplit(clips: readonly FolderClip[]): Record<Split, FolderClip[]> {
  return {
    training: clips.filter((c) => c.split === 'training'),
    validation: clips.filter((c) => c.split === 'validation'),
    testing: clips.filter((c) => c.split === 'testing'),
  };
}
