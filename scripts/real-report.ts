// `npm run report:real`: what users live with, measured on real speech read in place from
// ../shared/data (docs/real-speech.md has the scenarios, the baseline figures and the
// datasets' licences):
//   personal  one person's own 4 words, takes 1–6 of each (24 clips, nothing else) to train
//             with the default recipe, as a new user would; takes 7–10 held out and inserted
//             (each several times) into two 10-minute streams over generated noise: dense
//             isolated words (about one a second: the person's other words, other people's
//             Arabic words, English words) and continuous sentences (LibriSpeech), run
//             through the detector with the app's defaults. Recall, false activations per
//             hour and per 1,000 other words, latency; for each of arabic-commands-12's people.
//             Then the app's "teach it what to ignore" (hark mine): the model listens to 3
//             minutes of the person's own other words (takes 1–5; the streams have takes
//             6–10), every detection's window is kept as other speech, and the model is
//             trained again with them: the same streams, after mining.
//   people    speech-commands-80 split by person into folds: clip accuracy on people no
//             model trained on (10 command words, 25 other words as unknown speech).
//   voices    FSDD leave one speaker out: train on two speakers, clip accuracy on the third.
// Every model trains through app/node/keyword-training.ts (trainModel) with the default
// recipe, or the recipe with --recipe's overrides.
//
//   npm run report:real [-- --only personal,people,voices] [-- --quick] [-- --json]
//     [-- --people N] [-- --seed N] [-- --minutes M] [-- --recipe '{"augmentedCopies":8}']
//     [-- --no-other-speech] [-- --no-mining] [-- --from-scratch] [-- --mining-variants JSON]
//
// --mining-variants compares ways of training again after mining, each from the same first
// model and the same mined windows: a JSON array of { "name", "start": "same" (as the first
// model: the encoder or scratch) | "model" (the first model's every weight), "recipe": {
// overrides on top of --recipe's }, "thresholds": "own" | "first" (listen with the first
// model's calibrated thresholds) }. The first variant fills the report's mining rows; a
// table of all of them follows (and "miningVariants", "variantRows" in --json).
//
// trainModel mixes in the bundled other speech (app/node/other-speech.ts) when there is
// one, as the app does; --no-other-speech trains without it. The personal models start from
// the pretrained encoder (app/node/pretrained.ts, `npm run pretrain`) when there is one, as
// the app's do; --from-scratch trains them without it. The people and voices scenarios
// always train from scratch: the encoder learned from those very people. The detector runs with the
// default DetectorOptions and the model's calibrated thresholds, as the app's Listen
// screen starts, on onnxruntime (its default engine). --seed picks the words, the folds and the streams (the recipe keeps its own
// seed; set it with --recipe). --quick: 2 people, 2-minute streams, 2 folds and 2 epochs
// for the others (for development; its figures mean nothing). A Markdown report goes to
// stdout (JSON with --json), progress to stderr.

import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { TypeScriptEngine, type InferenceEngine } from '../core/inference/engine.js';
import { evaluateClips } from '../core/kws/evaluate.js';
import type { KwsClip } from '../core/kws/examples.js';
import { resolveRecipe, type KwsModel, type KwsRecipe } from '../core/kws/recipe.js';
import { composeDenseStream, evaluateStream, type DenseStream, type FillerPool, type StreamEvent } from '../core/kws/stream-eval.js';
import { isFillerLabel, UNKNOWN_LABEL } from '../core/kws/labels.js';
import { KeywordDetector } from '../core/kws/detector.js';
import { DetectionWindows } from '../core/kws/mining.js';
import { SAMPLE_RATE } from '../core/audio/sample-rate.js';
import { Random } from '../core/tensor/random.js';
import { trainModel } from '../app/node/keyword-training.js';
import { findOtherSpeech } from '../app/node/other-speech.js';
import { findEncoder } from '../app/node/pretrained.js';
import { loadCorpora, operatingGrid, printReport, takeOf, type Corpora, type MiningRow, type PersonRow, type Report, type StreamKind, type StreamRow } from './real-report-io.js';

