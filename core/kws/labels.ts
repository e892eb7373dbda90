// The classes of a keyword model: the user's words, then `_unknown_` (other speech) when
// the training data has any, then `_background_` (noise and silence), which is always
// learned. The two reserved names start with '_' so they can never clash with a word
// (the dataset store refuses labels that start with '_').

import { ConfigError } from '../errors.js';

export const UNKNOWN_LABEL = '_unknown_';
export const BACKGROUND_LABEL = '_background_';

/** The Speech Commands layout's folder of long background recordings (noise, a room): the background class. */
export const BACKGROUND_DIR = '_background_noise_';
/** Silence and noise clips in the published Speech Commands test set: the background class too. */
export const SILENCE_DIR = '_silence_';
/** The Speech Commands folders whose files are background, not clips. */
export const BACKGROUND_FOLDERS: readonly string[] = [BACKGROUND_DIR, SILENCE_DIR];

/** True for the classes the detector never reports: unknown speech and background. */
export function isFillerLabel(label: string): boolean {
  return label === UNKNOWN_LABEL || label === BACKGROUND_LABEL;
}

/** [...words, _unknown_ (if hasUnknown), _background_]. */
export function classLabels(words: readonly string[], hasUnknown: boolean): string[] {
  return [...words, ...(hasUnknown ? [UNKNOWN_LABEL] : []), BACKGROUND_LABEL];
}

/**
 * The class of a clip labelled `label`: the word itself, the background class for
 * background recordings, or `_unknown_` for any other label (a Speech Commands folder of
 * a word the model was not taught). -1 when the model has no class for it.
 */
export function classIndexOf(labels: readonly string[], label: string): number {
  const own = labels.indexOf(label);
  if (own >= 0) return own;
  if (label === BACKGROUND_DIR || label === BACKGROUND_LABEL) return labels.indexOf(BACKGROUND_LABEL);
  return labels.indexOf(UNKNOWN_LABEL);
}

/**
 * Refuses a list of words a model cannot be trained on, with ConfigError('bad-word'): a
 * reserved class name, or a word listed twice (the model would have two classes of one
 * name, and its ONNX export could not be imported again).
 */
export function checkWords(words: readonly string[]): void {
  const seen = new Set<string>();
  for (const w of words) {
    if (isFillerLabel(w)) throw new ConfigError('bad-word', `"${w}" is reserved and cannot be a word`);
    if (seen.has(w)) throw new ConfigError('bad-word', `"${w}" is listed twice: list each word once`);
    seen.add(w);
  }
}

/**
 * A text as it is spoken, for comparing words: accents and vowel marks dropped (NFD, no
 * combining marks), lower case, punctuation as spaces. "Olá" and "ola", "مَاء" and "ماء",
 * " Stop!" and "stop" are the same.
 */
export function spokenForm(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}'’]+/gu, ' ').trim();
}

/** Whether `text` says `word` (one or more words) as whole words, in spokenForm. */
export function says(text: string, word: string): boolean {
  const w = spokenForm(word);
  return w.length > 0 && ` ${spokenForm(text)} `.includes(` ${w} `);
}
