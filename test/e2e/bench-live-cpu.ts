// `npm run bench:live`: CPU used by live listening with a 64-unit model, renderer and
// engine together, as a fraction of one core. Measured, not asserted (shared machines).
//
// Renderer: Chromium (fake microphone looping espeak-ng speech) runs the app's capture
// path (AudioWorklet → core Resampler → core FeatureStream, 100 frames/s) for SECONDS;
// the CPU time of every Chromium process (user + system, from /proc) over that span,
// minus the same span with the page open and the microphone off. A third span runs the
// browser's part alone (same constraints, context and worklet; blocks dropped) to
// separate Chromium's capture cost from ours.
// Engine: core's KeywordDetector on the TypeScript engine with an LSTM-64 (28 features,
// 4 classes) fed 60 s of frames in the renderer's block sizes (2–3 frames), timed with
// process.cpuUsage(); CPU seconds per second of audio. Transport (WebSocket or
// MessagePort) is not included.

import { readdirSync, readFileSync } from 'node:fs';
import { SequenceClassifier } from '../../core/nn/classifier.js';
import { TypeScriptEngine } from '../../core/inference/engine.js';
import { KeywordDetector } from '../../core/kws/detector.js';
import { DEFAULT_FEATURE_CONFIG } from '../../core/features/config.js';
import { Random } from '../../core/tensor/random.js';
import { launchChromium, openPage } from './support/browser.js';
import { buildHarness } from './support/harness.js';
import { serveStatic } from './support/server.js';
import { tempDir, wordSequence } from './support/speech.js';

const SECONDS = Number(process.env.HARK_BENCH_SECONDS ?? 20);
const TICK = 100; // USER_HZ on Linux

function processTree(marker: string): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map<number, number>();
  let root = -1;
  for (const pid of all) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (root < 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) root = pid;
    } catch { /* gone */ }
  }
  if (root < 0) throw new Error('Chromium not found in /proc');
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (!tree.has(pid) && tree.has(ppid)) { tree.add(pid); grew = true; }
  }
  return [...tree];
}

function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch { /* exited */ }
  }
  return ticks / TICK;
}

async function renderer(): Promise<{ listening: number; captureOnly: number; idle: number; frames: number }> {
  const wav = wordSequence(tempDir(), 'bench-speech', ['yes', 'no', 'left', 'right']);
  const server = await serveStatic(await buildHarness('bench'));
  const browser = await launchChromium({ wav });
  try {
    const { page } = await openPage(browser, server.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
    type H = {
      listen(ms: number): Promise<{ frames: number; error: string | null }>;
      captureOnly(ms: number): Promise<{ blocks: number }>;
    };
    await page.evaluate(() => (globalThis as unknown as { harness: H }).harness.listen(2000)); // warm-up
    const measure = async (work: () => Promise<unknown>): Promise<number> => {
      const before = cpuSeconds(processTree(wav));
      await work();
      return (cpuSeconds(processTree(wav)) - before) / SECONDS;
    };
    const idle = await measure(() => new Promise((r) => setTimeout(r, SECONDS * 1000)));
    const captureOnly = await measure(() => page.evaluate((ms) => (globalThis as unknown as { harness: H }).harness.captureOnly(ms), SECONDS * 1000));
    let frames = 0;
    const listening = await measure(async () => {
      const result = await page.evaluate((ms) => (globalThis as unknown as { harness: H }).harness.listen(ms), SECONDS * 1000);
      if (result.error) throw new Error(`microphone: ${result.error}`);
      frames = result.frames;
    });
    return { listening, captureOnly, idle, frames };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function engine(): Promise<number> {
  const F = 28;
  const model = new SequenceClassifier({ cell: 'lstm', inputSize: F, hiddenSize: 64, layers: 1, classes: 4, dropout: 0, pooling: 'last' }, { seed: 1 });
  const detector = new KeywordDetector(new TypeScriptEngine(model), { labels: ['_background_', '_unknown_', 'yes', 'no'], features: DEFAULT_FEATURE_CONFIG });
  const rng = new Random(3);
  const AUDIO_SECONDS = 60;
  const total = AUDIO_SECONDS * 100;
  const frames = new Float32Array(total * F);
  for (let i = 0; i < frames.length; i++) frames[i] = rng.next() * 2 - 1;
  for (let t = 0; t < 300; t += 3) await detector.pushFrames(frames.subarray(t * F, (t + 3) * F), 3); // warm-up
  detector.reset();
  const start = process.cpuUsage();
  for (let t = 0, k = 0; t < total; k++) {
    const n = Math.min(total - t, k % 3 === 2 ? 3 : 2);
    await detector.pushFrames(frames.subarray(t * F, (t + n) * F), n);
    t += n;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6 / AUDIO_SECONDS;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const r = await renderer();
const e = await engine();
const rendererShare = r.listening - r.idle;
console.log(`renderer (all Chromium processes, ${SECONDS} s each): idle page ${pct(r.idle)}; capture only (getUserMedia + AudioContext + worklet, blocks dropped) ${pct(r.captureOnly)}; full capture path with features ${pct(r.listening)} (${r.frames} frames)`);
console.log(`  → listening costs ${pct(rendererShare)} of a core in the renderer, of which the browser's capture ${pct(r.captureOnly - r.idle)} and our resampling + MFCCs ${pct(r.listening - r.captureOnly)}`);
console.log(`engine (KeywordDetector, TypeScript engine, LSTM-64, one window every 50 ms): ${pct(e)} of a core`);
console.log(`together: ${pct(rendererShare + e)} of one core (target: under 5%)`);
