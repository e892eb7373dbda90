// dataset.importWavs: WAV files the user picked in the UI arrive as bytes with the name
// the browser gave them (possibly a relative path from a folder picker, e.g.
// "yes/alice_nohash_0.wav"). They are written to a private temp folder in the same
// layout and imported with Dataset.importFolder, so both imports share one code path.
// The names are only ever used as single sanitised folder and file names under that
// temp folder.

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Dataset, ImportOptions, ImportResult } from './dataset/store.js';

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

export async function importUploadedWavs(dataset: Dataset, files: UploadedWav[], options: ImportOptions): Promise<ImportResult> {
  const temp = path.join(dataset.root, '..', `.upload-${randomBytes(6).toString('hex')}`);
  try {
    const taken = new Set<string>();
    for (const [index, file] of files.entries()) {
      const parts = safeRelativeName(file.name, index);
      let rel = parts.join('/');
      for (let n = 1; taken.has(rel.toLowerCase()); n++) rel = [...parts.slice(0, -1), `${n}-${parts[parts.length - 1]}`].join('/');
      taken.add(rel.toLowerCase());
      const target = path.join(temp, 'upload', ...rel.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.bytes);
    }
    return await dataset.importFolder(path.join(temp, 'upload'), options);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
