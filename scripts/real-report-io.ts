// scripts/real-report.ts's input and output: the real speech it reads in place from
// ../shared/data (never copied into the repository), and the Markdown report it prints.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SAMPLE_RATE } from '../core/audio/sample-rate.js';
import type { KwsClip } from '../core/kws/examples.js';
import type { KwsRecipe } from '../core/kws/recipe.js';
import { DETECTOR_OPTIONS } from '../core/kws/options.js';
import type { OperatingPoint, OperatingSetting } from '../core/kws/stream-eval.js';
import { readSpeechCommands, readWav16k, takeOf as takeOfName, type SpeechCommandsClip } from '../app/node/speech-commands.js';
import { FSDD, SHARED_DATA } from './shared-data.js';

/** Arabic Speech Commands, 12 people × 26 words × 10 takes (CC BY 4.0). */
const ARABIC = join(SHARED_DATA, 'arabic-commands-12');
/** Speech Commands v0.02, 80 people, 10 command words and 25 others (CC BY 4.0). */
const SPEECH_COMMANDS = join(SHARED_DATA, 'speech-commands-80');
/** LibriSpeech train-clean-100, 78 sentences of 78 people (CC BY 4.0). */
const LIBRISPEECH = join(SHARED_DATA, 'librispeech-78');

export interface Corpora {
  arabic: SpeechCommandsClip[];
  english: SpeechCommandsClip[];
  /** LibriSpeech sentences at odd indices of the sorted file list, labelled with their utterance id. */
  sentences: KwsClip[];
  digits: SpeechCommandsClip[];
}

/** The take of `<word>/<speaker>_nohash_<take>.wav` (NaN for a clip without one). */
export function takeOf(c: { path?: string }): number {
  return takeOfName(c.path ?? '') ?? Number.NaN;
}

/** The corpora the scenarios asked for need (the others stay empty). */
export async function loadCorpora(only: ReadonlySet<string>, log: (m: string) => void): Promise<Corpora> {
  const folder = async (root: string, name: string): Promise<SpeechCommandsClip[]> => {
    const f = await readSpeechCommands(root);
    for (const skipped of f.skipped) log(`  skipped ${skipped.message}`);
    log(`read ${f.clips.length} clips of ${name}`);
    return f.clips;
  };
  const personal = only.has('personal');
  const arabic = personal ? await folder(ARABIC, 'arabic-commands-12') : [];
  const english = personal || only.has('people') ? await folder(SPEECH_COMMANDS, 'speech-commands-80') : [];
  const digits = only.has('voices') ? await folder(FSDD, 'fsdd') : [];
  const sentences: KwsClip[] = [];
  if (personal) {
    const files = (await readdir(LIBRISPEECH)).filter((f) => f.toLowerCase().endsWith('.wav')).sort();
    // Only the files at odd indices (0-based) of the sorted list: the even ones are reserved
    // as training data to bundle with the app later, so they must never be measured on.
    for (let i = 1; i < files.length; i += 2) {
      const id = files[i].slice(0, -4);
      sentences.push({ label: id, speaker: id.split('-')[0], samples: await readWav16k(join(LIBRISPEECH, files[i])) });
    }
    log(`read ${sentences.length} of librispeech-78's ${files.length} sentences (odd indices), ${(sentences.reduce((a, c) => a + c.samples.length, 0) / SAMPLE_RATE / 60).toFixed(1)} min`);
  }
  return { arabic, english, sentences, digits };
}

export type StreamKind = 'dense words' | 'sentences';

export interface StreamRow {
  kind: StreamKind;
  keywords: number;
  hits: number;
  recall: number;
  falseActivations: number;
  perHour: number;
  /** Other words in the stream (counted, or estimated from seconds of sentences). */
  otherWords: number;
  perThousandWords: number;
  medianLatency: number | null;
  /** Of every hit (s), sorted. */
  latencies: number[];
  hours: number;
  /** False activations by what they were heard on: a filler pool, 'keywords' or 'noise'. */
  sources: Record<string, number>;
  /** Other words by the pool they came from (sentences: the estimate shared by seconds). */
  wordsBySource: Record<string, number>;
  /** False activations by the word that fired. */
  falseWords: Record<string, number>;
  /** The detector replayed at other thresholds and word-end limits (OPERATING_GRID). */
  operating: OperatingPoint[];
}

