// What the Record screen asks a new user to record, and how much: the numbers are declared
// here once, taken from what training itself uses where that is the real constraint, and
// the guide's sentences are made from them by pure functions (test/renderer/record-guidance.test.ts).
import { DEFAULT_RECIPE } from '../../../../core/kws/recipe.js';
import { MIN_TAKES_TO_TEST, MIN_TAKES_TO_VALIDATE } from '../../../../app/shared/held-out.js';
import { isWord, OTHER_SPEECH } from '../../labels.js';

/** Fewer clips of a word than this and training warns (the recipe's minClipsPerWord). */
export const MIN_CLIPS_PER_WORD = DEFAULT_RECIPE.minClipsPerWord;
/** What to aim for: twice the minimum, where the recipe's warning says "20–30 is better". */
export const TARGET_CLIPS_PER_WORD = 2 * MIN_CLIPS_PER_WORD;
/**
 * Other speech is optional (a run mixes in Hark's bundled set), but the user's own, in their
 * voice and room, helps most: as many clips as one word's minimum.
 */
export const TARGET_OTHER_SPEECH_CLIPS = MIN_CLIPS_PER_WORD;
/** Longest take of words: it stops by itself after this (one take holds several clips). */
export const TAKE_SECONDS = 10;
/** One background recording, kept whole as one file (at most the protocol's MAX_CLIP_SAMPLES). */
export const BACKGROUND_TAKE_SECONDS = 10;
/** A background take stopped before this share of BACKGROUND_TAKE_SECONDS is not saved. */
export const BACKGROUND_MIN_SHARE = 0.9;
/** The guide asks for one background take; more from other places helps but is not required. */
export const TARGET_BACKGROUND_SECONDS = BACKGROUND_TAKE_SECONDS;

export interface ClipCounts {
  label: string;
  speaker: string;
}

