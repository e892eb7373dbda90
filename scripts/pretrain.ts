// `npm run pretrain`: the encoder every new model starts from (core/kws/pretrained.ts).
//
// A keyword model of the default recipe's network trained to tell apart every word real
// people say in the shared corpora it may learn from: speech-commands-80's 35 words (80
// people, English) and FSDD's ten digits (3 people), with the bundled other speech as
// unknown. arabic-commands-12 is left out on purpose: report:real's personal scenario
// measures on its people, who must be strangers to every part of the model. The encoder
// is its recurrent layers and input normalisation; a user's model copies them and learns
// a head for its own words (fine-tuning). Deterministic: the same data, code and thread
// count (fixed here) give the same bytes.
//
//   npm run pretrain [-- --epochs N] [-- --out assets/pretrained/encoder.hark]

import { mkdir, writeFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { saveKwsModel } from '../core/kws/model-file.js';
import type { KwsRecipe } from '../core/kws/recipe.js';
import { trainModel } from '../app/node/keyword-training.js';
import { bundledOtherSpeech } from '../app/node/other-speech.js';
import { ENCODER_FILE, PRETRAINED_DIR } from '../app/node/pretrained.js';
import { loadCorpora } from './real-report-io.js';

/** Where the app looks for the encoder in the repository (app/node/pretrained.ts). */
const OUT = join(import.meta.dirname, '..', 'assets', PRETRAINED_DIR, ENCODER_FILE);
/** Epochs: validation accuracy levels off near 83 % by then (about 45 s an epoch on the 2-core build machine). */
const DEFAULT_EPOCHS = 12;
/** Training threads besides the calling one (the 2-core build machine's default, which made the committed file). */
const PRETRAIN_WORKERS = 1;
/** The app's budget for it (issue 13: ≤ 2 MB). */
const MAX_BYTES = 2 * 1024 * 1024;

const log = (m: string): void => { process.stderr.write(`${m}\n`); };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { epochs: { type: 'string' }, out: { type: 'string' } } });
  const epochs = values.epochs === undefined ? DEFAULT_EPOCHS : Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) throw new Error(`--epochs must be an integer in [1, 1000], got ${values.epochs}`);
  const out = values.out ?? OUT;
  const data = await loadCorpora(new Set(['people', 'voices']), log);
  const clips = [...data.english, ...data.digits].map((c) => ({ label: c.label, speaker: c.speaker, samples: c.samples }));
  const words = [...new Set(clips.map((c) => c.label))].sort();
  const other = await bundledOtherSpeech();
  if (other === null) throw new Error('the bundled other speech (assets/other-speech) is missing: run npm run make:other-speech');
  log(`pretraining on ${clips.length} clips of ${words.length} words by ${new Set(clips.map((c) => c.speaker)).size} people, ${epochs} epochs`);
  // The default network and features; fewer augmented copies (many real voices already), no calibration (no user words).
  const recipe: Partial<KwsRecipe> = { epochs, augmentedCopies: 2, calibrate: false, minEpochs: 0 };
  const run = await trainModel({ train: clips, validation: [], background: [], words, otherSpeech: other }, recipe, {
    pretrained: false, // from scratch, not from the encoder it replaces
    // A fixed thread count: the data-parallel gradient sums depend on it, and the file's bytes with them.
    workers: PRETRAIN_WORKERS,
    onEvent: (e) => { if (e.type === 'epoch') log(`  epoch ${e.epoch}: loss ${e.trainLoss.toFixed(3)}, validation accuracy ${e.valAccuracy === null ? '–' : (100 * e.valAccuracy).toFixed(1)} %`); },
    onWarning: (m) => log(`  ${m}`),
  });
  const bytes = saveKwsModel(run.model);
  if (bytes.length > MAX_BYTES) throw new Error(`the encoder is ${bytes.length} bytes, over the ${MAX_BYTES}-byte budget`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(`${out}.tmp`, bytes);
  await rename(`${out}.tmp`, out);
  log(`wrote ${out} (${(bytes.length / 1024).toFixed(0)} KiB) in ${run.seconds.toFixed(0)} s; kept epoch ${run.model.keptEpoch ?? '?'}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`pretrain failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
