// What the report (ReportView.vue) says in words: what its accuracy was measured on (the
// sentence `hark train` prints too), and the clips the confusion matrix plays, named by
// speaker and number rather than by their path in the dataset (`_unknown_/me_nohash_3.wav`).
import type { ModelReport } from '../../../../app/shared/protocol.js';
import { asSentence, describeHeldOut } from '../../../../app/shared/training-summary.js';
import { displayLabel } from '../../labels.js';

/** Said in a row or cell of the report where the held-out clips had none of that class. */
export const NO_TEST_CLIPS = 'no test clips';

/** "Measured on 8 held-out takes of 1 speaker whose other takes it learned from. Other voices may do worse." */
export function measuredOnText(report: Pick<ModelReport, 'measuredOn' | 'split'>): string {
  const m = report.measuredOn;
  // Saved before the report recorded more than its split.
  if (!m) return `Measured on the ${report.split} clips, none of them used in training.`;
  const caveat = m.heardSpeakers > 0 ? ' Other voices may do worse.' : '';
  return `${asSentence(`measured on ${describeHeldOut(m)}`)}${caveat}`;
}

const CLIP_FILE = /^(.+)_nohash_(\d+)\.wav$/i;

/** "clip 3 by me" for `<label>/me_nohash_3.wav`; a file named otherwise by its name. */
export function clipName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const m = CLIP_FILE.exec(file);
  return m ? `clip ${m[2]} by ${m[1]}` : file.replace(/\.wav$/i, '');
}

export function playingText(index: number, count: number, path: string, said: string, heard: string): string {
  return `Playing ${index + 1} of ${count}: ${clipName(path)} (said “${displayLabel(said)}”, heard “${displayLabel(heard)}”)`;
}

/** Why a clip of the report did not play; the usual reason: it was relabelled or deleted since. */
export function cannotPlayText(path: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'not-found') return `Cannot play ${clipName(path)}: it is not in the dataset any more (relabelled or deleted since this report was made).`;
  const message = error instanceof Error ? error.message : String(error);
  return `Cannot play ${clipName(path)}: ${message.split(path).join(clipName(path))}`;
}
