// hark eval <model-file> <dataset-dir>: every clip of a Speech Commands-layout folder,
// centred in the model's window (as training's clean copies), scored against its folder
// name. Labels the model does not know count as unknown speech (`_unknown_`); with no
// unknown class they are skipped and listed. `_background_noise_` is not evaluated (long
// recordings, not clips); with --stream it is the bed of the stream, read a block at a time
// and only as far as the stream reaches, so a recording of any length serves.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { extractFeatures } from '../../../core/features/mfcc.js';
import { evaluateClips, type ClipReport } from '../../../core/kws/evaluate.js';
import { centredWindow } from '../../../core/kws/examples.js';
import { classIndexOf } from '../../../core/kws/labels.js';
import { DETECTOR_OPTIONS } from '../../../core/kws/options.js';
import { isFillerLabel } from '../../../core/kws/labels.js';
import { composeStream, evaluateStream, type StreamEvaluation } from '../../../core/kws/stream-eval.js';
import { declaredFlags, declaredHelp, declaredOption, intOption, numberOption, pct, type Command } from '../command.js';
import { CancelledError, CliError, describeErrno, EXIT_OK } from '../errors.js';
import { out, warn, type CliIO } from '../io.js';
import { type FolderClip, type LoadedFolder } from '../load-folder.js';
import { SILENCE_DIR } from '../../node/dataset/store.js';
import { isTempName } from '../../node/dataset/atomic.js';
import { BACKGROUND_DIR, SAMPLE_RATE } from '../../node/dataset/store.js';
import { openWavStream } from '../../node/wav-file.js';
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
  usage: 'hark eval <model-file> <dataset-dir> [--engine ts|onnx] [--stream MINUTES] [--threshold P] [--word-end MS] [--seed N] [--json]',
  help: [
    '  --engine E       ts (the TypeScript engine, default) or onnx (onnxruntime)',
    '  --stream M       also run the live detector over M minutes of audio made from the clips: the',
    '                   model\'s words and the other words at known times over the folder\'s background',
    '                   recordings (or pink noise); prints recall, false activations per hour, latency',
    '                   and a suggested threshold per word',
    declaredHelp(DETECTOR_OPTIONS.threshold, 'P', { defaultText: `default: each word's calibrated threshold, or ${DETECTOR_OPTIONS.threshold.default}`, note: 'for --stream, one for every word' }),
    declaredHelp(DETECTOR_OPTIONS.maxTrailingSilenceMs, 'MS', { note: 'for --stream' }),
    '  --seed N         the order and timing of the words in the stream (default 1)',
    '  --json           print one JSON object: accuracy, labels, perClass, confusion, predictions (one per clip), skipped',
    '                   (and stream, with --stream)',
    '',
    'Every <word>/*.wav clip is scored (all splits). Words the model was not taught count as',
    '_unknown_; if the model has no _unknown_ class those clips are skipped and listed.',
  ].join('\n'),
  options: {
    engine: { type: 'string' }, json: { type: 'boolean' }, stream: { type: 'string' },
    ...declaredFlags(DETECTOR_OPTIONS.threshold, DETECTOR_OPTIONS.maxTrailingSilenceMs), seed: { type: 'string' },
  },
  positionals: ['model-file', 'dataset-dir'],
  async run(ctx) {
    const { io, values } = ctx;
    const choice = parseEngine(values.engine as string | undefined, this.usage);
    const json = values.json === true;
    const minutes = numberOption(this, values, 'stream', 0.1, 600);
    // One threshold for every word if given; else each word's calibrated threshold, or the default.
    const own = declaredOption(this, values, DETECTOR_OPTIONS.threshold);
    const threshold = own ?? DETECTOR_OPTIONS.threshold.default;
    const seed = intOption(this, values, 'seed', 0, 2 ** 32 - 1, 1);
    const maxTrailingSilenceMs = declaredOption(this, values, DETECTOR_OPTIONS.maxTrailingSilenceMs, DETECTOR_OPTIONS.maxTrailingSilenceMs.default);
    const m = await readModelFile(ctx.path(ctx.positionals[0]));
    const thresholds = own === undefined ? m.calibration?.thresholds ?? undefined : undefined;
    const progress = createProgress(io, { json });
    const folder = await readFolder(io, progress, ctx.path(ctx.positionals[1]));
    if (minutes !== undefined) folder.background = await streamBed(io, folder.root, minutes * 60);
    const windows = await clipFeatures(io, progress, m, folder.clips);
    const report = await evaluateFolderClips(choice, m, folder.clips, windows);
    const stream = minutes === undefined ? null : await streamEvaluation(io, progress, choice, m, folder, minutes, { threshold, thresholds, maxTrailingSilenceMs }, seed);
    if (json) {
      out(io, JSON.stringify({ ...evalJson(m, choice, folder.root, folder.clips, report), ...(stream ? { stream: streamJson(stream, thresholds ?? threshold) } : {}) }));
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
    if (stream) printStream(io, stream, thresholds ?? threshold);
    return EXIT_OK;
  },
};

