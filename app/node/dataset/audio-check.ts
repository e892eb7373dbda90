// The one check every piece of audio passes before the dataset writes it: a clip or a
// background recording with no samples (a WAV file that is only a header, a recording that
// caught nothing) is refused, whichever way it came (recorded, imported, uploaded).

import { DatasetError } from './atomic.js';

/** Throws DatasetError 'empty-audio' unless `samples` holds at least one sample; `what` names it in the message. */
export function requireAudio(what: 'clip' | 'background recording', samples: Float32Array): void {
  if (!(samples instanceof Float32Array) || samples.length === 0) {
    throw new DatasetError('empty-audio', `the ${what} has no audio (not one sample): nothing to learn from`);
  }
}