export interface GuideStep {
  id: 'words' | 'other-speech' | 'background';
  title: string;
  /** One sentence: what to record, and how far along it is. */
  detail: string;
  done: boolean;
  /** Progress against the recommendation, for a bar: value of max. */
  value: number;
  max: number;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The three steps of the guide. `words`: the user's words (with or without clips yet);
 * `clips`: every clip; `backgroundSeconds`: the length of every background recording.
 */
export function recordingGuide(words: readonly string[], clips: readonly ClipCounts[], backgroundSeconds: number): GuideStep[] {
  const counts = new Map<string, number>();
  for (const c of clips) counts.set(c.label, (counts.get(c.label) ?? 0) + 1);
  const own = words.filter(isWord);
  const wordsDone = own.filter((w) => (counts.get(w) ?? 0) >= TARGET_CLIPS_PER_WORD).length;
  // Short of the target but past the minimum is not nothing: training can start.
  const wordsEnough = own.filter((w) => (counts.get(w) ?? 0) >= MIN_CLIPS_PER_WORD).length;
  const other = counts.get(OTHER_SPEECH) ?? 0;
  const background = Math.max(0, backgroundSeconds);
  return [
    {
      id: 'words',
      title: 'Your words',
      detail: own.length === 0
        ? `Add a word you want Hark to recognise, then record it ${TARGET_CLIPS_PER_WORD} times (at least ${MIN_CLIPS_PER_WORD}).`
        : `Record each word ${TARGET_CLIPS_PER_WORD} times (at least ${MIN_CLIPS_PER_WORD}): ${wordsDone} of ${plural(own.length, 'word')} done.` +
          (wordsEnough > wordsDone ? ` ${wordsEnough === own.length ? 'All' : wordsEnough} ${wordsEnough === 1 ? 'has' : 'have'} enough to train.` : ''),
      done: own.length > 0 && wordsDone === own.length,
      // The bar fills with every clip up to each word's target, not only with finished words.
      value: own.reduce((sum, w) => sum + Math.min(counts.get(w) ?? 0, TARGET_CLIPS_PER_WORD), 0),
      max: Math.max(1, own.length) * TARGET_CLIPS_PER_WORD,
    },
    {
      id: 'other-speech',
      title: 'Other speech',
      detail: `Record ${TARGET_OTHER_SPEECH_CLIPS} or more other words and sentences, anything but your commands, so that Hark learns what not to react to: ${Math.min(other, TARGET_OTHER_SPEECH_CLIPS)} of ${TARGET_OTHER_SPEECH_CLIPS}.`,
      done: other >= TARGET_OTHER_SPEECH_CLIPS,
      value: Math.min(other, TARGET_OTHER_SPEECH_CLIPS),
      max: TARGET_OTHER_SPEECH_CLIPS,
    },
    {
      id: 'background',
      title: 'Background',
      detail: `Record ${TARGET_BACKGROUND_SECONDS} seconds of your room's usual noise, saying nothing: ${Math.floor(Math.min(background, TARGET_BACKGROUND_SECONDS))} of ${TARGET_BACKGROUND_SECONDS} s.`,
      done: background >= TARGET_BACKGROUND_SECONDS,
      value: Math.min(background, TARGET_BACKGROUND_SECONDS),
      max: TARGET_BACKGROUND_SECONDS,
    },
  ];
}

/** What a word's card asks for, one sentence each (nothing when it is on its way). */
export function wordAdvice(label: string, count: number, speakers: number, clipped: boolean): string[] {
  const advice: string[] = [];
  if (label === OTHER_SPEECH) {
    advice.push('Anything but your commands: other words and sentences you say near the computer. Hark mixes in its own other voices and languages; yours teach it your voice and your room.');
    if (count < TARGET_OTHER_SPEECH_CLIPS) advice.push(`A few takes help: ${TARGET_OTHER_SPEECH_CLIPS} or more.`);
  } else {
    if (count < MIN_TAKES_TO_TEST) {
      advice.push(`Record at least ${MIN_CLIPS_PER_WORD} (${TARGET_CLIPS_PER_WORD} is better). With fewer than ${MIN_TAKES_TO_TEST}, none can be kept aside to test the model on.`);
    } else if (count < MIN_CLIPS_PER_WORD) {
      advice.push(`Too few clips: record at least ${MIN_CLIPS_PER_WORD} (${TARGET_CLIPS_PER_WORD} is better).${count < MIN_TAKES_TO_VALIDATE ? ` From ${MIN_TAKES_TO_VALIDATE}, some are kept aside to check training as it goes.` : ''}`);
    }
    if (count > 0 && speakers === 1) advice.push('Only one speaker so far: a few clips from someone else help the model generalise.');
  }
  if (clipped) advice.push('Some takes clipped (too loud): move back from the microphone or lower its gain.');
  return advice;
}

/**
 * Whether a card is flagged "needs attention": too few clips (a word below the minimum,
 * other speech below its target) or a take that clipped. wordAdvice's explanations and tips
 * (what other speech is, a second speaker helps) are shown on the card's panel, unflagged.
 */
export function needsAttention(label: string, count: number, clipped: boolean): boolean {
  return clipped || count < (label === OTHER_SPEECH ? TARGET_OTHER_SPEECH_CLIPS : MIN_CLIPS_PER_WORD);
}

/** "12 / 20 clips": a card's count against its target. */
export function countText(label: string, count: number): string {
  return `${count} / ${label === OTHER_SPEECH ? TARGET_OTHER_SPEECH_CLIPS : TARGET_CLIPS_PER_WORD} clips`;
}

/** The target a card's bar fills to. */
export const targetFor = (label: string): number => (label === OTHER_SPEECH ? TARGET_OTHER_SPEECH_CLIPS : TARGET_CLIPS_PER_WORD);

/**
 * The word the guide's "Record words" opens: of the words short of their target, the one
 * with the fewest clips (a word just added, first; ties in the order given), else the first
 * word; null when there is none.
 */
export function nextWordToRecord(words: readonly { label: string; count: number }[]): string | null {
  let next: { label: string; count: number } | null = null;
  for (const w of words) if (w.count < TARGET_CLIPS_PER_WORD && (next === null || w.count < next.count)) next = w;
  return (next ?? words[0])?.label ?? null;
}

/** A background recording's name as listed: its file name without `.wav`, and its length. */
export function backgroundText(name: string, durationSeconds: number | null): string {
  const stem = name.replace(/\.wav$/i, '');
  return durationSeconds === null ? `${stem} (unreadable: delete it)` : `${stem} (${durationSeconds.toFixed(1)} s)`;
}
