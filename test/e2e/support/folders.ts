// Folders of espeak-ng clips in the Speech Commands layout (<word>/<speaker>_nohash_<n>.wav,
// `_background_noise_/` for room noise), for the folder import of the Record screen, and
// the browser side of that import: the Record screen's folder picker
// (<input type=file webkitdirectory>), which Playwright fills with a whole directory as a
// person choosing that folder would.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { noise, speakWord } from './speech.js';

/** espeak-ng voice → speaker name ('en+m1' → 'en-m1'), as full-loop.test.ts records them. */
export const speakerOf = (voice: string): string => voice.replace('+', '-');

export interface FolderClip {
  /** The folder (label) it is filed under. */
  word: string;
  voice: string;
  /** What is actually said (default: `word`); another word makes a mislabelled clip. */
  say?: string;
}

/**
 * Writes `<root>/<word>/<speaker>_nohash_<n>.wav` for each clip (n counts per word and
 * speaker) and returns the relative paths in order.
 */
export function writeSpeechFolder(root: string, clips: FolderClip[], scratch: string): string[] {
  const taken = new Map<string, number>();
  return clips.map(({ word, voice, say }) => {
    const key = `${word}/${speakerOf(voice)}`;
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    const rel = `${word}/${speakerOf(voice)}_nohash_${n}.wav`;
    mkdirSync(join(root, word), { recursive: true });
    copyFileSync(speakWord(scratch, say ?? word, voice, n), join(root, rel));
    return rel;
  });
}

/** Room noise under `<root>/_background_noise_/<name>.wav`; returns its relative path. */
export function writeBackground(root: string, scratch: string, name = 'room', seconds = 3): string {
  const rel = `_background_noise_/${name}.wav`;
  mkdirSync(join(root, '_background_noise_'), { recursive: true });
  copyFileSync(noise(scratch, seconds, `bg-${name}`, 0.03), join(root, rel));
  return rel;
}

/**
 * A file that only looks like a WAV: a RIFF/WAVE header whose `fmt ` chunk says 7 channels
 * of 13-bit samples and whose `data` chunk claims more bytes than follow.
 */
export function malformedWav(): Uint8Array {
  const bytes = new Uint8Array(60);
  const view = new DataView(bytes.buffer);
  const text = (at: number, s: string): void => { for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i); };
  text(0, 'RIFF'); view.setUint32(4, 52, true); text(8, 'WAVE');
  text(12, 'fmt '); view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); view.setUint16(22, 7, true); view.setUint32(24, 16000, true);
  view.setUint32(28, 16000 * 7 * 2, true); view.setUint16(32, 14, true); view.setUint16(34, 13, true);
  text(36, 'data'); view.setUint32(40, 100_000, true);
  return bytes;
}

export function writeMalformedWav(root: string, rel: string): string {
  const path = join(root, rel);
  writeFileSync(path, malformedWav());
  return rel;
}

/**
 * Chooses `folder` in the Record screen's "Import a folder" panel and waits for its
 * summary ("Imported …"); returns that summary.
 */
export async function importFolder(page: Page, folder: string): Promise<string> {
  const panel = page.getByRole('region', { name: 'Import a folder' });
  await panel.getByLabel('Choose folder').setInputFiles(folder);
  const summary = panel.getByRole('status').filter({ hasText: /^Imported|^Import failed|^No / });
  await summary.waitFor({ timeout: 120_000 });
  return (await summary.textContent())?.trim() ?? '';
}
