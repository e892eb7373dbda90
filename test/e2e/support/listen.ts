// The Listen screen with a model ready: an LSTM-64 with random weights (the app's default
// features, four classes), imported as ONNX under Models, activated, then the Listen tab.
// For what listening costs and does, not what it recognises.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { exportOnnx } from '../../../core/onnx/export.js';
import { DEFAULT_FEATURE_CONFIG, featureCount, serializeFeatureConfig } from '../../../core/features/config.js';
import { SequenceClassifier } from '../../../core/nn/classifier.js';

export const RANDOM_MODEL_LABELS = ['_background_', '_unknown_', 'yes', 'no'];

/** The model itself (the same weights every time). */
export function randomModel(): SequenceClassifier {
  return new SequenceClassifier({ cell: 'lstm', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 64, layers: 1, classes: RANDOM_MODEL_LABELS.length, dropout: 0, pooling: 'last' }, { seed: 1 });
}

/** Writes the model to `dir` as ONNX; its path. */
export function writeRandomModel(dir: string): string {
  const model = randomModel();
  const path = join(dir, 'bench-lstm64.onnx');
  writeFileSync(path, exportOnnx(model, { labels: RANDOM_MODEL_LABELS, features: JSON.parse(serializeFeatureConfig(DEFAULT_FEATURE_CONFIG)) as Record<string, unknown> }));
  return path;
}

/** On the app's page (engine connected or connecting): imports and activates the model at `onnxPath`, then opens Listen. */
export async function openListenWith(page: Page, onnxPath: string): Promise<void> {
  await page.locator('[data-engine="connected"]').waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Models' }).click();
  await page.getByLabel('Import an ONNX model').setInputFiles(onnxPath);
  await page.getByRole('button', { name: 'Activate' }).first().click();
  await page.locator('text=(active)').waitFor();
  await page.getByRole('tab', { name: 'Listen' }).click();
}
