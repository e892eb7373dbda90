// Warnings about a word's clips that training would otherwise take in silence. A word
// whose clips hold no speech — a muted or unplugged microphone, a recording stopped before
// anyone spoke — still trains to a model (it learns to tell one silence from another) and
// then never fires. Speech is found as the recipe's windows find it: core/audio/endpoint.ts.

import { findSpeech } from '../audio/endpoint.js';
import { SAMPLE_RATE } from '../audio/sample-rate.js';
import type { KwsClip } from './examples.js';

/** A word is warned about when at least this share of its clips holds no speech: all of them, or all but a stray take. */
export const SILENT_WORD_SHARE = 0.9;

/**
 * One sentence for each of `words` whose training clips are (nearly) all silence or steady
 * noise: findSpeech finds no speech in at least SILENT_WORD_SHARE of them. Words without
 * clips, and clips that are not of one of the words, are not looked at.
 */
export function silentClipWarnings(train: readonly KwsClip[], words: readonly string[]): string[] {
  const warnings: string[] = [];
  for (const word of words) {
    const clips = train.filter((c) => c.label === word);
    if (clips.length === 0) continue;
    const silent = clips.filter((c) => findSpeech(c.samples, SAMPLE_RATE) === null).length;
    if (silent < SILENT_WORD_SHARE * clips.length) continue;
    const what = silent === clips.length
      ? `Every clip of "${word}" (${clips.length}) is silence`
      : `${silent} of the ${clips.length} clips of "${word}" are silence`;
    warnings.push(`${what}: no speech was found in ${silent === 1 ? 'it' : 'them'}, so the model cannot learn the word. ` +
      'Check that the microphone is on, not muted and the one you speak into, then record them again.');
  }
  return warnings;
}
