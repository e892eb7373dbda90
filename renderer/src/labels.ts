// How class names read on screen: the user's words as they are, and the two classes every
// model has (core/kws/labels.ts) in plain words, never `_unknown_` or `_background_`.
import { BACKGROUND_FOLDERS, BACKGROUND_LABEL, isFillerLabel, UNKNOWN_LABEL } from '../../core/kws/labels.js';

/** The label other speech is recorded under (Speech Commands' `_unknown_` folder). */
export const OTHER_SPEECH = UNKNOWN_LABEL;

export function displayLabel(label: string): string {
  if (label === UNKNOWN_LABEL) return 'Other speech';
  if (label === BACKGROUND_LABEL) return 'Background';
  return label;
}

/** A word the user taught (not other speech or background). */
export const isWord = (label: string): boolean => !isFillerLabel(label);

/** The dataset's folders of background recordings (core's, which the dataset store uses too). */
export { BACKGROUND_FOLDERS };

const folderLabel = (folder: string): string => displayLabel(BACKGROUND_FOLDERS.includes(folder) ? BACKGROUND_LABEL : folder);
// A class folder starting a path (after the start, a space, a quote or a `/`), never part of a longer name.
const CLASS_FOLDER = new RegExp(`(?<![\\w.-])(${[UNKNOWN_LABEL, BACKGROUND_LABEL, ...BACKGROUND_FOLDERS].join('|')})(?=/)`, 'g');

/**
 * An engine message as the screen shows it: a clip path's class folder in plain words, so
 * "no clip _unknown_/me_nohash_0.wav in the dataset" reads "no clip Other speech/me_nohash_0.wav
 * in the dataset", and `_background_noise_/kitchen.wav` reads `Background/kitchen.wav`.
 */
export function withDisplayLabels(message: string): string {
  return message.replace(CLASS_FOLDER, (folder) => folderLabel(folder));
}
