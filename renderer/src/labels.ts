// How class names read on screen: the user's words as they are, and the two classes every
// model has (core/kws/labels.ts) in plain words, never `_unknown_` or `_background_`.
import { BACKGROUND_LABEL, isFillerLabel, UNKNOWN_LABEL } from '../../core/kws/labels.js';

/** The label other speech is recorded under (Speech Commands' `_unknown_` folder). */
export const OTHER_SPEECH = UNKNOWN_LABEL;

export function displayLabel(label: string): string {
  if (label === UNKNOWN_LABEL) return 'Other speech';
  if (label === BACKGROUND_LABEL) return 'Background';
  return label;
}

/** A word the user taught (not other speech or background). */
export const isWord = (label: string): boolean => !isFillerLabel(label);
