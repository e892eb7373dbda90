// The words on the Record screen: every word that has clips, and every word the user added
// or that had clips while the page has been open, so that a word whose clips are all
// deleted or relabelled keeps its card (to record it again) instead of vanishing. Only
// clips are stored: after a restart a word with no clips is gone, as before its first clip.
import { computed, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { isWord } from '../../labels.js';

/** The words to show from this session's and the dataset's: words only (not other speech), each once, sorted. */
export function wordsToShow(session: readonly string[], labels: readonly string[]): string[] {
  return [...new Set([...session, ...labels])].filter(isWord).sort();
}

/** A composable over its own session list (tests make their own; the app uses useSessionWords). */
export function createSessionWords() {
  const session = shallowRef<readonly string[]>([]);
  /** The words to show for the dataset's `labels`, remembered while the caller's scope lives; `add` keeps a new word. */
  return function useSessionWords(labels: MaybeRefOrGetter<readonly string[]>) {
    watch(() => toValue(labels), (now) => { session.value = wordsToShow(session.value, now); }, { immediate: true });
    const words = computed(() => wordsToShow(session.value, toValue(labels)));
    const add = (word: string): void => { session.value = wordsToShow(session.value, [word]); };
    return { words, add };
  };
}

/** The page's: one list for as long as it is open, whichever screen is shown. */
export const useSessionWords = createSessionWords();
