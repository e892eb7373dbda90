// hark eval <model-file> <dataset-dir>: every clip of a Speech Commands-layout folder,
// centred in the model's window (as training's clean copies), scored against its folder
// name. Labels the model does not know count as unknown speech (`_unknown_`); with no
// unknown class they are skipped and listed. `_background_noise_` is not evaluated (long
// recordings, not clips).

import { extractFeatures } from '../../../core/features/mfcc.js';
import { evaluateClips, type ClipReport } from '../../../core/kws/evaluate.js';
import { centredWindow } from '../../../core/kws/examples.js';
import { classIndexOf } from '../../../core/kws/labels.js';
import { pct, type Command } from '../command.js';
import { CancelledError, EXIT_OK } from '../errors.js';
import { out, type CliIO } from '../io.js';
import type { FolderClip } from '../load-folder.js';
import { describeModel, engineName, openEngine, parseEngine, readModelFile, type EngineChoice, type LoadedModel } from '../model-io.js';
import { createProgress, type Progress } from '../progress.js';
import { readFolder } from './train.js';

/** Features (T, F) of each clip's centred window, with progress; aborts on Ctrl-C. */
export async function clipFeatures(io: CliIO, progress: Progress, m: LoadedModel, clips: readonly FolderClip[]): Promise<Float32Array[]> {
  const bar = progress.bar('features', clips.length);
  const windows: Float32Array[] = [];
  let tick = performance.now();
  for (const c of clips) {
    // Clips the model has no class for are not scored: no need for their features.
    windows.push(classIndexOf(m.labels, c.label) >= 0 ? extractFeatures(centredWindow(c.samples, m.features), m.features) : new Float32Array(0));
    if (performance.now() - tick > 100) {
      bar.update(windows.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
      tick = performance.now();
      if (io.signal?.aborted) throw new CancelledError();
    }
  }
  bar.stop(`${clips.length} clips`);
  return windows;
}

export interface EvalResult {
  report: ClipReport;
  clips: readonly FolderClip[];
}

export async function evaluateFolderClips(choice: EngineChoice, m: LoadedModel, clips: readonly FolderClip[], windows: readonly Float32Array[]): Promise<ClipReport> {
  const engine = await openEngine(choice, m);
  try {
    return await evaluateClips(engine, clips, m, { windows });
  } finally {
    await engine.dispose();
  }
}

/** The result as one JSON object (what --json prints). */
export function evalJson(m: LoadedModel, choice: EngineChoice, folder: string, clips: readonly FolderClip[], r: ClipReport): object {
  return {
    model: m.path, engine: choice, folder,
    accuracy: r.accuracy, macroF1: r.macroF1, clips: r.clips,
    labels: r.labels, perClass: r.perClass, confusion: r.confusion,
    predictions: r.predictions.map((p) => ({ file: clips[p.index].path, truth: r.labels[p.truth], predicted: r.labels[p.predicted], score: p.score })),
    skipped: r.skipped.map((i) => ({ file: clips[i].path, label: clips[i].label })),
  };
}

function table(rows: string[][], alignRight: (col: number) => boolean): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (alignRight(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

export function printReport(io: CliIO, r: ClipReport): void {
  const correct = r.predictions.filter((p) => p.truth === p.predicted).length;
  out(io, `accuracy ${pct(r.accuracy)} (${correct} of ${r.clips} clips), macro F1 ${r.macroF1.toFixed(3)}`);
  out(io);
  const classRows = [['class', 'precision', 'recall', 'F1', 'clips'],
    ...r.perClass.map((c) => [c.label, pct(c.precision), pct(c.recall), c.f1.toFixed(3), String(c.support)])];
  for (const line of table(classRows, (c) => c > 0)) out(io, line);
  out(io);
  out(io, 'confusion (rows: true class, columns: predicted)');
  const short = r.labels.map((l) => (l.length > 12 ? `${l.slice(0, 11)}…` : l));
  const confRows = [['', ...short], ...r.confusion.map((row, i) => [short[i], ...row.map(String)])];
  for (const line of table(confRows, (c) => c > 0)) out(io, line);
}

export const evaluate: Command = {
  name: 'eval',
  summary: 'score a model on every clip of a folder (accuracy, per-class precision/recall/F1, confusion)',
  usage: 'hark eval <model-file> <dataset-dir> [--engine ts|onnx] [--json]',
  help: [
    '  --engine E       ts (the TypeScript engine, default) or onnx (onnxruntime)',
    '  --json           print one JSON object: accuracy, labels, perClass, confusion, predictions (one per clip), skipped',
    '',
    'Every <word>/*.wav clip is scored (all splits). Words the model was not taught count as',
    '_unknown_; if the model has no _unknown_ class those clips are skipped and listed.',
  ].join('\n'),
  options: { engine: { type: 'string' }, json: { type: 'boolean' } },
  positionals: ['model-file', 'dataset-dir'],
  async run(ctx) {
    const { io, values } = ctx;
    const choice = parseEngine(values.engine as string | undefined, this.usage);
    const json = values.json === true;
    const m = await readModelFile(ctx.path(ctx.positionals[0]));
    const progress = createProgress(io, { json });
    const folder = await readFolder(io, progress, ctx.path(ctx.positionals[1]));
    const windows = await clipFeatures(io, progress, m, folder.clips);
    const report = await evaluateFolderClips(choice, m, folder.clips, windows);
    if (json) {
      out(io, JSON.stringify(evalJson(m, choice, folder.root, folder.clips, report)));
      return EXIT_OK;
    }
    out(io, `model  ${m.path} (${describeModel(m)})`);
    out(io, `engine ${engineName(choice)}`);
    out(io, `clips  ${folder.clips.length} in ${folder.root}`);
    if (report.skipped.length > 0) {
      const labels = [...new Set(report.skipped.map((i) => folder.clips[i].label))];
      out(io, `skipped ${report.skipped.length} clips of words the model does not know and has no _unknown_ class for: ${labels.join(', ')}`);
    }
    out(io);
    if (report.clips === 0) {
      out(io, 'no clip could be scored');
      return EXIT_OK;
    }
    printReport(io, report);
    return EXIT_OK;
  },
};