const SCENARIOS = ['personal', 'people', 'voices'] as const;
type Scenario = (typeof SCENARIOS)[number];

/** The personal scenario: 4 of a person's words, takes 1–6 to train, 7–10 held out. */
const WORDS_PER_PERSON = 4;
const LAST_TRAIN_TAKE = 6;
/** The person's other words: takes up to this one are their room talk to mine from, the later ones are heard in the streams. */
const LAST_ROOM_TAKE = 5;
/** Room talk the model listens to for mining ("a few minutes of ordinary room audio"). */
const MINING_MINUTES = 3;
/** Each held-out take goes into each stream this many times (16 takes → 64 keywords per 10-minute stream). */
const REPEATS = 4;
const STREAM_MINUTES = 10;
/**
 * Speech over generated noise at 10–25 dB SNR: a desk at home or in a quiet office, speech
 * at 60–65 dB(A) against 40–50 dB(A) of fans and traffic; pink, the spectrum of that
 * noise roughly. Noisy rooms (0–10 dB) are not in this baseline.
 */
const SNR_DB: [number, number] = [10, 25];
/** speech-commands-80's command words; its 25 other words are unknown speech. */
const COMMANDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];
const FOLDS = 4;

/**
 * How a model trains again after mining: where it starts ('same': as the first model did,
 * from the encoder or from scratch; 'model': the first model's every weight), the recipe's
 * overrides on top of --recipe's, and whose calibrated thresholds it listens with ('own',
 * or the first model's: 'first').
 */
interface MiningVariant { name: string; start: 'same' | 'model'; recipe: Partial<KwsRecipe>; thresholds: 'own' | 'first' }
/** What the app does today: train again as the first model was trained, on the clips and the mined windows. */
const MINING_AS_TODAY: MiningVariant = { name: 'train again', start: 'same', recipe: {}, thresholds: 'own' };

const log = (m: string): void => { process.stderr.write(`${m}\n`); };

function usage(message: string): never {
  process.stderr.write(`report failed: ${message}\n` +
    'usage: npm run report:real [-- --only personal,people,voices] [-- --quick] [-- --json] [-- --people N] [-- --seed N] [-- --minutes M] [-- --recipe JSON] [-- --no-other-speech] [-- --no-mining] [-- --from-scratch] [-- --mining-variants JSON]\n');
  process.exit(2);
}

interface Options {
  only: Set<Scenario>; quick: boolean; json: boolean; people: number; seed: number; minutes: number; recipe: Partial<KwsRecipe>; otherSpeech: boolean; mining: boolean; pretrained: boolean;
  /** Ways to train again after mining, each from the same first model and mined windows; the first fills the report's mining rows. */
  miningVariants: MiningVariant[];
}

function parseOptions(): Options {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string' }, quick: { type: 'boolean' }, json: { type: 'boolean' }, people: { type: 'string' },
        seed: { type: 'string' }, minutes: { type: 'string' }, recipe: { type: 'string' }, 'no-other-speech': { type: 'boolean' }, 'no-mining': { type: 'boolean' }, 'from-scratch': { type: 'boolean' },
        'mining-variants': { type: 'string' },
      },
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
  for (const s of only) if (!(SCENARIOS as readonly string[]).includes(s)) usage(`--only takes ${SCENARIOS.join(', ')}, separated by commas; got "${s}"`);
  const int = (name: string, v: string | undefined, lo: number, hi: number, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi) usage(`--${name} must be an integer in [${lo}, ${hi}], got "${v}"`);
    return n;
  };
  const quick = values.quick === true;
  let recipe: Partial<KwsRecipe> = {};
  if (values.recipe !== undefined) {
    try {
      recipe = JSON.parse(values.recipe) as Partial<KwsRecipe>;
      if (typeof recipe !== 'object' || recipe === null || Array.isArray(recipe)) throw new Error('not an object');
      resolveRecipe(recipe); // fail now, not after an hour
    } catch (err) {
      usage(`--recipe must be a JSON object of recipe settings (core/kws/recipe.ts), e.g. '{"augmentedCopies":8}': ${(err as Error).message}`);
    }
  }
  const miningVariants = values['mining-variants'] === undefined ? [MINING_AS_TODAY] : parseMiningVariants(values['mining-variants'], recipe);
  const minutes = values.minutes === undefined ? (quick ? 2 : STREAM_MINUTES) : Number(values.minutes);
  if (!(minutes >= 1 && minutes <= 600)) usage(`--minutes must be a number in [1, 600], got "${values.minutes}"`);
  return {
    only: only as Set<Scenario>, quick, json: values.json === true,
    people: int('people', values.people, 1, 1000, quick ? 2 : Infinity), seed: int('seed', values.seed, 0, 2 ** 31 - 1, 0), minutes, recipe,
    otherSpeech: values['no-other-speech'] !== true, mining: values['no-mining'] !== true, pretrained: values['from-scratch'] !== true, miningVariants,
  };
}

