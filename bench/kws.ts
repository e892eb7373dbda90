// Keyword-spotting benchmarks, end to end:
//   - the whole recipe (features of every augmented window + training + validation) on a
//     5-word set of 30 real clips per word (spoken digits 0-4, 10 takes of each of the 3
//     FSDD speakers; CC BY-SA 4.0, Free Spoken Digit Dataset), against the 60 s budget of
//     issue 5, on the calling thread and with threads (feature extraction and data-parallel
//     training);
//   - a personal model as the app trains one (4 words, 6 takes each of one voice, threads):
//     from the pretrained encoder against from scratch, and against the 10 s target of
//     issue 13;
//   - live listening: the detector's cost per second of audio (features + a 1 s window
//     every 50 ms) with our TypeScript engine against onnxruntime, as % of one core.

import { join } from 'node:path';
import { SAMPLE_RATE } from '../core/audio/sample-rate.js';
import { TypeScriptEngine } from '../core/inference/engine.js';
import { KeywordDetector } from '../core/kws/detector.js';
import type { KwsClip } from '../core/kws/examples.js';
import { BACKGROUND_LABEL, UNKNOWN_LABEL } from '../core/kws/labels.js';
import type { KwsRecipe } from '../core/kws/recipe.js';
import { SequenceClassifier } from '../core/nn/classifier.js';
import { Random } from '../core/tensor/random.js';
import { createOnnxEngine } from '../app/node/onnx-engine.js';
import { trainModel } from '../app/node/keyword-training.js';
import { defaultWorkerCount } from '../app/node/threads.js';
import { listSpeechCommands, readWav16k, type SpeechCommandsEntry } from '../app/node/speech-commands.js';
import { FSDD } from '../scripts/shared-data.js';

export { FSDD };

type Push = (what: string, peer: string, t: { ours: number; peer: number }) => void;

/** The first take of FSDD's training split (takes 0–4 are its test split). */
const FIRST_TRAINING_TAKE = 5;

/** `perWord` takes of each of `words`, spread evenly over the speakers, resampled to 16 kHz. */
export async function fsddClips(words: readonly string[], perWord: number): Promise<KwsClip[]> {
  const { clips: listed } = await listSpeechCommands(FSDD);
  const takeOf = (e: SpeechCommandsEntry): number => e.take ?? Number.NaN;
  const clips: KwsClip[] = [];
  for (const word of words) {
    const entries = listed.filter((e) => e.label === word).sort((a, b) => takeOf(a) - takeOf(b) || a.path.localeCompare(b.path));
    // takes 5, 6, … of every speaker in turn
    const speakers = [...new Set(entries.map((e) => e.speaker))];
    const bySpeaker = speakers.map((s) => entries.filter((e) => e.speaker === s && takeOf(e) >= FIRST_TRAINING_TAKE));
    for (let k = 0; clips.filter((c) => c.label === word).length < perWord; k++) {
      const e = bySpeaker[k % speakers.length][Math.floor(k / speakers.length)];
      clips.push({ label: word, speaker: e.speaker, samples: await readWav16k(join(FSDD, e.path), { as: 'clip' }) });
    }
  }
  return clips;
}

async function timeRecipe(clips: KwsClip[], recipe: Partial<KwsRecipe>, workers: number, pretrained = true): Promise<{ ms: number; epochs: number; prepareMs: number }> {
  const t0 = performance.now();
  let prepared = 0, epochs = 0;
  await trainModel({ train: clips, validation: [], background: [] }, recipe, {
    workers, pretrained,
    onEvent: (e) => {
      if (e.type === 'start') prepared = performance.now() - t0;
      if (e.type === 'epoch') epochs++;
    },
  });
  return { ms: performance.now() - t0, epochs, prepareMs: prepared };
}

