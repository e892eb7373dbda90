// Labels and speakers become folder and file names (`<label>/<speaker>_nohash_<n>.wav`):
// the rules a name must follow, and how one is made from the name of a file or folder
// being imported. A name that cannot be used is a DatasetError ('bad-name',
// 'name-too-long'), never cut or silently changed.

import { OTHER_SPEECH_LABEL } from '../speech-commands.js';
import { DatasetError } from './atomic.js';

/**
 * Longest label or speaker, in UTF-8 bytes. Both become file names, and the longest name the
 * store makes from a speaker, `.<speaker>_nohash_<n>.wav.hark-tmp-<pid>-<hex>`, must stay
 * within the 255 bytes most file systems allow (about 50 more than the speaker).
 */
export const MAX_NAME_BYTES = 200;

/** Characters of a name shown in a message before it is shortened. */
const PREVIEW_CHARS = 40;

/** A long name shortened for a message (whole characters). */
function preview(name: unknown): string {
  if (typeof name !== 'string') return JSON.stringify(name);
  const chars = [...name];
  return JSON.stringify(chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : name);
}

/** Throws DatasetError unless `name` can be a label, speaker or background file name. */
export function checkName(kind: 'label' | 'speaker' | 'background name', name: string): void {
  if (typeof name === 'string' && Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    throw new DatasetError('name-too-long', `the ${kind} ${preview(name)} is ${Buffer.byteLength(name, 'utf8')} bytes in UTF-8; at most ${MAX_NAME_BYTES} fit in a file name`);
  }
  // A lone surrogate cannot be written to a file name (it becomes U+FFFD on disk).
  // The one label that may start with '_': other speech, the folder Speech Commands calls `_unknown_`.
  if (kind === 'label' && name === OTHER_SPEECH_LABEL) return;
  const ok = typeof name === 'string' && name.length > 0 && !/[/\\\0:*?"<>|]|\p{Cs}/u.test(name) &&
    !name.startsWith('.') && !name.startsWith('_') && name.trim() === name && !name.includes('_nohash_');
  if (!ok) throw new DatasetError('bad-name', `${preview(name)} is not a valid ${kind} (no slashes, no leading '.' or '_', no '_nohash_')`);
}

/** A name from a file or folder made safe as a label or speaker (too long a name is refused by checkName, never cut). */
export function sanitise(name: string): string {
  return name.replace(/_nohash_/g, '-').replace(/[/\\\0:*?"<>|\s]+/g, '-').replace(/^[._]+/, '');
}

/** A label or speaker taken from a folder or file name: it must name something (a letter or digit), not only separators. */
export function derivedName(kind: 'label' | 'speaker', from: string, raw: string): string {
  const name = sanitise(raw);
  if (!/[\p{L}\p{N}]/u.test(name)) {
    throw new DatasetError('bad-name', kind === 'label'
      ? `the folder name ${preview(from)} has no letter or digit to use as a label; rename the folder or give a label`
      : `the file name ${preview(from)} has no letter or digit to use as a speaker; name it <speaker>_nohash_<n>.wav or give a speaker`);
  }
  checkName(kind, name);
  return name;
}
