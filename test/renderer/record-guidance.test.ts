// The Record screen's guide (renderer/src/components/record/guidance.ts): its numbers come
// from what training uses, and its sentences count against them without ever naming an
// internal class.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../core/kws/recipe.js';
import { MIN_TAKES_TO_TEST, MIN_TAKES_TO_VALIDATE } from '../../app/node/dataset/split.js';
import { MAX_CLIP_SAMPLES, SAMPLE_RATE } from '../../app/shared/protocol.js';
import {
  BACKGROUND_TAKE_SECONDS, backgroundText, countText, MIN_CLIPS_PER_WORD, recordingGuide, TARGET_BACKGROUND_SECONDS,
  needsAttention, nextWordToRecord, TARGET_CLIPS_PER_WORD, TARGET_OTHER_SPEECH_CLIPS, wordAdvice,
} from '../../renderer/src/components/record/guidance.js';

const OTHER = '_unknown_';
const clips = (label: string, n: number, speaker = 'me') => Array.from({ length: n }, () => ({ label, speaker }));
const RAW = /_unknown_|_background_|_silence_/;

describe('the recording guide', () => {
  it('takes its minimum from the recipe, and the held-out rules from the split', () => {
    expect(MIN_CLIPS_PER_WORD).toBe(DEFAULT_RECIPE.minClipsPerWord);
    expect(TARGET_CLIPS_PER_WORD).toBeGreaterThan(MIN_CLIPS_PER_WORD);
    // The minimum leaves clips to hold out for both testing and validation.
    expect(MIN_CLIPS_PER_WORD).toBeGreaterThanOrEqual(MIN_TAKES_TO_VALIDATE);
    expect(MIN_TAKES_TO_VALIDATE).toBeGreaterThan(MIN_TAKES_TO_TEST);
    // A background take is saved in one call, which takes at most MAX_CLIP_SAMPLES.
    expect(BACKGROUND_TAKE_SECONDS * SAMPLE_RATE).toBeLessThanOrEqual(MAX_CLIP_SAMPLES);
  });

  it('with nothing recorded: three steps to do, asking for a first word', () => {
    const steps = recordingGuide([], [], 0);
    expect(steps.map((s) => [s.id, s.done])).toEqual([['words', false], ['other-speech', false], ['background', false]]);
    expect(steps[0].detail).toBe(`Add a word you want Hark to recognise, then record it ${TARGET_CLIPS_PER_WORD} times (at least ${MIN_CLIPS_PER_WORD}).`);
    expect(steps[2].detail).toBe(`Record ${TARGET_BACKGROUND_SECONDS} seconds of your room's usual noise, saying nothing: 0 of ${TARGET_BACKGROUND_SECONDS} s.`);
  });

  it('counts the words that reached the target, other speech and background seconds', () => {
    const all = [...clips('yes', TARGET_CLIPS_PER_WORD), ...clips('no', TARGET_CLIPS_PER_WORD - 1), ...clips(OTHER, 4)];
    const [words, other, background] = recordingGuide(['yes', 'no', 'stop'], all, 6.5);
    expect(words).toMatchObject({ done: false, value: 2 * TARGET_CLIPS_PER_WORD - 1, max: 3 * TARGET_CLIPS_PER_WORD });
    // yes is done; no is short of the target but past the minimum, so training can start with it
    expect(words.detail).toBe(`Record each word ${TARGET_CLIPS_PER_WORD} times (at least ${MIN_CLIPS_PER_WORD}): 1 of 3 words done. 2 have enough to train.`);
    const atMinimum = recordingGuide(['yes', 'no'], [...clips('yes', MIN_CLIPS_PER_WORD), ...clips('no', MIN_CLIPS_PER_WORD)], 0)[0];
    expect(atMinimum.detail).toMatch(/: 0 of 2 words done\. All have enough to train\.$/);
    expect(recordingGuide(['yes'], clips('yes', MIN_CLIPS_PER_WORD - 1), 0)[0].detail).toMatch(/: 0 of 1 word done\.$/);
    expect(other).toMatchObject({ done: false, value: 4, max: TARGET_OTHER_SPEECH_CLIPS });
    expect(other.detail).toMatch(new RegExp(`: 4 of ${TARGET_OTHER_SPEECH_CLIPS}\\.$`));
    expect(background).toMatchObject({ done: false, value: 6.5 });
    expect(background.detail).toMatch(/: 6 of 10 s\.$/);
  });

  it('every step done when each word, other speech and background reach their targets', () => {
    const all = [...clips('yes', TARGET_CLIPS_PER_WORD + 3), ...clips(OTHER, TARGET_OTHER_SPEECH_CLIPS + 5)];
    const steps = recordingGuide(['yes', OTHER], all, TARGET_BACKGROUND_SECONDS * 2);
    expect(steps.every((s) => s.done)).toBe(true);
    // Other speech is not one of the user's words; progress never runs past its bar.
    expect(steps[0].detail).toMatch(/1 of 1 word done\.$/);
    expect(steps.every((s) => s.value <= s.max)).toBe(true);
  });

  it('never shows an internal class name', () => {
    const texts = [
      ...recordingGuide(['yes', OTHER, '_background_'], [...clips(OTHER, 2), ...clips('_background_', 1)], 3).flatMap((s) => [s.title, s.detail]),
      ...[OTHER, 'yes'].flatMap((l) => [0, 2, 4, 12].flatMap((n) => [...wordAdvice(l, n, 1, true), countText(l, n)])),
    ];
    for (const t of texts) expect(t).not.toMatch(RAW);
  });
});

