// hark train <dataset-dir> --out <model-file>: the keyword recipe on a Speech Commands-layout
// folder — the training split to learn from, the validation split for early stopping,
// the testing split (if any) scored at the end.

import { TypeScriptEngine } from '../../../core/inference/engine.js';
import { evaluateClips } from '../../../core/kws/evaluate.js';
import { BACKGROUND_DIR, SILENCE_DIR, UNKNOWN_LABEL } from '../../../core/kws/labels.js';
import { exportKwsModel, saveKwsModel } from '../../../core/kws/model-file.js';
import { DEFAULT_RECIPE, type KwsModel, type KwsRecipe, type KwsTrainEvent } from '../../../core/kws/recipe.js';
import { CELL_KINDS, type CellKind } from '../../../core/nn/layer.js';
import type { EpochRecord } from '../../../core/train/trainer.js';
import { choiceOption, declaredFlags, declaredHelp, declaredOption, intOption, pct, type Command, type CommandContext } from '../command.js';
import { RECIPE_OPTIONS } from '../../../core/kws/options.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { out, warn, type CliIO } from '../io.js';
import { loadFolder, type FolderClip, type LoadedFolder } from '../load-folder.js';
import { NOT_MEASURED, planSplits, type Split, type SplitBasis } from '../../node/dataset/split.js';
import { checkWritable, describeModel, formatBytes, writeFileSafely } from '../model-io.js';
import { createProgress, type Progress, type ProgressBar } from '../progress.js';
import { maxLiveHiddenSize, trainModel, type TrainRun } from '../../node/keyword-training.js';
import { countHeldOut, describeEpochs, describeHeldOut, keptEpochOf, stoppedEarly, trainingRunOf } from '../../shared/training-summary.js';