/** --mining-variants: a JSON array of { name, start?: "same" | "model", recipe?: {…}, thresholds?: "own" | "first" }. */
function parseMiningVariants(text: string, base: Partial<KwsRecipe>): MiningVariant[] {
  const bad = (why: string): never => usage(`--mining-variants must be a JSON array of { "name": "…", "start": "same" | "model", "recipe": { recipe settings }, "thresholds": "own" | "first" }: ${why}`);
  let list: unknown;
  try { list = JSON.parse(text); } catch (err) { bad((err as Error).message); }
  if (!Array.isArray(list) || list.length === 0) bad('not a non-empty array');
  const names = (list as unknown[]).map((v) => (v as { name?: unknown } | null)?.name);
  if (new Set(names).size !== names.length) bad('two ways have the same name');
  return (list as unknown[]).map((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(`item ${i + 1} is not an object`);
    const { name, start = 'same', recipe = {}, thresholds = 'own', ...rest } = v as Record<string, unknown>;
    if (Object.keys(rest).length > 0) bad(`item ${i + 1} has unknown keys (${Object.keys(rest).join(', ')})`);
    if (typeof name !== 'string' || name === '') bad(`item ${i + 1} has no name`);
    if (start !== 'same' && start !== 'model') bad(`item ${i + 1}: start is "same" or "model", got ${JSON.stringify(start)}`);
    if (thresholds !== 'own' && thresholds !== 'first') bad(`item ${i + 1}: thresholds is "own" or "first", got ${JSON.stringify(thresholds)}`);
    if (typeof recipe !== 'object' || recipe === null || Array.isArray(recipe)) return bad(`item ${i + 1}: recipe is not an object`);
    try { resolveRecipe({ ...base, ...recipe }); } catch (err) { bad(`item ${i + 1}: ${(err as Error).message}`); }
    return { name: name as string, start: start as MiningVariant['start'], recipe: recipe as Partial<KwsRecipe>, thresholds: thresholds as MiningVariant['thresholds'] };
  });
}

const said = new Set<string>();
/** A message to stderr the first time it comes (every run warns the same way). */
const logOnce = (m: string): void => { if (!said.has(m)) { said.add(m); log(m); } };

/** How a run starts: from the pretrained encoder (pretrained: true), from a trained model (start), else from scratch. */
interface TrainStart { pretrained?: boolean; start?: KwsModel }

async function train(
  clips: readonly KwsClip[], recipe: Partial<KwsRecipe>, o: Options, name: string, from: TrainStart = {}, words?: readonly string[],
): Promise<{ model: KwsModel; seconds: number; epochs: number; warnings: string[] }> {
  let epochs = 0;
  const warnings: string[] = [];
  const run = await trainModel({ train: clips, validation: [], background: [], words }, recipe, {
    bundledSpeech: o.otherSpeech, pretrained: from.pretrained ?? false, start: from.start,
    onEvent: (e) => {
      if (e.type === 'epoch') epochs = e.epoch;
      if (e.type === 'warning') warnings.push(e.message);
    },
    onWarning: (m) => logOnce(`  ${m}`),
  });
  log(`  ${name}: trained in ${run.seconds.toFixed(1)} s, ${epochs} epochs`);
  return { model: run.model, seconds: run.seconds, epochs, warnings };
}