/**
 * The settings every stream's detector is replayed at (operatingPoints in stream-eval.ts):
 * one threshold for all words or the model's calibrated ones ('calibrated'), by word-end
 * limit, so a default can be chosen from where recall and false activations would be.
 */
export const OPERATING_THRESHOLDS: readonly (number | 'calibrated')[] = ['calibrated', 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98];
export const OPERATING_WORD_ENDS: readonly number[] = [
  ...new Set([DETECTOR_OPTIONS.maxTrailingSilenceMs.default, 300, 500, 800]), // the default among them, once
].sort((a, b) => a - b).concat(DETECTOR_OPTIONS.maxTrailingSilenceMs.offFrom);

export function operatingGrid(calibrated: Readonly<Record<string, number>> | undefined): OperatingSetting[] {
  return OPERATING_WORD_ENDS.flatMap((maxTrailingSilenceMs) => OPERATING_THRESHOLDS.map((t) => ({
    threshold: t === 'calibrated' ? calibrated ?? DETECTOR_OPTIONS.threshold.default : t, maxTrailingSilenceMs,
  })));
}

export interface PersonRow {
  person: string;
  words: string[];
  trainClips: number;
  trainSeconds: number;
  /** Epochs trained (early stopping ends a run before the recipe's epochs). */
  epochs: number;
  /** The recipe's warnings about the data (few clips, one speaker): a new user sees them too. */
  warnings: number;
  labels: number;
  /** Clip accuracy on the held-out takes, each centred in a window. */
  clipAccuracy: number;
  heldOut: number;
  streams: StreamRow[];
  /** The same streams after mining the person's room talk and training again (null: --no-mining). */
  mining: MiningRow | null;
  engine: string;
}

export interface MiningRow {
  /** Words and seconds of room talk the first model listened to. */
  roomWords: number;
  roomSeconds: number;
  /** Detections there, each window kept as other speech. */
  mined: number;
  trainSeconds: number;
  epochs: number;
  streams: StreamRow[];
}