describe("a word's advice", () => {
  it('says why too few clips matter, from none to the minimum', () => {
    expect(wordAdvice('yes', 0, 0, false)).toEqual([`Record at least ${MIN_CLIPS_PER_WORD} (${TARGET_CLIPS_PER_WORD} is better). With fewer than ${MIN_TAKES_TO_TEST}, none can be kept aside to test the model on.`]);
    expect(wordAdvice('yes', MIN_TAKES_TO_TEST, 2, false)[0]).toMatch(new RegExp(`From ${MIN_TAKES_TO_VALIDATE}, some are kept aside`));
    expect(wordAdvice('yes', MIN_TAKES_TO_VALIDATE, 2, false)).toEqual([`Too few clips: record at least ${MIN_CLIPS_PER_WORD} (${TARGET_CLIPS_PER_WORD} is better).`]);
    expect(wordAdvice('yes', MIN_CLIPS_PER_WORD, 2, false)).toEqual([]);
  });

  it('asks for another speaker and a quieter take when needed', () => {
    expect(wordAdvice('yes', MIN_CLIPS_PER_WORD, 1, true)).toEqual([
      'Only one speaker so far: a few clips from someone else help the model generalise.',
      'Some takes clipped (too loud): move back from the microphone or lower its gain.',
    ]);
  });

  it('explains other speech, and counts it against its own target', () => {
    expect(wordAdvice(OTHER, 0, 0, false)[0]).toMatch(/^Anything but your commands/);
    expect(wordAdvice(OTHER, TARGET_OTHER_SPEECH_CLIPS, 1, false)).toHaveLength(1);
    expect(countText(OTHER, 3)).toBe(`3 / ${TARGET_OTHER_SPEECH_CLIPS} clips`);
    expect(countText('yes', 3)).toBe(`3 / ${TARGET_CLIPS_PER_WORD} clips`);
  });

  it('names a background recording by its file, and says when it cannot be read', () => {
    expect(backgroundText('room-1.wav', 10)).toBe('room-1 (10.0 s)');
    expect(backgroundText('HUM.WAV', null)).toBe('HUM (unreadable: delete it)');
  });
});

describe('the word the guide opens to record', () => {
  const w = (label: string, count: number) => ({ label, count });
  it('is the word short of its target with the fewest clips: a word just added comes first', () => {
    expect(nextWordToRecord([w('no', 10), w('stop', 0), w('yes', 12)])).toBe('stop');
    expect(nextWordToRecord([w('no', 10), w('stop', 10), w('yes', TARGET_CLIPS_PER_WORD)])).toBe('no'); // a tie: the first
    expect(nextWordToRecord([w('no', TARGET_CLIPS_PER_WORD), w('yes', TARGET_CLIPS_PER_WORD - 1)])).toBe('yes');
  });
  it('is the first word when every word has its target, and none without words', () => {
    expect(nextWordToRecord([w('no', TARGET_CLIPS_PER_WORD), w('yes', TARGET_CLIPS_PER_WORD + 3)])).toBe('no');
    expect(nextWordToRecord([])).toBeNull();
  });
});

describe('the "needs attention" flag on a card', () => {
  it('flags too few clips and clipping, not the tips every card has', () => {
    expect(needsAttention('yes', MIN_CLIPS_PER_WORD - 1, false)).toBe(true);
    expect(needsAttention('yes', MIN_CLIPS_PER_WORD, false)).toBe(false);
    expect(needsAttention('yes', TARGET_CLIPS_PER_WORD, true)).toBe(true);
    // One speaker's full set still has a tip (a second voice helps), but nothing to fix.
    expect(wordAdvice('yes', TARGET_CLIPS_PER_WORD, 1, false)).not.toEqual([]);
    expect(needsAttention('yes', TARGET_CLIPS_PER_WORD, false)).toBe(false);
    // Other speech always explains itself; it is flagged only below its target.
    expect(wordAdvice(OTHER, TARGET_OTHER_SPEECH_CLIPS + 6, 1, false)).not.toEqual([]);
    expect(needsAttention(OTHER, TARGET_OTHER_SPEECH_CLIPS + 6, false)).toBe(false);
    expect(needsAttention(OTHER, TARGET_OTHER_SPEECH_CLIPS - 1, false)).toBe(true);
  });
});