/** The app's engine for listening: onnxruntime when it loads (the Listen screen's default), else TypeScript. */
async function openEngine(model: KwsModel): Promise<InferenceEngine> {
  try {
    const { createOnnxEngine } = await import('../app/node/onnx-engine.js');
    return await createOnnxEngine(model.model);
  } catch (err) {
    log(`onnxruntime did not load (${(err as Error).message}); the TypeScript engine runs the detector`);
    return new TypeScriptEngine(model.model);
  }
}

/**
 * What a false activation at time `time` was heard on: the latest event whose word was
 * spoken or had ended at most `maxDelay` before it (the matching window): a filler pool's
 * name, 'keywords' (a wrong word or a second firing), or 'noise' with no word near.
 */
function falseSource(time: number, events: readonly StreamEvent[], maxDelay = 1): string {
  let found: StreamEvent | null = null;
  for (const e of events) {
    if (e.start > time) break;
    if (time <= e.end + maxDelay) found = e;
  }
  return found === null ? 'noise' : found.keyword ? 'keywords' : found.source ?? 'other';
}

async function streamRow(engine: InferenceEngine, model: KwsModel, stream: DenseStream, kind: StreamKind, thresholds = model.calibration?.thresholds): Promise<StreamRow> {
  // The app's detector defaults, with the model's calibrated thresholds when it has them (as the app listens).
  const { metrics: m, operating } = await evaluateStream(engine, model, stream, { thresholds, operatingSettings: operatingGrid(thresholds) });
  const sources: Record<string, number> = {}, wordsBySource: Record<string, number> = {};
  for (const d of m.false) { const s = falseSource(d.time, stream.events); sources[s] = (sources[s] ?? 0) + 1; }
  // a pool's share of the other words: its events ('words'), or its share of the seconds of speech
  const fillers = stream.events.filter((e) => !e.keyword), fillerSeconds = fillers.reduce((a, e) => a + e.end - e.start, 0);
  for (const e of fillers) {
    const s = e.source ?? 'other';
    wordsBySource[s] = (wordsBySource[s] ?? 0) + (kind === 'dense words' ? 1 : (stream.otherWords * (e.end - e.start)) / fillerSeconds);
  }
  return {
    kind, keywords: m.occurrences, hits: m.hits, recall: m.recall, falseActivations: m.falseActivations,
    perHour: m.falseActivationsPerHour, otherWords: stream.otherWords, perThousandWords: (1000 * m.falseActivations) / Math.max(1, stream.otherWords),
    medianLatency: m.medianLatency, latencies: m.latencies, hours: m.hours, sources, wordsBySource,
    falseWords: Object.fromEntries(m.perWord.filter((w) => w.falseActivations > 0).map((w) => [w.label, w.falseActivations])),
    operating,
  };
}

/**
 * What `hark mine` and the Listen screen's "That was wrong" keep of room audio the model
 * listens to: for every detection (all of them false: the room has no commands), the
 * model's window that ended at the decision, as other speech of this person.
 */
async function mine(engine: InferenceEngine, model: KwsModel, room: DenseStream, speaker: string): Promise<KwsClip[]> {
  const windows = new DetectionWindows(new KeywordDetector(engine, model, { thresholds: model.calibration?.thresholds }));
  const chunk = SAMPLE_RATE / 10, mined: KwsClip[] = []; // 100 ms, as a microphone delivers it
  for (let i = 0; i < room.samples.length; i += chunk) {
    for (const { window } of await windows.push(room.samples.subarray(i, i + chunk))) mined.push({ label: UNKNOWN_LABEL, speaker, samples: window });
  }
  return mined;
}

/** One way of training again after mining (--mining-variants), for one person. */
interface VariantRow extends Omit<MiningRow, 'streams'> { person: string; variant: string; streams: Omit<StreamRow, 'latencies'>[] }

