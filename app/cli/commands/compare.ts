// hark compare <dataset-dir>: the four recurrent cells trained on the same split with the
// same seed and recipe, side by side: clip accuracy on the test and validation splits,
// parameters, file sizes, training time, and the time one 1 s window takes through each
// engine.

import { featureCount, modelFrames } from '../../../core/features/config.js';
import { TypeScriptEngine, type InferenceEngine } from '../../../core/inference/engine.js';
import { evaluateClips } from '../../../core/kws/evaluate.js';
import { exportKwsModel, saveKwsModel } from '../../../core/kws/model-file.js';
import type { KwsModel } from '../../../core/kws/recipe.js';
import { CELL_KINDS, type CellKind } from '../../../core/nn/layer.js';
import { Random } from '../../../core/tensor/random.js';
import { intOption, pct, type Command } from '../command.js';
import { CancelledError, EXIT_OK, UsageError } from '../errors.js';
import { out, warn } from '../io.js';
import type { FolderClip } from '../load-folder.js';
import { formatBytes } from '../model-io.js';
import { createProgress } from '../progress.js';
import { trainModel } from '../../node/keyword-training.js';
import { readFolder, recipeOptions, splitForTraining, trainingReporter, wordsOption } from './train.js';

const TIMED_RUNS = 50;

const acc = (a: number | null): string => (a === null ? '-' : pct(a));

/** Median milliseconds of one (T, 1, F) window through the engine (after a warm-up). */
export async function windowMs(engine: InferenceEngine, m: KwsModel): Promise<number> {
  const T = modelFrames(m.features), F = featureCount(m.features);
  const rng = new Random(1);
  const x = new Float32Array(T * F).map(() => rng.normal());
  for (let i = 0; i < 5; i++) await engine.run(x, T, 1);
  const times: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const t0 = performance.now();
    await engine.run(x, T, 1);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface Row {
  cell: CellKind;
  testAccuracy: number | null;
  validationAccuracy: number | null;
  parameters: number;
  harkBytes: number;
  onnxBytes: number;
  trainingSeconds: number;
  epochs: number;
  tsMs: number;
  onnxMs: number | null;
}

export const compare: Command = {
  name: 'compare',
  summary: 'train the four cells on the same split and compare accuracy, size and speed',
  usage: 'hark compare <dataset-dir> [--cells lstm,peephole,cifg,gru] [--hidden N] [--layers N] [--epochs N] [--seed N] [--words a,b] [--threads N] [--json]',
  help: [
    '  --cells LIST     which cells, comma-separated (default: all four)',
    '  --hidden N, --layers N, --epochs N, --seed N, --words A,B, --threads N, --no-other-speech   as for hark train',
    '  --no-onnx        skip the onnxruntime timing',
    '  --json           print a JSON array, one object per cell',
    '',
    'Accuracy is clip accuracy on the test and on the validation split (the validation split',
    'also decides early stopping).',
    'Inference time is the median of 50 runs of one 1 s window, batch 1.',
  ].join('\n'),
  options: {
    cells: { type: 'string' }, hidden: { type: 'string' }, layers: { type: 'string' }, epochs: { type: 'string' }, seed: { type: 'string' },
    threads: { type: 'string' }, words: { type: 'string' }, 'no-other-speech': { type: 'boolean' }, 'no-onnx': { type: 'boolean' }, json: { type: 'boolean' },
  },
  positionals: ['dataset-dir'],
  async run(ctx) {
    const { io, values } = ctx;
    const cells = typeof values.cells === 'string' ? values.cells.split(',').map((c) => c.trim()).filter(Boolean) : [...CELL_KINDS];
    for (const c of cells) if (!CELL_KINDS.includes(c as CellKind)) throw new UsageError(`--cells: unknown cell "${c}" (lstm, peephole, cifg, gru)`, this.usage);
    if (cells.length === 0 || new Set(cells).size !== cells.length) throw new UsageError('--cells must name each cell once', this.usage);
    const overrides = recipeOptions(this, values);
    const workers = intOption(this, values, 'threads', 0, 16);
    const words = wordsOption(this, values);
    const json = values.json === true;
    const progress = createProgress(io, { json });
    const folder = await readFolder(io, progress, ctx.path(ctx.positionals[0]), { background: true });
    const split = splitForTraining(folder, words);
    if (split.fallback) progress.note(split.fallback);
    progress.note(`${split.train.length} training, ${split.validation.length} validation and ${split.test.length} test clips`);
    const rows: Row[] = [];
    for (const cell of cells as CellKind[]) {
      if (io.signal?.aborted) throw new CancelledError();
      const run = await trainModel(
        { train: split.train, validation: split.validation, background: folder.background.map((b) => b.samples), words },
        { ...overrides, cell }, { signal: io.signal, workers, onEvent: trainingReporter(io, progress, cell), onWarning: (m) => warn(io, m), bundledSpeech: values['no-other-speech'] !== true,
          // from scratch: the pretrained encoder is an LSTM's, and would favour that cell
          pretrained: false },
      );
      const m = run.model;
      const ts = new TypeScriptEngine(m.model);
      const accuracyOn = async (clips: readonly FolderClip[]): Promise<number | null> => {
        if (clips.length === 0) return null;
        const r = await evaluateClips(ts, clips, m);
        return r.clips > 0 ? r.accuracy : null;
      };
      let testAccuracy: number | null, validationAccuracy: number | null, tsMs: number, onnxMs: number | null = null;
      try {
        testAccuracy = await accuracyOn(split.test);
        validationAccuracy = await accuracyOn(split.validation);
        tsMs = await windowMs(ts, m);
      } finally {
        await ts.dispose();
      }
      if (values['no-onnx'] !== true) {
        const { createOnnxEngine } = await import('../../node/onnx-engine.js');
        const onnx = await createOnnxEngine(m.model);
        try {
          onnxMs = await windowMs(onnx, m);
        } finally {
          await onnx.dispose();
        }
      }
      rows.push({
        cell, testAccuracy, validationAccuracy, parameters: m.model.paramCount, harkBytes: saveKwsModel(m).length, onnxBytes: exportKwsModel(m).length,
        trainingSeconds: run.seconds, epochs: m.history.length, tsMs, onnxMs,
      });
      progress.note(`${cell}: test accuracy ${acc(testAccuracy)}, validation accuracy ${acc(validationAccuracy)}, ${run.seconds.toFixed(1)} s`);
    }
    if (json) {
      out(io, JSON.stringify(rows.map((r) => ({ ...r, testClips: split.test.length, validationClips: split.validation.length }))));
      return EXIT_OK;
    }
    const header = ['cell', 'test acc', 'val acc', 'params', '.hark', '.onnx', 'epochs', 'train s', 'ts ms/window', 'onnx ms/window'];
    const body = rows.map((r) => [r.cell, acc(r.testAccuracy), acc(r.validationAccuracy), r.parameters.toLocaleString('en-US'), formatBytes(r.harkBytes), formatBytes(r.onnxBytes),
      String(r.epochs), r.trainingSeconds.toFixed(1), r.tsMs.toFixed(3), r.onnxMs === null ? '-' : r.onnxMs.toFixed(3)]);
    const all = [header, ...body];
    const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
    for (const row of all) out(io, row.map((cellText, c) => (c === 0 ? cellText.padEnd(widths[c]) : cellText.padStart(widths[c]))).join('  '));
    out(io);
    out(io, `${split.test.length} test and ${split.validation.length} validation clips; same split, seed ${overrides.seed ?? 0} and recipe for every cell; times on this machine, now`);
    return EXIT_OK;
  },
};
