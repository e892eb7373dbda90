// Speech for the accuracy tests, read from disk: the spoken digits (FSDD, CC BY-SA 4.0,
// read in place from ../shared/data/fsdd) and keyword sets synthesised with espeak-ng
// (scripts/make-keywords.ts). Read by app/node/speech-commands.ts, every clip at 16 kHz.
import { join } from 'node:path';
import type { KwsClip } from '../../../core/kws/examples.js';
import { listSpeechCommands, OTHER_SPEECH_LABEL, readWav16k } from '../../../app/node/speech-commands.js';
import { FSDD } from '../../../scripts/shared-data.js';

export { FSDD };

export interface CorpusClip extends KwsClip {
  /** `<label>/<file>` */
  path: string;
  take: number;
}

/**
 * Every `<label>/<speaker>_nohash_<take>.wav` under root (words only: not other speech, not
 * files without a take). A file that cannot be read fails the test that asked.
 */
export async function readSpeechCommandsFolder(root: string): Promise<CorpusClip[]> {
  const out: CorpusClip[] = [];
  for (const { label, speaker, take, path } of (await listSpeechCommands(root)).clips) {
    if (label === OTHER_SPEECH_LABEL || take === null) continue;
    out.push({ label, speaker, take, samples: await readWav16k(join(root, path), { as: 'clip' }), path });
  }
  return out;
}
