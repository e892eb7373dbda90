// Fake-microphone recordings made with espeak-ng and sox (required test tools, installed
// by .ci/run): words separated by silence, or white noise, as 16-bit mono WAV at 16 kHz
// (Chromium's fake device plays it back at 44.1 kHz, so the app resamples for real).

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'hark-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** One word from espeak-ng at 16 kHz mono. */
export function speakWord(dir: string, word: string, voice = 'en+m1', index = 0): string {
  const raw = join(dir, `${word}-${index}-raw.wav`);
  const out = join(dir, `${word}-${index}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, word]);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out]);
  return out;
}

/** `silence` seconds, then each word followed by `gap` seconds of silence. */
export function wordSequence(dir: string, name: string, words: string[], gap = 1, silence = 0.5, voice = 'en+m1'): string {
  const parts = words.map((w, i) => speakWord(dir, w, voice, i));
  const out = join(dir, `${name}.wav`);
  const pad = (f: string, i: number): string => {
    const p = join(dir, `${name}-part${i}.wav`);
    execFileSync('sox', [f, p, 'pad', i === 0 ? String(silence) : '0', String(gap)]);
    return p;
  };
  execFileSync('sox', [...parts.map(pad), out]);
  return out;
}

/** White noise at a modest level (about −26 dBFS RMS). */
export function noise(dir: string, seconds: number, name = 'noise'): string {
  const out = join(dir, `${name}.wav`);
  execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', out, 'synth', String(seconds), 'whitenoise', 'vol', '0.05']);
  return out;
}
