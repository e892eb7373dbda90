// Fake-microphone recordings made with espeak-ng and sox (required test tools, installed
// by .ci/run): words separated by silence, or white noise, as 16-bit mono WAV at 16 kHz
// (Chromium's fake device plays it back at 44.1 kHz, so the app resamples for real).

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export function tempDir(prefix = 'hark-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** One word from espeak-ng at 16 kHz mono. */
export function speakWord(dir: string, word: string, voice = 'en+m1', index = 0): string {
  const tag = `${word}-${voice.replace(/[^a-z0-9]/gi, '')}-${index}`;
  const raw = join(dir, `${tag}-raw.wav`);
  const out = join(dir, `${tag}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, word]);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out]);
  return out;
}

/** `silence` seconds, then each word followed by `gap` seconds of silence. */
export function wordSequence(dir: string, name: string, words: string[], gap = 1, silence = 0.5, voice = 'en+m1'): string {
  const parts = words.map((w, i) => speakWord(dir, w, voice, i));
  return concatWithGaps(dir, name, parts, gap, silence);
}

/** The files one after another: `silence` seconds first, `gap` seconds after each. */
export function concatWithGaps(dir: string, name: string, parts: string[], gap: number, silence: number): string {
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
export function noise(dir: string, seconds: number, name = 'noise', volume = 0.05): string {
  const out = join(dir, `${name}.wav`);
  execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', out, 'synth', String(seconds), 'whitenoise', 'vol', String(volume)]);
  return out;
}

/** Mixes two 16 kHz mono files of the same length (e.g. speech over room noise). */
export function mix(dir: string, name: string, a: string, b: string): string {
  const out = join(dir, `${name}.wav`);
  execFileSync('sox', ['-m', a, b, out]);
  return out;
}

/** The file without its leading and trailing silence (espeak-ng pads each word with about 0.3 s). */
export function trimSilence(dir: string, wav: string): string {
  const out = join(dir, `${basename(wav, '.wav')}-trimmed.wav`);
  execFileSync('sox', [wav, out, 'silence', '1', '0.01', '0.5%', 'reverse', 'silence', '1', '0.01', '0.5%', 'reverse']);
  return out;
}
