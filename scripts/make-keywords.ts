// Synthesises a keyword set with espeak-ng, in the Speech Commands layout:
//
//   <out>/<word>/<speaker>_nohash_<n>.wav    16 kHz mono 16-bit (espeak-ng's 22.05 kHz via sox, no dither)
//
// The speaker is the voice with its variant ('en+m3' → 'en-m3'), so a split by speaker holds
// out whole voices. Each voice says each word once per (rate, pitch), numbered in that order:
// the output is deterministic (no randomness). Needs espeak-ng and sox on the PATH.
//   npm run make:keywords -- <out-dir> [--words yes,no] [--voices en+m1,en+f2] [--rates 130,180] [--pitches 40,60]
//   makeKeywords({ out, words?, voices?, rates?, pitches? })

import { execFile as execFileCb } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SAMPLE_RATE } from '../core/audio/sample-rate.js';

const execFile = promisify(execFileCb);

export const DEFAULT_WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];
export const DEFAULT_RATES = [130, 180];
export const DEFAULT_PITCHES = [35, 65];
const VARIANTS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'f1', 'f2', 'f3', 'f4', 'f5'];

export interface MakeKeywordsOptions {
  /** Output folder (created if missing). */
  out: string;
  words?: string[];
  /** espeak-ng voices, e.g. 'en+m3'; default: `en` with variants m1–m7 and f1–f5, plus en-us and en-gb if installed. */
  voices?: string[];
  /** Speaking rates (words per minute, espeak-ng -s). */
  rates?: number[];
  /** Pitches (0–99, espeak-ng -p). */
  pitches?: number[];
  /** Called after each take with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Parallel espeak-ng/sox jobs; default: the number of CPUs. */
  concurrency?: number;
}

export interface MakeKeywordsResult {
  /** Paths written, relative to `out`, '/'-separated, sorted. */
  files: string[];
  words: string[];
  voices: string[];
  /** The speaker name of each voice, in the order of `voices`. */
  speakers: string[];
}

/** The speaker name of an espeak-ng voice: safe as a file name and as a Hark speaker. */
export function speakerOf(voice: string): string {
  return voice.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The default voices: `en` variants, plus `en-us` and `en-gb` if this espeak-ng has them. */
export async function defaultVoices(): Promise<string[]> {
  const voices = VARIANTS.map((v) => `en+${v}`);
  let listing = '';
  try {
    listing = (await execFile('espeak-ng', ['--voices=en'])).stdout;
  } catch {
    // No listing: keep the `en` variants only.
  }
  const languages = new Set(listing.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]).filter(Boolean));
  for (const v of ['en-us', 'en-gb']) if (languages.has(v)) voices.push(v);
  return voices;
}

function checkWord(word: string): void {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(word) || word.length > 100) throw new Error(`${JSON.stringify(word)} is not a usable word (letters, digits, '-')`);
}

export async function makeKeywords(options: MakeKeywordsOptions): Promise<MakeKeywordsResult> {
  const words = options.words ?? DEFAULT_WORDS;
  const voices = options.voices ?? (await defaultVoices());
  const rates = options.rates ?? DEFAULT_RATES;
  const pitches = options.pitches ?? DEFAULT_PITCHES;
  words.forEach(checkWord);
  const speakers = voices.map(speakerOf);
  if (new Set(speakers).size !== speakers.length || speakers.some((s) => !s)) throw new Error(`voices must map to distinct speaker names: ${speakers.join(', ')}`);
  if (rates.length === 0 || pitches.length === 0 || words.length === 0 || voices.length === 0) throw new Error('words, voices, rates and pitches must not be empty');

  const out = resolve(options.out);
  const takes: { word: string; voice: string; rate: number; pitch: number; rel: string }[] = [];
  for (const word of words) {
    for (const [vi, voice] of voices.entries()) {
      let n = 0;
      for (const rate of rates) {
        for (const pitch of pitches) takes.push({ word, voice, rate, pitch, rel: `${word}/${speakers[vi]}_nohash_${n++}.wav` });
      }
    }
  }
  for (const word of words) await mkdir(join(out, word), { recursive: true });

  const tmp = await mkdtemp(join(tmpdir(), 'hark-keywords-'));
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < takes.length) {
      const i = next++;
      const t = takes[i];
      const raw = join(tmp, `take-${i}.wav`);
      try {
        await execFile('espeak-ng', ['-v', t.voice, '-s', String(t.rate), '-p', String(t.pitch), '-w', raw, '--', t.word]);
        await execFile('sox', ['-D', raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', join(out, t.rel)]);
      } catch (err) {
        throw new Error(`could not synthesise ${t.rel} (voice ${t.voice}, rate ${t.rate}, pitch ${t.pitch}): ${(err as Error).message}`, { cause: err });
      } finally {
        await rm(raw, { force: true });
      }
      options.onProgress?.(++done, takes.length);
    }
  };
  try {
    const jobs = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), takes.length));
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { files: takes.map((t) => t.rel).sort(), words, voices, speakers };
}

function parseArgs(argv: string[]): MakeKeywordsOptions {
  let out: string | undefined;
  const opts: Partial<MakeKeywordsOptions> = {};
  const list = (s: string | undefined): string[] => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const nums = (s: string | undefined, flag: string): number[] => list(s).map((x) => {
    const n = Number(x);
    if (!Number.isFinite(n)) throw new Error(`${flag}: ${x} is not a number`);
    return n;
  });
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--words') opts.words = list(argv[++i]);
    else if (a === '--voices') opts.voices = list(argv[++i]);
    else if (a === '--rates') opts.rates = nums(argv[++i], a);
    else if (a === '--pitches') opts.pitches = nums(argv[++i], a);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (out === undefined) out = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (out === undefined) {
    throw new Error('usage: npm run make:keywords -- <out-dir> [--words a,b] [--voices en+m1,en+f2] [--rates 130,180] [--pitches 40,60]');
  }
  return { ...opts, out };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const started = Date.now();
    let last = 0;
    const result = await makeKeywords({
      ...options,
      onProgress: (d, total) => {
        const pct = Math.floor((d / total) * 10);
        if (pct !== last || d === total) {
          last = pct;
          process.stdout.write(`\r${d}/${total} takes`);
        }
      },
    });
    process.stdout.write('\n');
    console.log(`wrote ${result.files.length} clips (${result.words.length} words × ${result.voices.length} voices) to ${resolve(options.out)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