export interface Report {
  seed: number;
  recipe: Partial<KwsRecipe>;
  /** The bundled other speech trainModel mixed in: its folder, null when there is none, 'off' (--no-other-speech). */
  otherSpeech: string | null;
  /** The pretrained encoder the personal models started from: its file, null when there is none, 'off' (--from-scratch). */
  encoder: string | null;
  quick: boolean;
  minutes: number;
  snrDb: [number, number];
  repeats: number;
  /** Wall time of the whole run. */
  seconds: number;
  personal: PersonRow[] | null;
  people: { folds: { fold: number; people: number; clips: number; accuracy: number; commandClips: number; commandAccuracy: number; trainSeconds: number; epochs: number }[]; mean: number } | null;
  voices: { speakers: { speaker: string; clips: number; accuracy: number; trainSeconds: number; epochs: number }[]; mean: number } | null;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const ms = (s: number | null): string => (s === null ? '–' : `${Math.round(1000 * s)} ms`);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** The person with the lowest (or highest) value, as "value (person)". */
function worst(rows: readonly PersonRow[], value: (r: PersonRow) => number, highest: boolean, show: (x: number) => string): string {
  let best = rows[0];
  for (const r of rows) if (highest ? value(r) > value(best) : value(r) < value(best)) best = r;
  return `${show(value(best))} (${best.person})`;
}

function printPersonal(rows: readonly PersonRow[], r: Report): void {
  const kinds = rows[0].streams.map((s) => s.kind);
  const stream = (p: PersonRow, kind: StreamKind): StreamRow => p.streams.find((s) => s.kind === kind) as StreamRow;
  console.log(`## Personal scenario: ${rows.length} people, their own ${rows[0].words.length} words, ${rows[0].trainClips} clips to train\n`);
  console.log(`${r.minutes}-minute streams per person and kind, each held-out take inserted ${r.repeats} times, pink noise at ${r.snrDb[0]}–${r.snrDb[1]} dB SNR; detector at the app's defaults on ${rows[0].engine}.\n`);
  console.log('| stream | recall, mean | recall, worst person | false / hour, mean | false / hour, worst | false per 1,000 other words, mean | worst | median latency | keywords | other words |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const mined = rows.every((p) => p.mining !== null);
  const variants: { name: string; of: (p: PersonRow) => StreamRow[] }[] = [{ name: '', of: (p) => p.streams }];
  if (mined) variants.push({ name: ', after mining', of: (p) => (p.mining as MiningRow).streams });
  for (const { name, of } of variants) {
    for (const kind of kinds) {
      const pick = (p: PersonRow): StreamRow => of(p).find((x) => x.kind === kind) as StreamRow;
      const s = rows.map(pick);
      const latencies = s.flatMap((x) => x.latencies).sort((a, b) => a - b);
      console.log(`| ${kind}${name} | ${pct(mean(s.map((x) => x.recall)))} | ${worst(rows, (p) => pick(p).recall, false, pct)} | ` +
        `${mean(s.map((x) => x.perHour)).toFixed(1)} | ${worst(rows, (p) => pick(p).perHour, true, (x) => x.toFixed(1))} | ` +
        `${mean(s.map((x) => x.perThousandWords)).toFixed(1)} | ${worst(rows, (p) => pick(p).perThousandWords, true, (x) => x.toFixed(1))} | ` +
        `${ms(latencies.length ? latencies[Math.floor((latencies.length - 1) / 2)] : null)} | ${s.reduce((a, x) => a + x.keywords, 0)} | ${s.reduce((a, x) => a + x.otherWords, 0).toFixed(0)} |`);
    }
  }
  console.log('\nPer person (recall · false activations per hour · per 1,000 other words):\n');
  console.log(`| person | words | held-out clips | ${kinds.map((k) => `${k}: recall | false / h | per 1,000`).join(' | ')} | training |`);
  console.log(`|---|---|---:|${kinds.map(() => '---:|---:|---:').join('|')}|---:|`);
  for (const p of rows) {
    console.log(`| ${p.person} | ${p.words.join(', ')} | ${pct(p.clipAccuracy)} | ` +
      `${p.streams.map((s) => `${pct(s.recall)} | ${s.perHour.toFixed(1)} | ${s.perThousandWords.toFixed(1)}`).join(' | ')} | ${p.trainSeconds.toFixed(0)} s, ${p.epochs} epochs |`);
  }
  if (mined) {
    console.log(`\nMining (what \`hark mine\` does): each model listened to ${(mean(rows.map((p) => (p.mining as MiningRow).roomSeconds)) / 60).toFixed(0)} minutes of the person's own other words (their earlier takes; the streams have the later ones); every detection's window was kept as other speech and the model trained again.\n`);
    console.log(`| person | room words | detections kept | ${kinds.map((k) => `${k}: recall before → after | false / h before → after`).join(' | ')} | training again |`);
    console.log(`|---|---:|---:|${kinds.map(() => '---:|---:').join('|')}|---:|`);
    for (const p of rows) {
      const m = p.mining as MiningRow;
      console.log(`| ${p.person} | ${m.roomWords} | ${m.mined} | ` +
        `${kinds.map((k) => { const b = stream(p, k), a = m.streams.find((x) => x.kind === k) as StreamRow; return `${pct(b.recall)} → ${pct(a.recall)} | ${b.perHour.toFixed(0)} → ${a.perHour.toFixed(0)}`; }).join(' | ')} | ${m.trainSeconds.toFixed(0)} s, ${m.epochs} epochs |`);
    }
  }
  const sources = [...new Set(rows.flatMap((p) => variants.flatMap((v) => v.of(p).flatMap((s) => Object.keys(s.sources)))))].sort();
  console.log('\nFalse activations by what they were heard on, all people (the last word spoken or ended within 1 s; in brackets, per 1,000 of that pool\'s words):\n');
  console.log(`| stream | ${sources.join(' | ')} | total |`);
  console.log(`|---|${sources.map(() => '---:').join('|')}|---:|`);
  for (const { name, of } of variants) {
    for (const kind of kinds) {
      const s = rows.map((p) => of(p).find((x) => x.kind === kind) as StreamRow);
      const sum = (f: (x: StreamRow) => number): number => s.reduce((a, x) => a + f(x), 0);
      const cell = (src: string): string => {
        const n = sum((x) => x.sources[src] ?? 0), words = sum((x) => x.wordsBySource[src] ?? 0);
        return words > 0 ? `${n} (${((1000 * n) / words).toFixed(0)})` : String(n);
      };
      console.log(`| ${kind}${name} | ${sources.map(cell).join(' | ')} | ${sum((x) => x.falseActivations)} |`);
    }
  }
  printOperating(rows, variants, kinds);
}

/** Mean recall · false activations per hour over people, had the detector run at each setting of OPERATING_GRID. */
function printOperating(rows: readonly PersonRow[], variants: readonly { name: string; of: (p: PersonRow) => StreamRow[] }[], kinds: readonly StreamKind[]): void {
  const show = (t: number | 'calibrated'): string => (t === 'calibrated' ? 'calibrated' : t.toFixed(2));
  console.log('\nThe same detections replayed at other settings (recorded posteriors, every word at one threshold or at its calibrated one; mean recall · false activations per hour over people):\n');
  console.log(`| stream | word end | ${OPERATING_THRESHOLDS.map(show).join(' | ')} |`);
  console.log(`|---|---:|${OPERATING_THRESHOLDS.map(() => '---:').join('|')}|`);
  for (const { name, of } of variants) {
    for (const kind of kinds) {
      const s = rows.map((p) => of(p).find((x) => x.kind === kind) as StreamRow);
      OPERATING_WORD_ENDS.forEach((end, e) => {
        const cells = OPERATING_THRESHOLDS.map((_, t) => {
          const points = s.map((x) => x.operating[e * OPERATING_THRESHOLDS.length + t]);
          return `${pct(mean(points.map((q) => q.hits / Math.max(1, q.occurrences))))} · ${mean(points.map((q) => q.falseActivations / q.hours)).toFixed(0)}`;
        });
        const endName = end >= DETECTOR_OPTIONS.maxTrailingSilenceMs.offFrom ? 'off' : `${end} ms`;
        console.log(`| ${kind}${name} | ${endName} | ${cells.join(' | ')} |`);
      });
    }
  }
}

export function printReport(r: Report): void {
  if (r.personal && r.personal.length > 0) printPersonal(r.personal, r);
  if (r.people) {
    console.log('\n## Unseen people: speech-commands-80, folds by person\n');
    console.log('| fold | test people | clips | clip accuracy | command-word clips | their accuracy | training |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const f of r.people.folds) console.log(`| ${f.fold} | ${f.people} | ${f.clips} | ${pct(f.accuracy)} | ${f.commandClips} | ${pct(f.commandAccuracy)} | ${f.trainSeconds.toFixed(0)} s, ${f.epochs} epochs |`);
    console.log(`| mean | | | **${pct(r.people.mean)}** | | ${pct(mean(r.people.folds.map((f) => f.commandAccuracy)))} | |`);
  }
  if (r.voices) {
    console.log('\n## Unseen voices: FSDD, leave one speaker out\n');
    console.log('| unseen speaker | clips | clip accuracy | training |');
    console.log('|---|---:|---:|---:|');
    for (const s of r.voices.speakers) console.log(`| ${s.speaker} | ${s.clips} | ${pct(s.accuracy)} | ${s.trainSeconds.toFixed(0)} s, ${s.epochs} epochs |`);
    console.log(`| mean | | **${pct(r.voices.mean)}** | |`);
  }
  const other = r.otherSpeech === 'off' ? 'off (--no-other-speech)' : r.otherSpeech === null ? 'none (no bundled set found)' : r.otherSpeech;
  const encoder = r.encoder === 'off' ? 'none (--from-scratch)' : r.encoder === null ? 'none (no encoder found)' : r.encoder;
  console.log(`\nseed ${r.seed}, recipe ${Object.keys(r.recipe).length ? JSON.stringify(r.recipe) : 'default'}, bundled other speech ${other}, personal models started from ${encoder} (the other scenarios from scratch)${r.quick ? ', --quick' : ''}; ${(r.seconds / 60).toFixed(1)} min`);
}
