// What the CLI (`hark train`) and the app both say about a finished training run: which
// clips its accuracy was measured on, and how its epochs went (early stopping, the epoch
// whose weights it kept). One wording for both, so they never disagree. No Node or DOM
// imports: the renderer uses it too.

import type { MeasuredOn, TrainingRun } from './protocol.js';

interface EpochLike {
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How many held-out clips, of how many speakers, and how many of those the model also learned from. */
export function countHeldOut(held: readonly { speaker: string }[], train: readonly { speaker: string }[]): Pick<MeasuredOn, 'clips' | 'speakers' | 'heardSpeakers'> {
  const speakers = new Set(held.map((c) => c.speaker));
  const learned = new Set(train.map((c) => c.speaker));
  return { clips: held.length, speakers: speakers.size, heardSpeakers: [...speakers].filter((s) => learned.has(s)).length };
}

/**
 * "12 clips of 3 speakers it never heard" / "8 held-out takes of 1 speaker whose other
 * takes it learned from" / "12 clips of 3 speakers, 1 of whom it also learned from".
 * Takes of a voice the model learned are a weaker test than a new voice, so it says which.
 */
export function describeHeldOut(m: Pick<MeasuredOn, 'basis' | 'clips' | 'speakers' | 'heardSpeakers'>): string {
  const takes = m.basis === 'take';
  const what = takes ? plural(m.clips, 'held-out take') : plural(m.clips, 'clip');
  const who = plural(m.speakers, 'speaker');
  if (m.heardSpeakers === 0) return `${what} of ${who} it never heard`;
  if (m.heardSpeakers === m.speakers) return `${what} of ${who} whose other ${takes ? 'takes' : 'clips'} it learned from`;
  return `${what} of ${who}, ${m.heardSpeakers} of whom it also learned from`;
}

/** The epoch whose weights a run kept: the one it says, else the lowest validation loss (training loss without validation). */
export function keptEpochOf<E extends EpochLike>(history: readonly E[], kept?: number): E | null {
  const said = kept !== undefined ? history.find((e) => e.epoch === kept) : undefined;
  if (said) return said;
  let best: E | null = null;
  for (const r of history) {
    const v = r.valLoss ?? r.trainLoss;
    if (best === null || v < (best.valLoss ?? best.trainLoss)) best = r;
  }
  return best;
}

/** How a run went, from a trained model's history and recipe; null when it has no history (e.g. imported from ONNX). */
export function trainingRunOf(m: { history: readonly EpochLike[]; recipe: { epochs: number }; keptEpoch?: number }): TrainingRun | null {
  const last = m.history.at(-1);
  const kept = keptEpochOf(m.history, m.keptEpoch);
  if (!last || !kept) return null;
  return { epochs: last.epoch, maxEpochs: m.recipe.epochs, keptEpoch: kept.epoch };
}

/** Whether early stopping ended the run before its last epoch. */
export const stoppedEarly = (run: TrainingRun): boolean => run.epochs < run.maxEpochs;

/** "stopped early at epoch 27 of 40 (kept epoch 19)" / "ran all 40 epochs (kept epoch 38)". */
export function describeEpochs(run: TrainingRun): string {
  const kept = `kept epoch ${run.keptEpoch}`;
  if (stoppedEarly(run)) return `stopped early at epoch ${run.epochs} of ${run.maxEpochs} (${kept})`;
  return run.maxEpochs === 1 ? `ran its one epoch` : `ran all ${run.maxEpochs} epochs (${kept})`;
}

/** A phrase as a sentence on its own: capital first letter, full stop. */
export function asSentence(phrase: string): string {
  return `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}${/[.!?]$/.test(phrase) ? '' : '.'}`;
}