/** The mining variants side by side: mean over people of each stream, before mining and after each variant. */
function printVariants(rows: readonly PersonRow[], variants: readonly VariantRow[], o: Options): void {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const kinds = ['dense words', 'sentences'] as const;
  const cells = (streams: readonly (readonly Omit<StreamRow, 'latencies'>[])[]): string => kinds.map((k) => {
    const s = streams.map((x) => x.find((r) => r.kind === k) as Omit<StreamRow, 'latencies'>);
    return `${pct(mean(s.map((x) => x.recall)))} | ${mean(s.map((x) => x.perHour)).toFixed(0)}`;
  }).join(' | ');
  console.log(`\n## Training again after mining: ${o.miningVariants.length} ways, the same first models and mined windows\n`);
  console.log('Mean over people. start: "same" trains as the first model did, "model" goes on from the first model\'s weights; thresholds: the retrained model\'s own calibration, or the first model\'s.\n');
  console.log('| model | start | recipe | thresholds | dense words: recall | false / h | sentences: recall | false / h | training |');
  console.log('|---|---|---|---|---:|---:|---:|---:|---:|');
  console.log(`| before mining | | | | ${cells(rows.map((r) => r.streams))} | ${mean(rows.map((r) => r.trainSeconds)).toFixed(1)} s, ${mean(rows.map((r) => r.epochs)).toFixed(0)} epochs |`);
  for (const v of o.miningVariants) {
    const mine = variants.filter((r) => r.variant === v.name);
    console.log(`| ${v.name} | ${v.start} | ${Object.keys(v.recipe).length ? JSON.stringify(v.recipe) : 'as before'} | ${v.thresholds} | ${cells(mine.map((r) => r.streams))} | ` +
      `${mean(mine.map((r) => r.trainSeconds)).toFixed(1)} s, ${mean(mine.map((r) => r.epochs)).toFixed(0)} epochs |`);
  }
}

/** Person i's words: 4 consecutive words of one seeded order of all 26, so every word serves about twice. */
function wordsOf(all: readonly string[], person: number, seed: number): string[] {
  const order = [...all];
  new Random(seed).shuffle(order);
  return Array.from({ length: WORDS_PER_PERSON }, (_, j) => order[(WORDS_PER_PERSON * person + j) % order.length]);
}

