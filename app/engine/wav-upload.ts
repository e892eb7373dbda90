// dataset.importWavs: WAV files the user picked in the UI arrive as bytes with the name
// the browser gave them (possibly a relative path from a folder picker, e.g.
// "yes/alice_nohash_0.wav"). They are written to a scratch folder in the same layout and
// imported with Dataset.importFolder, so both imports share one code path — and one set of
// reasons for refusing a file: a file name is kept as given (only made one plain name), so
// a name the store cannot use is rejected by the store with its reason, never dropped. The
// scratch folder is the dataset's (Dataset.stagingDir), so what a crash leaves of it is
// removed at the next open. A name the disk cannot hold (too long) is rejected alone. A
// file that would become one keyword clip but is longer than a clip may be is refused from
// its header (clipTooLong says what to do instead) and never written.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { wavLayoutOf } from '../../core/audio/wav.js';
import { BACKGROUND_FOLDERS } from '../../core/kws/labels.js';
import { OTHER_SPEECH_LABEL, type Dataset, type ImportOptions, type ImportResult, type Rejection } from '../node/dataset/store.js';
import { clipTooLong, MAX_CLIP_SECONDS } from '../node/wav-file.js';

export interface UploadedWav {
  name: string;
  bytes: Uint8Array;
}

/** Folders whose name says where their files go (app/node/dataset/import-folder.ts): kept as they are. */
const ROUTING_FOLDERS = [...BACKGROUND_FOLDERS, OTHER_SPEECH_LABEL];

/** The last (at most three) segments of a browser-given name, each made a safe plain name. */
export function safeRelativeName(name: string, index: number): string[] {
  const segments = name
    .split(/[/\\]+/)
    // eslint-disable-next-line no-control-regex -- control characters are what is replaced
    .map((s) => s.replace(/[\0-\x1f\x7f:*?"<>|]/g, '-'))
    .filter((s) => !['', '.', '..'].includes(s.trim()));
  const kept = segments.slice(-3);
  // The file keeps its name, leading dots and spaces too, so the store rejects what it
  // cannot use (a hidden file, no speaker in the name) with its reason; only trailing
  // spaces go (Windows cannot make such a name), and a name not ending in .wav gets it.
  let file = kept.pop()?.trimEnd() ?? `clip-${index}.wav`;
  if (!/\.wav$/i.test(file)) file = `${file}.wav`;
  // Keep `_background_noise_`, `_silence_` and `_unknown_` (they route the file); other folders lose leading dots (the store does not enter hidden folders).
  const folders = kept.map((s) => s.trim()).map((s) => (ROUTING_FOLDERS.includes(s) ? s : s.replace(/^\.+/, '')) || 'folder');
  return [...folders, file];
}

/** File-system errors that mean only that this one name cannot be written here, with the code of the rejection. */
const NAME_ERRORS: Record<string, { code: string; message: string }> = {
  ENAMETOOLONG: { code: 'name-too-long', message: 'the name is too long for a file name on this disk; rename the file to import it' },
  EILSEQ: { code: 'bad-name', message: 'the name cannot be a file name on this disk; rename the file to import it' },
  EINVAL: { code: 'bad-name', message: 'the name cannot be a file name on this disk; rename the file to import it' },
};

/** Seconds of audio the header of `bytes` declares, or null when it is not a readable WAV header (the import says why). */
function declaredSeconds(bytes: Uint8Array): number | null {
  try {
    return wavLayoutOf(bytes, { maxSeconds: Infinity }).durationSeconds;
  } catch {
    return null;
  }
}

export async function importUploadedWavs(dataset: Dataset, files: UploadedWav[], options: ImportOptions): Promise<ImportResult> {
  const temp = await dataset.stagingDir();
  try {
    const taken = new Set<string>();
    const refused: Rejection[] = [];
    for (const [index, file] of files.entries()) {
      const parts = safeRelativeName(file.name, index);
      let rel = parts.join('/');
      for (let n = 1; taken.has(rel.toLowerCase()); n++) rel = [...parts.slice(0, -1), `${n}-${parts[parts.length - 1]}`].join('/');
      taken.add(rel.toLowerCase());
      const seconds = parts.some((part) => BACKGROUND_FOLDERS.includes(part)) ? null : declaredSeconds(file.bytes);
      if (seconds !== null && seconds > MAX_CLIP_SECONDS) {
        const { code, message } = clipTooLong(seconds);
        refused.push({ file: rel, code, message });
        continue;
      }
      const target = path.join(temp, 'upload', ...rel.split('/'));
      try {
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, file.bytes);
      } catch (err) {
        const reason = NAME_ERRORS[(err as NodeJS.ErrnoException).code ?? ''];
        if (!reason) throw err; // a full or unwritable disk fails the whole upload
        refused.push({ file: rel, ...reason });
      }
    }
    if (refused.length === files.length) return { imported: [], background: [], rejected: refused };
    const result = await dataset.importFolder(path.join(temp, 'upload'), options);
    const rejected = [...refused, ...result.rejected].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return { ...result, rejected };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