export const TRAIN_OPTIONS = {
  out: { type: 'string', short: 'o' },
  cell: { type: 'string' },
  ...declaredFlags(...Object.values(RECIPE_OPTIONS)),
  threads: { type: 'string' },
  words: { type: 'string' },
  'no-other-speech': { type: 'boolean' },
  'from-scratch': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** --words a,b,c: the words to spot (the folder's other labels become unknown speech); default all. */
export function wordsOption(cmd: Command, values: CommandContext['values']): string[] | undefined {
  if (values.words === undefined) return undefined;
  const words = String(values.words).split(',').map((w) => w.trim()).filter(Boolean);
  if (words.length === 0 || new Set(words).size !== words.length) throw new UsageError('--words must list each word once, separated by commas', cmd.usage);
  return words;
}

/**
 * The most units per layer --hidden takes with this cell and depth: the largest network the
 * loader accepts as fast enough to listen live (trainModel checks the same before training;
 * counted with the fewest classes, one word, so it never refuses what trainModel would take).
 */
export function maxHidden(cell: CellKind, layers: number): number {
  return maxLiveHiddenSize({ cell, layers, features: DEFAULT_RECIPE.features }, 3);
}

/** Recipe overrides from --cell, --hidden, --layers, --epochs, --seed. */
export function recipeOptions(cmd: Command, values: CommandContext['values']): Partial<KwsRecipe> {
  const r: Partial<KwsRecipe> = {};
  if (values.cell !== undefined) r.cell = choiceOption<CellKind>(cmd, values, 'cell', CELL_KINDS, DEFAULT_RECIPE.cell);
  const layers = declaredOption(cmd, values, RECIPE_OPTIONS.layers);
  if (layers !== undefined) r.layers = layers;
  const hidden = declaredOption(cmd, values, RECIPE_OPTIONS.hiddenSize);
  if (hidden !== undefined) {
    const cell = r.cell ?? DEFAULT_RECIPE.cell, depth = r.layers ?? DEFAULT_RECIPE.layers, most = maxHidden(cell, depth);
    if (hidden > most) {
      throw new UsageError(`--hidden must be at most ${most} with ${depth} ${cell} layer${depth === 1 ? '' : 's'}: a larger network is too slow to listen live, so the model would be refused`, cmd.usage);
    }
    r.hiddenSize = hidden;
  }
  const epochs = declaredOption(cmd, values, RECIPE_OPTIONS.epochs);
  if (epochs !== undefined) r.epochs = epochs;
  const seed = declaredOption(cmd, values, RECIPE_OPTIONS.seed);
  if (seed !== undefined) r.seed = seed;
  return r;
}

/** Reads the folder with a progress bar and prints its warnings. */
export async function readFolder(io: CliIO, progress: Progress, dir: string, options: { background?: boolean } = {}): Promise<LoadedFolder> {
  let bar: ProgressBar | null = null;
  const folder = await loadFolder(dir, {
    background: options.background, signal: io.signal,
    onProgress: (done, total) => { (bar ??= progress.bar('reading', total)).update(done); },
  });
  (bar as ProgressBar | null)?.stop(`${folder.clips.length} clips${folder.background.length ? `, ${folder.background.length} background recordings` : ''}`);
  for (const w of folder.warnings) warn(io, w);
  return folder;
}

/**
 * The train / validation / test clips of a folder: its own split (lists or speakers), or by
 * take when that leaves a word without training or held-out clips (planSplits).
 */
export function splitForTraining(folder: LoadedFolder, words?: readonly string[]): { train: FolderClip[]; validation: FolderClip[]; test: FolderClip[]; basis: SplitBasis; fallback: string | null } {
  const plan = planSplits(folder.clips, words, folder.splitFromLists);
  const of = (split: Split): FolderClip[] => folder.clips.filter((_, i) => plan.splits[i] === split);
  return { train: of('training'), validation: of('validation'), test: of('testing'), basis: plan.basis, fallback: plan.fallback };
}

/** The app's sentence for the test clips (app/shared/training-summary.ts): "12 clips of 3 speakers it never heard". */
export function testedOn(clips: readonly FolderClip[], train: readonly FolderClip[], basis: SplitBasis): string {
  return describeHeldOut({ basis, ...countHeldOut(clips, train) });
}

/** Progress for the recipe's events: preparing, then training by step with a line per epoch. */
export function trainingReporter(io: CliIO, progress: Progress, label = ''): (e: KwsTrainEvent) => void {
  let prepare: ProgressBar | null = null;
  let training: ProgressBar | null = null;
  let epochs = 0, step = 0, lastVal = '';
  const prefix = label ? `${label} ` : '';
  return (e) => {
    switch (e.type) {
      case 'prepare':
        (prepare ??= progress.bar(`${prefix}preparing`, e.total)).update(e.done);
        break;
      case 'warning':
        warn(io, e.message);
        break;
      case 'start':
        prepare?.stop(`${e.examples} training examples`);
        epochs = e.epochs;
        training = progress.bar(`${prefix}training`, e.epochs * e.stepsPerEpoch);
        break;
      case 'step':
        step = e.step;
        training?.update(step, `epoch ${e.epoch + 1}/${epochs}, loss ${e.loss.toFixed(3)}${lastVal}`);
        break;
      case 'epoch':
        lastVal = e.valAccuracy !== null ? `; last validation accuracy ${pct(e.valAccuracy)}` : '';
        training?.update(step, epochLine(e, epochs), { line: true });
        if (e.epoch === epochs) training?.stop(epochLine(e, epochs));
        break;
      case 'non-finite':
        warn(io, `a non-finite loss or gradient at step ${e.step}; the learning rate was halved`);
        break;
      case 'early-stop':
        training?.stop(`stopped early after epoch ${e.epoch}: no better validation loss since epoch ${e.bestEpoch}`);
        break;
    }
  };
}

export function epochLine(e: EpochRecord, epochs: number): string {
  const val = e.valLoss !== null ? `, validation loss ${e.valLoss.toFixed(3)}, accuracy ${pct(e.valAccuracy ?? 0)}` : '';
  return `epoch ${e.epoch}/${epochs}: loss ${e.trainLoss.toFixed(3)}, accuracy ${pct(e.trainAccuracy)}${val}`;
}

export function modelBytes(path: string, m: KwsModel): Uint8Array {
  return path.toLowerCase().endsWith('.onnx') ? exportKwsModel(m) : saveKwsModel(m);
}

/** Accuracy of the model on clips (TypeScript engine), or null when there are none. */
export async function testAccuracy(m: KwsModel, clips: readonly FolderClip[]): Promise<{ accuracy: number; clips: number } | null> {
  if (clips.length === 0) return null;
  const engine = new TypeScriptEngine(m.model);
  try {
    const report = await evaluateClips(engine, clips, m);
    return report.clips > 0 ? { accuracy: report.accuracy, clips: report.clips } : null;
  } finally {
    await engine.dispose();
  }
}

export const train: Command = {
  name: 'train',
  summary: 'train a keyword model on a Speech Commands-layout folder',
  usage: `hark train <dataset-dir> --out <model-file> [--cell ${CELL_KINDS.join('|')}] [--hidden N] [--layers N] [--epochs N] [--seed N] [--words a,b] [--threads N] [--no-other-speech] [--from-scratch] [--json]`,
  help: [
    '  -o, --out FILE   where to write the model: a .hark checkpoint, or .onnx to export directly',
    `  --cell KIND      ${CELL_KINDS.join(', ')} (default ${DEFAULT_RECIPE.cell})`,
    declaredHelp(RECIPE_OPTIONS.hiddenSize, 'N', { note: `at most ${maxHidden('lstm', 1)} with one lstm layer, ${maxHidden('gru', 1)} with one gru layer, fewer with more layers` }),
    declaredHelp(RECIPE_OPTIONS.layers, 'N'),
    declaredHelp(RECIPE_OPTIONS.epochs, 'N'),
    declaredHelp(RECIPE_OPTIONS.seed, 'N'),
    '  --words A,B      the words to spot (default: every label); the other labels are learned as _unknown_',
    '  --threads N      extra training threads (default: one per spare core, at most 3; 0 = none)',
    '  --no-other-speech  do not mix in the bundled other speech (words and sentences in many',
    '                   voices and languages that every model otherwise learns as _unknown_)',
    '  --from-scratch   do not start from the pretrained encoder (assets/pretrained; used when',
    '                   the network is the default one)',
    '  --json           print a JSON summary on stdout (progress stays on stderr)',
    '',
    'Clips are split by speaker as in Speech Commands (or by validation_list.txt and',
    'testing_list.txt): training to learn, validation to stop early, testing scored at the',
    'end. When that leaves a word without training or held-out clips (one person\'s',
    `recordings), some takes of each speaker are held out instead. ${BACKGROUND_DIR}/*.wav`,
    `is mixed in as noise and taught as the background class (so is ${SILENCE_DIR}/); ${UNKNOWN_LABEL}/*.wav`,
    'is other speech.',
  ].join('\n'),
  options: TRAIN_OPTIONS,
  positionals: ['dataset-dir'],
  async run(ctx) {
    const { io, values } = ctx;
    if (typeof values.out !== 'string' || values.out === '') throw new UsageError('--out <model-file> is required', this.usage);
    const overrides = recipeOptions(this, values);
    const workers = intOption(this, values, 'threads', 0, 16);
    const words = wordsOption(this, values);
    const json = values.json === true;
    const outPath = ctx.path(values.out);
    await checkWritable(outPath);
    const progress = createProgress(io, { json });
    const folder = await readFolder(io, progress, ctx.path(ctx.positionals[0]), { background: true });
    const split = splitForTraining(folder, words);
    if (split.fallback) progress.note(split.fallback);
    progress.note(`${split.train.length} training, ${split.validation.length} validation and ${split.test.length} test clips of ${new Set(folder.clips.map((c) => c.label)).size} words`);
    const run: TrainRun = await trainModel(
      { train: split.train, validation: split.validation, background: folder.background.map((b) => b.samples), words },
      overrides, { signal: io.signal, workers, onEvent: trainingReporter(io, progress), onWarning: (m) => warn(io, m), bundledSpeech: values['no-other-speech'] !== true, pretrained: values['from-scratch'] !== true },
    );
    const m = run.model;
    const test = await testAccuracy(m, split.test);
    const bytes = modelBytes(outPath, m);
    await writeFileSafely(outPath, bytes);
    // The run says which epoch it kept (early stopping may not keep the lowest loss: minEpochs).
    const best = keptEpochOf(m.history, m.keptEpoch);
    const epochs = trainingRunOf(m);
    if (json) {
      out(io, JSON.stringify({
        model: outPath, format: outPath.toLowerCase().endsWith('.onnx') ? 'onnx' : 'hark', bytes: bytes.length,
        cell: m.model.config.cell, hiddenSize: m.model.config.hiddenSize, layers: m.model.config.layers,
        parameters: m.model.paramCount, labels: m.labels,
        clips: { training: split.train.length, validation: split.validation.length, testing: split.test.length }, splitBasis: split.basis,
        testedOn: test ? testedOn(split.test, split.train, split.basis) : null,
        epochs: m.history.length, bestEpoch: best?.epoch ?? null, stoppedEarly: epochs ? stoppedEarly(epochs) : false,
        validationAccuracy: best?.valAccuracy ?? null, testAccuracy: test?.accuracy ?? null,
        trainingSeconds: run.seconds, threads: run.workers + 1, warnings: m.warnings, history: m.history,
      }));
      return EXIT_OK;
    }
    out(io, `trained ${describeModel(m)}`);
    out(io, `  ${epochs ? describeEpochs(epochs) : 'no epochs'} in ${run.seconds.toFixed(1)} s on ${run.workers + 1} thread${run.workers ? 's' : ''}`);
    if (best?.valAccuracy != null) out(io, `  validation accuracy ${pct(best.valAccuracy)} (validation windows, background included)`);
    out(io, test ? `  test accuracy ${pct(test.accuracy)} on ${testedOn(split.test, split.train, split.basis)}` : `  ${NOT_MEASURED}`);
    out(io, `saved ${outPath} (${formatBytes(bytes.length)})`);
    return EXIT_OK;
  },
};
