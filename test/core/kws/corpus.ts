// Speech for the accuracy tests, read from disk: the spoken digits (FSDD, CC BY-SA 4.0,
// read in place from ../shared/data/fsdd) and keyword sets synthesised with espeak-ng
// (scripts/make-keywords.ts). Every clip resampled to 16 kHz.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resample } from '../../../core/audio/resample.js';
import { decodeWav } from '../../../core/audio/wav.js';
import type { KwsClip } from '../../../core/kws/examples.js';

export const FSDD = join(import.meta.dirname, '../../../../shared/data/fsdd');

export interface CorpusClip extends KwsClip {
  /** `<label>/<file>` */
  path: string;
  take: number;
}

/** Every `<label>/<speaker>_nohash_<take>.wav` under root. */
export function readSpeechCommandsFolder(root: string): CorpusClip[] {
  const out: CorpusClip[] = [];
  for (const label of readdirSync(root).sort()) {
    const dir = join(root, label);
    if (label.startsWith('.') || label.startsWith('_') || !statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      const m = /^(.+)_nohash_(\d+)\.wav$/.exec(file);
      if (!m) continue;
      const wav = decodeWav(readFileSync(join(dir, file)));
      const samples = wav.sampleRate === 16000 ? wav.samples : resample(wav.samples, wav.sampleRate, 16000);
      out.push({ label, speaker: m[1], take: Number(m[2]), samples, path: `${label}/${file}` });
    }
  }
  return out;
}