async function personal(data: Corpora, o: Options, variantRows: VariantRow[]): Promise<PersonRow[]> {
  const arabic = data.arabic;
  const people = [...new Set(arabic.map((c) => c.speaker))].sort().slice(0, o.people);
  const allWords = [...new Set(arabic.map((c) => c.label))].sort();
  const tag = (prefix: string) => (c: KwsClip): KwsClip => ({ ...c, label: `${prefix}:${c.label}` });
  const english = data.english.map(tag('en'));
  const repeats = o.quick ? 2 : REPEATS;
  const rows: PersonRow[] = [];
  for (let i = 0; i < people.length; i++) {
    const person = people[i], words = wordsOf(allWords, i, o.seed);
    log(`personal ${i + 1}/${people.length}: ${person}, words ${words.join(', ')}`);
    const own = arabic.filter((c) => c.speaker === person);
    const commands = own.filter((c) => words.includes(c.label));
    const trainClips = commands.filter((c) => takeOf(c) <= LAST_TRAIN_TAKE);
    const heldOut = commands.filter((c) => takeOf(c) > LAST_TRAIN_TAKE);
    const otherWords = own.filter((c) => !words.includes(c.label));
    const roomTalk = otherWords.filter((c) => takeOf(c) <= LAST_ROOM_TAKE).map(tag('ar'));
    if (trainClips.length !== WORDS_PER_PERSON * LAST_TRAIN_TAKE || heldOut.length === 0 || roomTalk.length === 0) throw new Error(`${person} lacks takes of ${words.join(', ')}`);
    // Exactly what a new user gives: 24 clips of one voice, no other speech, no background recordings.
    const { model, seconds, epochs, warnings } = await train(trainClips, o.recipe, o, person, { pretrained: o.pretrained });
    const clipAccuracy = (await evaluateClips(new TypeScriptEngine(model.model), heldOut, model)).accuracy;
    const dense: FillerPool[] = [
      { name: 'own other words', clips: otherWords.filter((c) => takeOf(c) > LAST_ROOM_TAKE).map(tag('ar')) },
      // other people's Arabic words but not this person's commands: firing on someone else's
      // "yes" is neither clearly a hit nor clearly false, so it is left out of the stream
      { name: 'other people (Arabic)', clips: arabic.filter((c) => c.speaker !== person && !words.includes(c.label)).map(tag('ar')) },
      { name: 'English words', clips: english },
    ];
    const common = { keywords: heldOut, repeats, durationSeconds: o.minutes * 60, snrDb: SNR_DB };
    const streams = {
      'dense words': composeDenseStream({ ...common, fillers: dense, fillerKind: 'words', seed: o.seed * 1000 + 2 * i + 1 }),
      sentences: composeDenseStream({ ...common, fillers: [{ name: 'sentences', clips: data.sentences }], fillerKind: 'speech', seed: o.seed * 1000 + 2 * i + 2 }),
    };
    const listen = async (m: KwsModel, engine: InferenceEngine, when: string, thresholds = m.calibration?.thresholds): Promise<StreamRow[]> => {
      const out: StreamRow[] = [];
      for (const kind of ['dense words', 'sentences'] as const) {
        const row = await streamRow(engine, m, streams[kind], kind, thresholds);
        log(`  ${kind}${when}: recall ${(100 * row.recall).toFixed(1)}% (${row.hits}/${row.keywords}), ${row.falseActivations} false (${row.perHour.toFixed(1)}/h, ${row.perThousandWords.toFixed(1)} per 1,000 of ${row.otherWords.toFixed(0)} words)`);
        out.push(row);
      }
      return out;
    };
    let engine: InferenceEngine | null = await openEngine(model);
    let row: PersonRow;
    try {
      const engineKind = engine.kind;
      row = { person, words, trainClips: trainClips.length, trainSeconds: seconds, epochs, warnings: warnings.length, labels: model.labels.filter((l) => !isFillerLabel(l)).length, clipAccuracy, heldOut: heldOut.length, streams: await listen(model, engine, ''), mining: null, engine: engineKind };
      if (o.mining) {
        const room = composeDenseStream({ keywords: [], fillers: [{ name: 'room talk', clips: roomTalk }], fillerKind: 'words', durationSeconds: (o.quick ? 1 : MINING_MINUTES) * 60, snrDb: SNR_DB, seed: o.seed * 1000 + 500 + i });
        const mined = await mine(engine, model, room, person);
        await engine.dispose();
        engine = null;
        log(`  mining: ${mined.length} detections in ${room.otherWords} words of ${(room.samples.length / SAMPLE_RATE / 60).toFixed(0)} minutes of room talk, kept as other speech`);
        for (const variant of o.miningVariants) {
          const when = o.miningVariants.length > 1 ? `, after mining (${variant.name})` : ', after mining';
          const again = await train([...trainClips, ...mined], { ...o.recipe, ...variant.recipe }, o, `${person}${when.slice(1)}`,
            variant.start === 'model' ? { start: model } : { pretrained: o.pretrained });
          engine = await openEngine(again.model);
          const mining = {
            roomWords: room.otherWords, roomSeconds: room.samples.length / SAMPLE_RATE, mined: mined.length, trainSeconds: again.seconds, epochs: again.epochs,
            streams: await listen(again.model, engine, when, (variant.thresholds === 'first' ? model : again.model).calibration?.thresholds),
          };
          await engine.dispose();
          engine = null;
          row.mining ??= mining;
          variantRows.push({ person, variant: variant.name, ...mining, streams: mining.streams.map(({ latencies: _, ...rest }) => rest) });
        }
      }
    } finally {
      await engine?.dispose();
    }
    rows.push(row);
  }
  return rows;
}

