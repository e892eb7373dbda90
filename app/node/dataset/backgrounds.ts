// Background-noise recordings, `_background_noise_/<name>.wav`: not clips and not in the
// manifest; the folder itself is their list. Written atomically (atomic.ts) under a free
// name; deleted and restored through the trash (trash.ts). Every write runs in a turn of
// the dataset's write queue.

import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { encodeWav } from '../../../core/audio/wav.js';
import { BACKGROUND_DIR } from '../../../core/kws/labels.js';
import { isWavFileName } from '../speech-commands.js';
import { readWavFileLayout } from '../wav-file.js';
import { DatasetError, writeFileAtomic } from './atomic.js';
import { exists, toPosix } from './fs-helpers.js';
import { checkName, sanitise } from './names.js';
import { requireAudio } from './audio-check.js';

/** A background-noise recording (not a clip, not in the manifest). */
export interface BackgroundEntry {
  /** `_background_noise_/<file>.wav`, relative to the root. */
  path: string;
  /** The file name. */
  name: string;
  /** From the WAV header; null when the header cannot be read. */
  durationSeconds: number | null;
}

/** The stem of a recording's file when its name gives none. */
const DEFAULT_STEM = 'noise';

/** The background recordings of the dataset at `root`, paths relative to it, sorted. */
export async function backgroundFiles(root: string): Promise<string[]> {
  const dir = join(root, BACKGROUND_DIR);
  if (!(await exists(dir))) return [];
  return (await readdir(dir)).filter(isWavFileName).sort().map((f) => `${BACKGROUND_DIR}/${f}`);
}

/** A recording with its length read from its header (no audio is read); null when the header cannot be read. */
export async function backgroundEntry(root: string, path: string): Promise<BackgroundEntry> {
  let durationSeconds: number | null;
  try {
    durationSeconds = (await readWavFileLayout(join(root, path))).durationSeconds;
  } catch {
    durationSeconds = null;
  }
  return { path, name: basename(path), durationSeconds };
}

/** Throws DatasetError 'not-found' unless `path` is one of backgroundFiles. */
export async function requireBackground(root: string, path: string): Promise<void> {
  if (!(await backgroundFiles(root)).includes(toPosix(path))) throw new DatasetError('not-found', `no background recording ${path}`);
}

/**
 * Write 16 kHz samples as `_background_noise_/<name>.wav` (`-<i>` added if taken); its path.
 * Only in a turn of the write queue. Audio with no samples is refused (requireAudio) before
 * anything is written.
 */
export async function writeBackground(root: string, name: string, samples: Float32Array): Promise<string> {
  requireAudio('background recording', samples);
  const stem = sanitise(name.replace(/\.wav$/i, '')) || DEFAULT_STEM;
  checkName('background name', stem);
  const dir = join(root, BACKGROUND_DIR);
  await mkdir(dir, { recursive: true });
  let file = `${stem}.wav`;
  for (let i = 1; await exists(join(dir, file)); i++) file = `${stem}-${i}.wav`;
  await writeFileAtomic(join(dir, file), encodeWav(samples, SAMPLE_RATE));
  return `${BACKGROUND_DIR}/${file}`;
}
