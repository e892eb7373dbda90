// How a model reads in the model lists (the Models screen, the Train screen's table):
// its words, the other classes it tells them from in plain words, how its run went.
import type { TrainingRun } from '../../../../app/shared/protocol.js';
import { asSentence, describeEpochs } from '../../../../app/shared/training-summary.js';
import { displayLabel, isWord } from '../../labels.js';

/** "yes, no": the words the model spots. */
export function wordsOf(labels: readonly string[]): string {
  return labels.filter(isWord).map(displayLabel).join(', ');
}

/** "Other speech, Background": what else it tells them from (never `_unknown_` or `_background_`). */
export function otherClassesOf(labels: readonly string[]): string {
  return labels.filter((l) => !isWord(l)).map(displayLabel).join(', ');
}

/** "Stopped early at epoch 27 of 40 (kept epoch 19)." (the wording `hark train` prints), or why it is not known. */
export function runText(run: TrainingRun | null, source: 'trained' | 'imported'): string {
  if (run) return asSentence(describeEpochs(run));
  return source === 'imported' ? 'Imported: trained elsewhere.' : 'Not recorded for this model.';
}
