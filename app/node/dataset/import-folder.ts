// Importing a folder of WAV files into the dataset: every .wav under it, at any depth, in
// any rate, channels and sample format, converted to 16 kHz mono 16-bit. A file's label is
// the name of the folder it is in (Speech Commands' `_unknown_` is other speech here too),
// its speaker the part of its name before `_nohash_`; files under a `_background_noise_` or
// `_silence_` folder are background noise. Each file that is not imported is reported with
// its reason; the rest are imported.

import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { HarkError } from '../../../core/errors.js';
import { isBackgroundFolder, OTHER_SPEECH_LABEL, readWav16k, speakerOf, UnreadableWavError } from '../speech-commands.js';
import { DatasetError } from './atomic.js';
import { writeBackground } from './backgrounds.js';
import type { ClipIndex } from './clip-index.js';
import { toPosix } from './fs-helpers.js';
import type { ClipEntry } from './manifest.js';
import { checkName, derivedName } from './names.js';
import type { WriteQueue } from './write-queue.js';

export interface Rejection {
  file: string;
  code: string;
  message: string;
}

export interface ImportResult {
  imported: ClipEntry[];
  /** Background-noise files imported into `_background_noise_/` (paths relative to the root). */
  background: string[];
  rejected: Rejection[];
}

export interface ImportOptions {
  /** Label for every file; default: the name of the folder the file is in. */
  label?: string;
  /** Speaker for every file; default: the part of the file name before `_nohash_`. */
  speaker?: string;
}

/** The .wav files under `src`, in name order. Hidden ones are listed (to be reported, not imported); hidden folders are not entered. */
async function listWavs(src: string): Promise<{ path: string; hidden: boolean }[]> {
  const out: { path: string; hidden: boolean }[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(d, e.name);
      const hidden = e.name.startsWith('.');
      if (e.isDirectory()) {
        if (!hidden) await walk(full);
      } else if (e.isFile() && e.name.toLowerCase().endsWith('.wav')) {
        out.push({ path: full, hidden });
      }
    }
  };
  try {
    await walk(src);
  } catch (err) {
    throw new DatasetError('not-found', `cannot read the folder ${src}: ${(err as Error).message}`, { cause: err });
  }
  return out;
}

/** Why a file was not imported, in words without its path (the rejection names it). */
function rejectionOf(file: string, err: unknown): Rejection {
  return {
    file,
    code: err instanceof HarkError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'unreadable'),
    message: err instanceof UnreadableWavError ? err.reason : (err as Error).message,
  };
}

/** Import one file (`rel` to the import's root): a clip or a background recording. Throws why it cannot be. */
async function importFile(index: ClipIndex, queue: WriteQueue, file: string, rel: string, source: string, options: ImportOptions, result: ImportResult): Promise<void> {
  const parts = rel.split('/');
  const background = parts.some(isBackgroundFolder);
  // Through a file handle: the header is checked (cut off, too long for a clip or for
  // background) before any audio is read, so a huge file costs kilobytes to refuse.
  const samples = await readWav16k(file, { as: background ? 'background' : 'clip', refuseCutOff: true });
  if (background) {
    result.background.push(await queue.run(() => writeBackground(index.root, basename(file), samples)));
    return;
  }
  if (options.label === undefined && parts.length < 2) throw new DatasetError('no-label', 'the file is not in a label folder and no label was given');
  const folder = parts[parts.length - 2];
  const label = options.label ?? (folder === OTHER_SPEECH_LABEL ? OTHER_SPEECH_LABEL : derivedName('label', folder, folder));
  const speaker = options.speaker ?? derivedName('speaker', basename(file), speakerOf(basename(file)));
  const entry = await queue.run(() => index.writeClip(label, speaker, samples, source));
  result.imported.push({ ...entry });
}

/**
 * Import every .wav under `src` into the dataset (see the header). Files are read through a
 * handle, so a huge one is refused from its header. Not all-or-nothing: clips are written
 * one by one, each in its own turn on the write queue (a recording made during a long
 * import is not kept waiting for all of it), and the manifest is saved once, so a crash
 * part-way leaves (after the next open's recovery) the dataset before the import plus a
 * prefix of the imported clips, in import order (test/.../fault-injection.test.ts).
 */
export async function importFolder(index: ClipIndex, queue: WriteQueue, src: string, options: ImportOptions = {}): Promise<ImportResult> {
  if (options.label !== undefined) checkName('label', options.label);
  if (options.speaker !== undefined) checkName('speaker', options.speaker);
  const files = await listWavs(src);
  const result: ImportResult = { imported: [], background: [], rejected: [] };
  const srcName = basename(src);
  try {
    for (const { path: file, hidden } of files) {
      const rel = toPosix(relative(src, file));
      try {
        if (hidden) {
          throw new DatasetError('hidden-file', "a hidden file (its name starts with '.', like the ._ copies macOS leaves on other disks) is not imported; rename it to import it");
        }
        await importFile(index, queue, file, rel, `import:${srcName}/${rel}`, options, result);
      } catch (err) {
        result.rejected.push(rejectionOf(rel, err));
      }
    }
  } finally {
    if (result.imported.length > 0) await queue.run(() => index.save());
  }
  return result;
}