export async function benchKeywordTraining(push: Push, log: (m: string) => void, quick: boolean): Promise<void> {
  const words = ['zero', 'one', 'two', 'three', 'four'];
  const clips = await fsddClips(words, quick ? 6 : 30);
  const recipe: Partial<KwsRecipe> = quick ? { epochs: 1, augmentedCopies: 1, hiddenSize: 16 } : {};
  const budget = 60_000;
  const workers = defaultWorkerCount();
  const single = await timeRecipe(clips, recipe, 0);
  log(`  recipe, 1 thread: ${(single.ms / 1000).toFixed(1)} s (${(single.prepareMs / 1000).toFixed(1)} s features, ${single.epochs} epochs)`);
  push(`train 5 words x ${clips.length / 5} clips, default recipe (1 thread)`, 'budget-60s', { ours: single.ms, peer: budget });
  if (workers > 0) {
    const parallel = await timeRecipe(clips, recipe, workers);
    log(`  recipe, ${workers + 1} threads: ${(parallel.ms / 1000).toFixed(1)} s (${(parallel.prepareMs / 1000).toFixed(1)} s features, ${parallel.epochs} epochs)`);
    push(`train 5 words x ${clips.length / 5} clips, default recipe (${workers + 1} threads)`, 'budget-60s', { ours: parallel.ms, peer: budget });
  }
  // One person's first model: 6 takes of 4 words by one voice (FSDD's jackson).
  const personal = (await fsddClips(['five', 'six', 'seven', 'eight'], quick ? 3 : 18)).filter((c) => c.speaker === 'jackson');
  const started = await timeRecipe(personal, recipe, workers);
  const scratch = await timeRecipe(personal, recipe, workers, false);
  log(`  personal model (${personal.length} clips): ${(started.ms / 1000).toFixed(1)} s from the pretrained encoder (${started.epochs} epochs), ${(scratch.ms / 1000).toFixed(1)} s from scratch (${scratch.epochs} epochs)`);
  push(`train a personal model, 4 words x ${personal.length / 4} takes of one voice, pretrained start`, 'from-scratch', { ours: started.ms, peer: scratch.ms });
  push(`train a personal model, 4 words x ${personal.length / 4} takes of one voice, pretrained start`, 'target-10s', { ours: started.ms, peer: 10_000 });
}

/** Milliseconds of compute per second of live audio for a detector on `engine`. */
async function detectorCost(detector: KeywordDetector, audio: Float32Array): Promise<number> {
  const chunk = SAMPLE_RATE / 10; // 100 ms, as an AudioWorklet batch would arrive
  const warmUp = 2 * SAMPLE_RATE; // 2 s: fills the window
  for (let i = 0; i < warmUp; i += chunk) await detector.pushAudio(audio.subarray(i, i + chunk));
  const t0 = performance.now();
  for (let i = warmUp; i < audio.length; i += chunk) await detector.pushAudio(audio.subarray(i, i + chunk));
  return (performance.now() - t0) / ((audio.length - warmUp) / SAMPLE_RATE);
}

export async function benchLiveListening(push: Push, quick: boolean): Promise<void> {
  const labels = ['zero', 'one', 'two', 'three', 'four', UNKNOWN_LABEL, BACKGROUND_LABEL];
  const features = (await import('../core/features/config.js')).DEFAULT_FEATURE_CONFIG;
  const model = new SequenceClassifier({ cell: 'lstm', inputSize: 28, hiddenSize: 64, layers: 1, classes: labels.length, dropout: 0, pooling: 'last' }, { seed: 1 });
  const rng = new Random(5);
  const audio = new Float32Array(SAMPLE_RATE * (quick ? 4 : 32)).map(() => 0.05 * rng.normal());
  const ours = new KeywordDetector(new TypeScriptEngine(model), { labels, features }, { threshold: 0.99 });
  const onnx = await createOnnxEngine(model, { provider: 'cpu', threads: 1 });
  try {
    const peer = new KeywordDetector(onnx, { labels, features }, { threshold: 0.99 });
    const a = await detectorCost(ours, audio), b = await detectorCost(peer, audio);
    push('live detector, ms per 1 s of audio, lstm-64 (/10 = % of a core)', 'onnxruntime-cpu', { ours: a, peer: b });
  } finally {
    await onnx.dispose();
  }
}
