// `npm run report:kws`: the accuracy figures of docs/measurements.md, "Keyword spotting accuracy",
// measured on real speech (the spoken digits: FSDD, CC BY-SA 4.0, three speakers, read in
// place from ../shared/data/fsdd):
//   - the dataset's own split (takes 0–4 test, 5–49 train);
//   - leave one speaker out: train on two speakers, test on every clip of the third, for
//     the recipe and for a plain LSTM without augmentation (the baseline the recipe is
//     measured against; same model size, same epochs and early stopping). With 1,000
//     training clips the recipe makes 2 augmented copies of each rather than its default 4,
//     as the own-split test does, to keep the report under half an hour.
// Prints a Markdown table (or JSON with --json). Slow: by default it trains 7 models (1 + 2 per speaker); it trains
// through app/node/keyword-training.ts, on every spare core.
//   npm run report:kws [-- --json] [-- --quick] [-- --loso-only] [-- --configs plain,recipe,specaugment]
// (--loso-only leaves out the own split, which test/core/kws/fsdd-accuracy.test.ts measures;
// --configs picks the leave-one-speaker-out models, default plain and recipe; specaugment
// is the recipe with its opt-in SpecAugment masks.)

import { TypeScriptEngine } from '../core/inference/engine.js';
import { evaluateClips } from '../core/kws/evaluate.js';
import type { KwsClip } from '../core/kws/examples.js';
import type { KwsModel, KwsRecipe } from '../core/kws/recipe.js';
import { readSpeechCommands, takeOf } from '../app/node/speech-commands.js';
import { trainModel } from '../app/node/keyword-training.js';
import { FSDD } from './shared-data.js';

const args = new Set(process.argv.slice(2));
const json = args.has('--json'), quick = args.has('--quick'), losoOnly = args.has('--loso-only');
const configsArg = process.argv.slice(2).find((a) => a.startsWith('--configs='))?.slice('--configs='.length)
  ?? (process.argv.includes('--configs') ? process.argv[process.argv.indexOf('--configs') + 1] ?? '' : 'plain,recipe');
const configs = new Set(configsArg.split(','));
for (const c of configs) {
  if (!['plain', 'recipe', 'specaugment'].includes(c)) {
    process.stderr.write(`report failed: --configs takes plain, recipe and specaugment, separated by commas; got "${configsArg}"\n`);
    process.exit(2);
  }
}
/** SpecAugment with one time mask (≤ 10 frames) and two feature masks (≤ 4 of 28), as in the development run on jackson. */
const SPEC_AUGMENT = { timeMasks: 1, maxTimeWidth: 10, freqMasks: 2, maxFreqWidth: 4, fill: 'mean' as const };

const log = (m: string): void => { process.stderr.write(`${m}\n`); };

async function train(clips: readonly KwsClip[], recipe: Partial<KwsRecipe>, name: string): Promise<KwsModel & { seconds: number }> {
  const run = await trainModel({ train: clips, validation: [], background: [] }, recipe, {
    onEvent: (e) => { if (e.type === 'epoch') log(`  ${name}: epoch ${e.epoch} validation ${(100 * (e.valAccuracy ?? 0)).toFixed(1)}%`); },
    onWarning: log,
  });
  return { ...run.model, seconds: run.seconds };
}

async function accuracy(model: KwsModel, clips: readonly KwsClip[]): Promise<number> {
  return (await evaluateClips(new TypeScriptEngine(model.model), clips, model)).accuracy;
}

interface Row { evaluation: string; config: string; accuracy: number; trainSeconds: number; testClips: number }

async function main(): Promise<void> {
  const folder = await readSpeechCommands(FSDD, { unreadable: 'throw' });
  const take = (c: { path: string }): number => takeOf(c.path) ?? Number.NaN;
  const all = quick ? folder.clips.filter((c) => take(c) % 10 === 0 || take(c) < 5) : folder.clips;
  const recipe: Partial<KwsRecipe> = quick ? { epochs: 2 } : {};
  const plain: Partial<KwsRecipe> = { ...recipe, augment: false, pooling: 'last' };
  const rows: Row[] = [];
  const add = (evaluation: string, config: string, acc: number, seconds: number, n: number): void => {
    rows.push({ evaluation, config, accuracy: acc, trainSeconds: seconds, testClips: n });
    log(`${evaluation} — ${config}: ${(100 * acc).toFixed(1)}% (${n} clips, trained in ${seconds.toFixed(0)} s)`);
  };

  if (!losoOnly) {
    const ownTest = all.filter((c) => take(c) <= 4), ownTrain = all.filter((c) => take(c) >= 5);
    const own = await train(ownTrain, { ...recipe, augmentedCopies: 2 }, 'own split');
    add('own split (takes 0–4)', 'recipe, 2 augmented copies', await accuracy(own, ownTest), own.seconds, ownTest.length);
  }

  for (const speaker of [...new Set(all.map((c) => c.speaker))].sort()) {
    const test = all.filter((c) => c.speaker === speaker), rest = all.filter((c) => c.speaker !== speaker);
    if (configs.has('plain')) {
      const base = await train(rest, plain, `without ${speaker}, plain`);
      add(`unseen speaker: ${speaker}`, 'plain LSTM, no augmentation', await accuracy(base, test), base.seconds, test.length);
    }
    if (configs.has('recipe')) {
      const ours = await train(rest, { ...recipe, augmentedCopies: 2 }, `without ${speaker}, recipe`);
      add(`unseen speaker: ${speaker}`, 'recipe, 2 augmented copies', await accuracy(ours, test), ours.seconds, test.length);
    }
    if (configs.has('specaugment')) {
      const masked = await train(rest, { ...recipe, augmentedCopies: 2, specAugment: SPEC_AUGMENT }, `without ${speaker}, recipe + SpecAugment`);
      add(`unseen speaker: ${speaker}`, 'recipe, 2 augmented copies, SpecAugment', await accuracy(masked, test), masked.seconds, test.length);
    }
  }

  if (json) { process.stdout.write(`${JSON.stringify(rows)}\n`); return; }
  console.log('| evaluation | model | accuracy | clips | training |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.evaluation} | ${r.config} | ${(100 * r.accuracy).toFixed(1)}% | ${r.testClips} | ${r.trainSeconds.toFixed(0)} s |`);
}

main().catch((err: unknown) => {
  process.stderr.write(`report failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