/**
 * The folder's background recordings (`_background_noise_/`, then `_silence_/`, as
 * loadFolder lists them) for a stream of `seconds`: the stream lays them end to end, so
 * only their first `seconds` in all are read, a block at a time. Memory is that of the
 * stream, whatever their length. (The last one used is cut where the stream ends, and its
 * level is measured on the part used.) A recording that cannot be read is a warning.
 */
async function streamBed(io: CliIO, root: string, seconds: number): Promise<LoadedFolder['background']> {
  const bed: LoadedFolder['background'] = [];
  let need = Math.ceil(seconds * SAMPLE_RATE);
  for (const dir of [BACKGROUND_DIR, SILENCE_DIR]) {
    let names: string[];
    try {
      names = (await readdir(join(root, dir), { withFileTypes: true }))
        .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.wav') && !isTempName(e.name)).map((e) => e.name).sort();
    } catch {
      continue; // no such folder
    }
    for (const name of names) {
      if (need <= 0) return bed;
      const file = `${dir}/${name}`;
      try {
        const stream = await openWavStream(join(root, dir, name), { sampleRate: SAMPLE_RATE });
        const parts: Float32Array[] = [];
        let got = 0;
        try {
          for await (const block of stream.blocks()) {
            const part = block.subarray(0, Math.min(block.length, need - got));
            parts.push(part);
            got += part.length;
            if (got >= need) break;
          }
        } finally {
          await stream.close();
        }
        if (got === 0) throw new Error('it has no samples');
        const samples = new Float32Array(got);
        parts.reduce((at, p) => { samples.set(p, at); return at + p.length; }, 0);
        bed.push({ path: file, samples });
        need -= got;
      } catch (err) {
        warn(io, `skipped ${file}: ${describeErrno(err) ?? (err as Error).message}`);
      }
      if (io.signal?.aborted) throw new CancelledError();
    }
  }
  return bed;
}

/** The detector over `minutes` of audio composed from the folder's clips (core/kws/stream-eval.ts). */
async function streamEvaluation(
  io: CliIO, progress: Progress, choice: EngineChoice, m: LoadedModel, folder: LoadedFolder, minutes: number,
  detector: { threshold: number; thresholds?: Record<string, number>; maxTrailingSilenceMs: number }, seed: number,
): Promise<StreamEvaluation> {
  const words = m.labels.filter((l) => !isFillerLabel(l));
  const keywords = folder.clips.filter((c) => words.includes(c.label));
  if (keywords.length === 0) throw new CliError(`the folder has no clips of the model's words (${words.join(', ')}) to put in a stream`);
  const composed = composeStream({
    keywords, fillers: folder.clips.filter((c) => !words.includes(c.label)),
    background: folder.background.map((b) => b.samples), durationSeconds: minutes * 60, seed,
  });
  const engine = await openEngine(choice, m);
  const bar = progress.bar('stream', Math.round(minutes * 60));
  try {
    const result = await evaluateStream(engine, m, composed, {
      ...detector,
      onProgress: async (seconds) => {
        bar.update(Math.round(seconds));
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (io.signal?.aborted) throw new CancelledError();
      },
    });
    bar.stop(`${minutes} min, ${composed.events.length} words`);
    return result;
  } finally {
    await engine.dispose();
  }
}

function streamJson(s: StreamEvaluation, threshold: number | Record<string, number>): object {
  const { metrics } = s;
  return {
    threshold, hours: metrics.hours, occurrences: metrics.occurrences, hits: metrics.hits, recall: metrics.recall,
    falseActivations: metrics.falseActivations, falseActivationsPerHour: metrics.falseActivationsPerHour,
    medianLatency: metrics.medianLatency, perWord: metrics.perWord,
    suggestedThresholds: Object.fromEntries(s.sweep.map((w) => [w.label, w.suggested])),
    sweep: s.sweep,
  };
}

function printStream(io: CliIO, s: StreamEvaluation, threshold: number | Record<string, number>): void {
  const m = s.metrics;
  out(io);
  const shown = typeof threshold === 'number' ? `threshold ${threshold}` : `thresholds calibrated per word (${Object.entries(threshold).map(([w, t]) => `${w} ${t}`).join(', ')})`;
  out(io, `stream: ${(m.hours * 60).toFixed(1)} min, ${m.occurrences} keywords, ${shown}`);
  out(io, `recall ${pct(m.recall)} (${m.hits} of ${m.occurrences}), ${m.falseActivations} false activations (${m.falseActivationsPerHour.toFixed(1)} per hour), median latency ${m.medianLatency === null ? '-' : `${Math.round(m.medianLatency * 1000)} ms`} after the word ends`);
  const rows = [['word', 'recall', 'false', 'suggested threshold'],
    ...m.perWord.map((w) => [w.label, pct(w.recall), String(w.falseActivations), String(s.sweep.find((x) => x.label === w.label)?.suggested ?? 'none within 2/h')])];
  for (const line of table(rows, (c) => c > 0)) out(io, line);
}
