// A keyword model on disk. Two forms, told apart by their first bytes:
//   .hark  a checkpoint (core/train/checkpoint.ts, magic "HARKCKPT") whose labels are the
//          classes and whose extra holds the feature settings, the recipe, the training
//          history and the warnings; what `hark train` writes and the app keeps.
//   .onnx  an exported model (core/onnx/export.ts) with hark.labels and hark.features;
//          loads for inference and evaluation, but has no history.

import { ConfigError } from '../errors.js';
import { parseFeatureConfig } from '../features/config.js';
import { exportOnnx } from '../onnx/export.js';
import { importOnnx } from '../onnx/import.js';
import { CHECKPOINT_MAGIC, loadCheckpoint, saveCheckpoint } from '../train/checkpoint.js';
import type { EpochRecord } from '../train/trainer.js';
import { resolveRecipe, type KwsModel } from './recipe.js';

export type KwsModelFormat = 'hark' | 'onnx';

export function saveKwsModel(m: KwsModel): Uint8Array {
  return saveCheckpoint({
    model: m.model, labels: m.labels, trainer: null,
    extra: { kind: 'hark.keyword-model', features: m.features, recipe: { ...m.recipe }, history: m.history, warnings: m.warnings },
  });
}

/** The model as ONNX, with its labels and feature settings in the metadata. */
export function exportKwsModel(m: KwsModel): Uint8Array {
  return exportOnnx(m.model, { labels: m.labels, features: { ...m.features } });
}

export function modelFormatOf(bytes: Uint8Array): KwsModelFormat {
  const magic = new TextDecoder().decode(bytes.subarray(0, CHECKPOINT_MAGIC.length));
  return magic === CHECKPOINT_MAGIC ? 'hark' : 'onnx';
}

/** Loads either form; throws CheckpointError / OnnxImportError / ConfigError with a code. */
export function loadKwsModel(bytes: Uint8Array): KwsModel & { format: KwsModelFormat } {
  if (modelFormatOf(bytes) === 'hark') {
    const c = loadCheckpoint(bytes);
    const extra = c.extra as { features?: unknown; recipe?: unknown; history?: unknown; warnings?: unknown };
    if (!c.labels || extra.features === undefined) throw new ConfigError('not-a-keyword-model', 'this checkpoint has no class labels or feature settings: it is not a keyword model');
    const features = parseFeatureConfig(extra.features);
    const recipe = resolveRecipe({ ...(typeof extra.recipe === 'object' && extra.recipe !== null ? extra.recipe : {}), features });
    return {
      model: c.model, labels: c.labels, features, recipe, format: 'hark',
      history: Array.isArray(extra.history) ? (extra.history as EpochRecord[]) : [],
      warnings: Array.isArray(extra.warnings) ? extra.warnings.filter((w): w is string => typeof w === 'string') : [],
    };
  }
  const imported = importOnnx(bytes);
  if (Object.keys(imported.features).length === 0) throw new ConfigError('no-feature-settings', 'this ONNX model does not say which features it takes (no hark.features metadata), so Hark cannot feed it audio');
  const features = parseFeatureConfig(imported.features);
  return {
    model: imported.model, labels: imported.labels, features, format: 'onnx',
    recipe: resolveRecipe({ cell: imported.model.config.cell, hiddenSize: imported.model.config.hiddenSize, layers: imported.model.config.layers, pooling: imported.model.config.pooling, features }),
    history: [], warnings: [],
  };
}
