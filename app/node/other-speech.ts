// The bundled other speech (assets/other-speech, made by `npm run make:other-speech`; its
// README says what is in it and whose it is): words and sentences in many voices and
// languages that every run mixes in as unknown speech (core/kws/recipe.ts, OtherSpeech).
// Read once per process and kept: a few megabytes of audio that every run reuses.
//
// Where it is: $HARK_OTHER_SPEECH if set (tests), else as bundled-asset.ts finds it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '../../core/audio/wav.js';
import { HarkError } from '../../core/errors.js';
import type { OtherSpeech } from '../../core/kws/recipe.js';
import { SAMPLE_RATE } from './dataset/store.js';
import { findBundled, onceRetrying } from './bundled-asset.js';

export const OTHER_SPEECH_DIR = 'other-speech';
const MANIFEST = 'manifest.json';

/** The bundled set is missing or damaged (training goes on without it, with a warning). */
export class OtherSpeechError extends HarkError {}

interface ManifestItem {
  file: string;
  kind: 'word' | 'speech';
  source: string;
  speaker: string;
  language: string;
  text: string;
}

/** The folder holding the set, or null when there is none (bundled-asset.ts says where it looks). */
export function findOtherSpeech(): string | null {
  return findBundled('HARK_OTHER_SPEECH', OTHER_SPEECH_DIR, MANIFEST);
}

function checkItem(x: unknown, i: number): ManifestItem {
  const e = x as Partial<ManifestItem> | null;
  const ok = typeof e === 'object' && e !== null && typeof e.file === 'string' && /^[\w-]+\/[\w.-]+\.wav$/.test(e.file) &&
    (e.kind === 'word' || e.kind === 'speech') && typeof e.speaker === 'string' && typeof e.text === 'string';
  if (!ok) throw new OtherSpeechError('bad-other-speech', `item ${i} of the other-speech manifest is malformed`);
  return e as ManifestItem;
}

/** Reads the set in `dir`: its words (label: what is said) and its continuous speech, 16 kHz. */
export async function readOtherSpeech(dir: string): Promise<OtherSpeech> {
  let manifest: { schemaVersion?: unknown; sampleRate?: unknown; items?: unknown };
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as typeof manifest;
  } catch (err) {
    throw new OtherSpeechError('bad-other-speech', `the other-speech manifest in ${dir} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (manifest.schemaVersion !== 1 || manifest.sampleRate !== SAMPLE_RATE || !Array.isArray(manifest.items)) {
    throw new OtherSpeechError('bad-other-speech', `the other-speech manifest in ${dir} is not schema 1 at ${SAMPLE_RATE} Hz`);
  }
  const words: OtherSpeech['words'][number][] = [];
  const speech: OtherSpeech['speech'][number][] = [];
  for (const [i, raw] of manifest.items.entries()) {
    const item = checkItem(raw, i);
    const wav = decodeWav(new Uint8Array(await readFile(join(dir, item.file))));
    if (wav.sampleRate !== SAMPLE_RATE) throw new OtherSpeechError('bad-other-speech', `${item.file} is at ${wav.sampleRate} Hz, not ${SAMPLE_RATE}`);
    if (item.kind === 'word') words.push({ label: item.text, speaker: item.speaker, samples: wav.samples });
    else speech.push({ label: item.text, speaker: item.speaker, samples: wav.samples });
  }
  return { words, speech };
}

/** The bundled set, read once per process (a failed read is tried again next time); null when it is not there. */
export const bundledOtherSpeech: () => Promise<OtherSpeech | null> = onceRetrying(async () => {
  const dir = findOtherSpeech();
  return dir === null ? null : readOtherSpeech(dir);
});
