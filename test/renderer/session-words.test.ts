// The Record screen's word cards (renderer/src/components/record/session-words.ts): a word
// the user added, or that had clips, keeps its card this session when its clips are all
// deleted or relabelled; other speech is never a word; a fresh page (a restart) knows only
// the words with clips.
import { describe, expect, it } from 'vitest';
import { effectScope, nextTick, shallowRef } from 'vue';
import { createSessionWords, wordsToShow } from '../../renderer/src/components/record/session-words.js';

describe('the words on the Record screen', () => {
  it('are this session\'s and the dataset\'s words, each once, sorted, without other speech', () => {
    expect(wordsToShow(['yes', 'stop'], ['_unknown_', 'no', 'yes'])).toEqual(['no', 'stop', 'yes']);
    expect(wordsToShow([], [])).toEqual([]);
  });

  it('keep a word whose clips are all gone, and one added before its first clip, while the page is open', async () => {
    const useSessionWords = createSessionWords();
    const labels = shallowRef<string[]>(['_unknown_', 'no', 'yes']);
    const scope = effectScope();
    const { words, add } = scope.run(() => useSessionWords(labels))!;
    expect(words.value).toEqual(['no', 'yes']);

    add('stop'); // added, no clip yet
    expect(words.value).toEqual(['no', 'stop', 'yes']);

    labels.value = ['_unknown_', 'yes']; // every clip of "no" deleted or relabelled
    await nextTick();
    expect(words.value).toEqual(['no', 'stop', 'yes']);

    labels.value = ['_unknown_', 'later', 'yes']; // a word that came with clips (an import)
    await nextTick();
    labels.value = ['_unknown_', 'yes'];
    await nextTick();
    expect(words.value).toEqual(['later', 'no', 'stop', 'yes']);

    // Another screen and back: the Record screen is made again, the list is the page's.
    scope.stop();
    const again = effectScope().run(() => useSessionWords(labels))!;
    expect(again.words.value).toEqual(['later', 'no', 'stop', 'yes']);
  });

  it('after a restart, know only the words that have clips', () => {
    const labels = shallowRef<string[]>(['_unknown_', 'yes']);
    const { words } = effectScope().run(() => createSessionWords()(labels))!;
    expect(words.value).toEqual(['yes']);
  });
});