async function people(data: Corpora, o: Options): Promise<Report['people']> {
  const clips = data.english;
  const speakers = [...new Set(clips.map((c) => c.speaker))].sort();
  new Random(o.seed).shuffle(speakers);
  const folds = o.quick ? 2 : FOLDS;
  const foldOf = new Map(speakers.map((s, i) => [s, i % folds]));
  const recipe = o.quick ? { epochs: 2, ...o.recipe } : o.recipe;
  const rows: NonNullable<Report['people']>['folds'] = [];
  for (let f = 0; f < folds; f++) {
    const test = clips.filter((c) => foldOf.get(c.speaker) === f), rest = clips.filter((c) => foldOf.get(c.speaker) !== f);
    log(`people fold ${f + 1}/${folds}: train ${rest.length} clips, test ${test.length} clips of ${new Set(test.map((c) => c.speaker)).size} people`);
    const { model, seconds, epochs } = await train(rest, recipe, o, `fold ${f + 1}`, {}, COMMANDS);
    const report = await evaluateClips(new TypeScriptEngine(model.model), test, model);
    const commands = report.predictions.filter((p) => !isFillerLabel(model.labels[p.truth]));
    rows.push({
      fold: f + 1, people: new Set(test.map((c) => c.speaker)).size, clips: report.clips, accuracy: report.accuracy,
      commandClips: commands.length, commandAccuracy: commands.filter((p) => p.predicted === p.truth).length / Math.max(1, commands.length), trainSeconds: seconds, epochs,
    });
    log(`  accuracy ${(100 * report.accuracy).toFixed(1)}% over ${report.clips} clips`);
  }
  return { folds: rows, mean: rows.reduce((a, r) => a + r.accuracy, 0) / rows.length };
}

async function voices(data: Corpora, o: Options): Promise<Report['voices']> {
  const clips = o.quick ? data.digits.filter((c) => takeOf(c) % 5 === 0) : data.digits;
  const recipe = o.quick ? { epochs: 2, ...o.recipe } : o.recipe;
  const rows: NonNullable<Report['voices']>['speakers'] = [];
  for (const speaker of [...new Set(clips.map((c) => c.speaker))].sort()) {
    const test = clips.filter((c) => c.speaker === speaker), rest = clips.filter((c) => c.speaker !== speaker);
    log(`voices: without ${speaker}, train ${rest.length} clips`);
    const { model, seconds, epochs } = await train(rest, recipe, o, `without ${speaker}`);
    const accuracy = (await evaluateClips(new TypeScriptEngine(model.model), test, model)).accuracy;
    rows.push({ speaker, clips: test.length, accuracy, trainSeconds: seconds, epochs });
    log(`  ${speaker}: ${(100 * accuracy).toFixed(1)}%`);
  }
  return { speakers: rows, mean: rows.reduce((a, r) => a + r.accuracy, 0) / rows.length };
}

/** The pretrained encoder trainModel finds, relative to the repository; null when there is none. */
function encoderFile(): string | null {
  const file = findEncoder();
  return file === null ? null : relative(join(import.meta.dirname, '..'), file);
}

/** The bundled other-speech folder trainModel finds, relative to the repository; null when there is none. */
function bundledSet(): string | null {
  const dir = findOtherSpeech();
  return dir === null ? null : relative(join(import.meta.dirname, '..'), dir) || '.';
}

async function main(): Promise<void> {
  const o = parseOptions();
  const started = performance.now();
  const data = await loadCorpora(o.only, log);
  const variantRows: VariantRow[] = [];
  const report: Report = {
    seed: o.seed, recipe: o.recipe, otherSpeech: o.otherSpeech ? bundledSet() : 'off', encoder: o.pretrained ? encoderFile() : 'off', quick: o.quick, minutes: o.minutes, snrDb: SNR_DB, repeats: o.quick ? 2 : REPEATS, seconds: 0,
    personal: o.only.has('personal') ? await personal(data, o, variantRows) : null,
    people: o.only.has('people') ? await people(data, o) : null,
    voices: o.only.has('voices') ? await voices(data, o) : null,
  };
  report.seconds = (performance.now() - started) / 1000;
  log(`done in ${(report.seconds / 60).toFixed(1)} min`);
  const compared = o.miningVariants.length > 1 || o.miningVariants[0] !== MINING_AS_TODAY;
  if (o.json) process.stdout.write(`${JSON.stringify(compared ? { ...report, miningVariants: o.miningVariants, variantRows } : report)}\n`);
  else {
    printReport(report);
    if (compared && report.personal && variantRows.length > 0) printVariants(report.personal, variantRows, o);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`report failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
