// A keyword model on disk. Two forms, told apart by their first bytes:
//   .hark  a checkpoint (core/train/checkpoint.ts, magic "HARKCKPT") whose labels are the
//          classes and whose extra holds the feature settings, the recipe, the training
//          history and the warnings; what `hark train` writes and the app keeps.
//   .onnx  an exported model (core/onnx/export.ts) with hark.labels and hark.features;
//          loads for inference and evaluation, but has no history.
//
// Every model that is loaded, either form, passes checkKwsModel before anyone uses it: its
// feature settings and its network must fit together, it must listen live within the
// budget (core/features/budget.ts), and it must give finite probabilities.

import { ConfigError } from '../errors.js';
import { checkLiveBudget, type LiveSetting } from '../features/budget.js';
import { featureCount, modelFrames, parseFeatureConfig } from '../features/config.js';
import { extractFeatures } from '../features/mfcc.js';
import { exportOnnx } from '../onnx/export.js';
import { importOnnx } from '../onnx/import.js';
import { CHECKPOINT_MAGIC, loadCheckpoint, saveCheckpoint } from '../train/checkpoint.js';
import { Random } from '../tensor/random.js';
import type { EpochRecord } from '../train/trainer.js';
import { DEFAULT_HOP_MS } from './detector.js';
import { parseCalibration } from './calibrate.js';
import { resolveRecipe, type KwsModel } from './recipe.js';

export type KwsModelFormat = 'hark' | 'onnx';

export function saveKwsModel(m: KwsModel): Uint8Array {
  return saveCheckpoint({
    model: m.model, labels: m.labels, trainer: null,
    extra: { kind: 'hark.keyword-model', features: m.features, recipe: { ...m.recipe }, history: m.history, warnings: m.warnings, calibration: m.calibration ?? null },
  });
}

/** Where an ONNX file keeps the calibrated thresholds (calibrate.ts). */
const CALIBRATION_KEY = 'hark.calibration';

/** The model as ONNX, with its labels, feature settings and calibrated thresholds in the metadata. */
export function exportKwsModel(m: KwsModel): Uint8Array {
  const metadata = m.calibration ? { [CALIBRATION_KEY]: JSON.stringify(m.calibration) } : undefined;
  return exportOnnx(m.model, { labels: m.labels, features: { ...m.features }, metadata });
}

export function modelFormatOf(bytes: Uint8Array): KwsModelFormat {
  const magic = new TextDecoder().decode(bytes.subarray(0, CHECKPOINT_MAGIC.length));
  return magic === CHECKPOINT_MAGIC ? 'hark' : 'onnx';
}

/**
 * How a model is checked against the live budget when it is loaded: the way the app listens
 * by default (the Listen screen picks onnxruntime, which the engine always offers, and the
 * detector's default decision hop). Live start checks again with the engine and hop chosen.
 */
export const LOAD_LIVE_SETTING: Readonly<LiveSetting> = Object.freeze({ engine: 'onnxruntime', hopMs: DEFAULT_HOP_MS });

/**
 * Refuses a model that cannot be used, with a typed ConfigError: feature settings that do
 * not give the network's input size ('model-mismatch'), labels that do not match its
 * classes ('model-mismatch'), a label named twice ('bad-labels'), work beyond the live
 * budget ('too-slow'), or probabilities that are not finite on a window of silence or of
 * quiet noise ('non-finite-output', e.g. weights so large that every clip gives NaN).
 */
export function checkKwsModel(m: Pick<KwsModel, 'model' | 'labels' | 'features'>): void {
  const config = m.model.config;
  const F = featureCount(m.features);
  if (config.inputSize !== F) {
    throw new ConfigError('model-mismatch', `the network takes ${config.inputSize} values per frame, but its feature settings give ${F}: the model is inconsistent`);
  }
  if (m.labels.length !== config.classes) {
    throw new ConfigError('model-mismatch', `the network has ${config.classes} classes, but the model names ${m.labels.length} labels`);
  }
  // Two classes of one name: a detection could not say which, and the ONNX export would not import again.
  const twice = m.labels.find((l, i) => m.labels.indexOf(l) !== i);
  if (twice !== undefined) throw new ConfigError('bad-labels', `the model names ${JSON.stringify(twice)} twice among its labels: it cannot be used`);
  checkLiveBudget(m.features, config, LOAD_LIVE_SETTING);
  // One window of silence and one of quiet noise (−40 dBFS), batched (T, 2, F). The budget
  // above bounds what this costs: about one decision's work.
  const samples = Math.round(m.features.windowSeconds * m.features.sampleRate);
  const noise = new Float32Array(samples);
  new Random(1).fillNormal(noise, 0.01);
  const windows = [extractFeatures(new Float32Array(samples), m.features), extractFeatures(noise, m.features)];
  const T = modelFrames(m.features), B = windows.length;
  const x = new Float32Array(T * B * F);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) x.set(windows[b].subarray(t * F, (t + 1) * F), (t * B + b) * F);
  const probs = m.model.forward(x, T, B);
  for (let i = 0; i < B * config.classes; i++) {
    if (!Number.isFinite(probs[i])) {
      throw new ConfigError('non-finite-output', `the model gives ${probs[i]} instead of a probability on ${i < config.classes ? 'silence' : 'quiet noise'}: its weights are damaged or out of range`);
    }
  }
}

/** Loads either form and checks it (checkKwsModel); throws CheckpointError / OnnxImportError / ConfigError with a code. */
export function loadKwsModel(bytes: Uint8Array): KwsModel & { format: KwsModelFormat } {
  const m = readKwsModel(bytes);
  checkKwsModel(m);
  return m;
}

function readKwsModel(bytes: Uint8Array): KwsModel & { format: KwsModelFormat } {
  if (modelFormatOf(bytes) === 'hark') {
    const c = loadCheckpoint(bytes);
    const extra = c.extra as { features?: unknown; recipe?: unknown; history?: unknown; warnings?: unknown; calibration?: unknown };
    if (!c.labels || extra.features === undefined) throw new ConfigError('not-a-keyword-model', 'this checkpoint has no class labels or feature settings: it is not a keyword model');
    const features = parseFeatureConfig(extra.features);
    const recipe = resolveRecipe({ ...(typeof extra.recipe === 'object' && extra.recipe !== null ? extra.recipe : {}), features });
    return {
      model: c.model, labels: c.labels, features, recipe, format: 'hark',
      history: Array.isArray(extra.history) ? (extra.history as EpochRecord[]) : [],
      warnings: Array.isArray(extra.warnings) ? extra.warnings.filter((w): w is string => typeof w === 'string') : [],
      calibration: parseCalibration(extra.calibration, c.labels),
    };
  }
  const imported = importOnnx(bytes);
  if (Object.keys(imported.features).length === 0) throw new ConfigError('no-feature-settings', 'this ONNX model does not say which features it takes (no hark.features metadata), so Hark cannot feed it audio');
  const features = parseFeatureConfig(imported.features);
  return {
    model: imported.model, labels: imported.labels, features, format: 'onnx',
    recipe: resolveRecipe({ cell: imported.model.config.cell, hiddenSize: imported.model.config.hiddenSize, layers: imported.model.config.layers, pooling: imported.model.config.pooling, features }),
    history: [], warnings: [],
    calibration: parseCalibration(parseJson(imported.metadata[CALIBRATION_KEY]), imported.labels),
  };
}

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try { return JSON.parse(text) as unknown; } catch { return undefined; }
};
