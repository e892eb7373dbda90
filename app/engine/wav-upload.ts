// dataset.importWavs: WAV files the user picked in the UI arrive as bytes with the name
// the browser gave them (possibly a relative path from a folder picker, e.g.
// "yes/alice_nohash_0.wav"). They are written to a private temp folder in the same
// layout and imported with Dataset.importFolder, so both imports share one code path.
// The names are only ever used as single sanitised folder and file names under that
// temp folder. A file that would become one keyword clip but is longer than a clip may be
// is refused from its header (clipTooLong says what to do instead) and never written.

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { wavLayoutOf } from '../../core/audio/wav.js';
import { BACKGROUND_DIR, type Dataset, type ImportOptions, type ImportResult, type Rejection } from './dataset/store.js';
import { clipTooLong, MAX_CLIP_SECONDS } from './wav-file.js';

export interface UploadedWav {
  name: string;
  bytes: Uint8Array;
}

/** The last (at most three) segments of a browser-given name, each made a safe plain name. */
export function safeRelativeName(name: string, index: number): string[] {
  const segments = name
    .split(/[/\\]+/)
    // eslint-disable-next-line no-control-regex -- control characters are what is replaced
    .map((s) => s.replace(/[\0-\x1f\x7f:*?"<>|]/g, '-').trim())
    .filter((s) => s !== '' && s !== '.' && s !== '..');
  const kept = segments.slice(-3);
  let file = kept.pop() ?? `clip-${index}.wav`;
  if (!/\.wav$/i.test(file)) file = `${file}.wav`;
  // Keep `_background_noise_` (it routes the file); other folders lose leading dots.
  const folders = kept.map((s) => (s === '_background_noise_' ? s : s.replace(/^\.+/, '')) || 'folder');
  return [...folders, file.replace(/^\.+/, '') || `clip-${index}.wav`];
}

/** Seconds of audio the header of `bytes` declares, or null when it is not a readable WAV header (the import says why). */
function declaredSeconds(bytes: Uint8Array): number | null {
  try {
    return wavLayoutOf(bytes, { maxSeconds: Infinity }).durationSeconds;
  } catch {
    return null;
  }
}

export async function importUploadedWavs(dataset: Dataset, files: UploadedWav[], options: ImportOptions): Promise<ImportResult> {
  const temp = path.join(dataset.root, '..', `.upload-${randomBytes(6).toString('hex')}`);
  try {
    const taken = new Set<string>();
    const refused: Rejection[] = [];
    for (const [index, file] of files.entries()) {
      const parts = safeRelativeName(file.name, index);
      let rel = parts.join('/');
      for (let n = 1; taken.has(rel.toLowerCase()); n++) rel = [...parts.slice(0, -1), `${n}-${parts[parts.length - 1]}`].join('/');
      taken.add(rel.toLowerCase());
      const seconds = parts.includes(BACKGROUND_DIR) ? null : declaredSeconds(file.bytes);
      if (seconds !== null && seconds > MAX_CLIP_SECONDS) {
        const { code, message } = clipTooLong(seconds);
        refused.push({ file: rel, code, message });
        continue;
      }
      const target = path.join(temp, 'upload', ...rel.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.bytes);
    }
    if (refused.length === files.length) return { imported: [], background: [], rejected: refused };
    const result = await dataset.importFolder(path.join(temp, 'upload'), options);
    const rejected = [...refused, ...result.rejected].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return { ...result, rejected };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
