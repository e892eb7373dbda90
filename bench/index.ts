// `npm run bench`: our recurrent engine against TensorFlow.js (cpu and wasm backends) on
// the keyword-spotting shape, and our inference engine against onnxruntime-node (CPU, one
// thread) running the same model exported to ONNX, side by side in one run, reported as
// ratios.
//
//   npm run bench                  table
//   npm run -s bench -- --json     one JSON array of {case, ours_ms, peer, peer_ms, ratio}
//                                  (-s keeps npm's own banner off stdout)
//   npm run bench -- --quick       tiny shapes and few iterations (checks the harness runs)
//
// ratio = peer_ms / ours_ms: how many times faster we are (> 1 means faster). Each pair is
// timed by alternating single calls of ours and the peer, so both see the same machine
// load; the median of each is reported. Timings never appear in tests: these machines
// are shared and noisy, so the numbers here are for reading, not asserting.

import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { TypeScriptEngine } from '../core/inference/engine.js';
import { SequenceClassifier, type ClassifierConfig } from '../core/nn/classifier.js';
import type { CellKind } from '../core/nn/layer.js';
import { Random } from '../core/tensor/random.js';
import { AdamW } from '../core/train/adamw.js';
import { clipByGlobalNorm } from '../core/train/clip.js';
import { startTrainingThreads, type TrainingThreads } from '../app/node/training-threads.js';
import { createOnnxEngine } from '../app/node/onnx-engine.js';
import { MIN_ROWS_PER_SHARD } from '../core/train/data-parallel.js';
import { buildTfjsPeer, tfjsBackendInfo, useTfjsBackend, type PeerModel, type TfjsBackend } from './peers/tfjs.js';
import { median } from './timing.js';
import { Resampler, setResamplerWasmEnabled } from '../core/audio/resample.js';
import { SAMPLE_RATE } from '../core/audio/sample-rate.js';
import { DEFAULT_FEATURE_CONFIG } from '../core/features/config.js';
import { extractFeatures } from '../core/features/mfcc.js';
import { benchKeywordTraining, benchLiveListening } from './kws.js';

export interface BenchRow {
  case: string;
  ours_ms: number;
  peer: string;
  peer_ms: number;
  ratio: number;
}

const args = new Set(process.argv.slice(2));
const json = args.has('--json');
const quick = args.has('--quick');
/** `--only=training,onnx,features,live,kws`: run just those sections (default: all). */
const onlyArg = process.argv.slice(2).find((a) => a.startsWith('--only='));
const SECTIONS = ['training', 'onnx', 'features', 'live', 'kws'] as const;
const only = new Set(onlyArg ? onlyArg.slice('--only='.length).split(',') : SECTIONS);
for (const name of only) {
  if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section ${JSON.stringify(name)} (sections: ${SECTIONS.join(', ')})`);
}

const workers = Math.max(1, Math.min(3, availableParallelism() - 1));
const SHAPE = quick
  ? { batch: MIN_ROWS_PER_SHARD * (workers + 1), steps: 8, features: 13, classes: 10 } // just big enough to split
  : { batch: 32, steps: 49, features: 13, classes: 10 }; // 1 s of 10 ms frames, 13 MFCCs, 10 words
const MODELS: { cell: CellKind; hidden: number }[] = quick
  ? [{ cell: 'lstm', hidden: 8 }, { cell: 'gru', hidden: 8 }]
  : [
      { cell: 'lstm', hidden: 64 }, { cell: 'lstm', hidden: 128 }, { cell: 'gru', hidden: 64 },
      { cell: 'peephole', hidden: 64 }, { cell: 'cifg', hidden: 64 },
    ];
const TRAIN = quick ? { warmup: 1, samples: 3 } : { warmup: 3, samples: 9 };
const INFER = quick ? { warmup: 2, samples: 5 } : { warmup: 20, samples: 101 };
const STEP = quick ? { warmup: 2, samples: 5 } : { warmup: 100, samples: 1001 }; // one frame into a stream

function log(message: string): void {
  if (!json) process.stderr.write(`${message}\n`);
}

/** Alternate single calls of `ours` and `peer`; median milliseconds of each. */
async function timePair(ours: () => unknown, peer: () => unknown, o: { warmup: number; samples: number }): Promise<{ ours: number; peer: number }> {
  for (let i = 0; i < o.warmup; i++) { await ours(); await peer(); }
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < o.samples; i++) {
    let t = performance.now(); await ours(); a.push(performance.now() - t);
    t = performance.now(); await peer(); b.push(performance.now() - t);
  }
  return { ours: median(a), peer: median(b) };
}

interface Ours {
  model: SequenceClassifier;
  trainStep(): void;
  infer(): void;
}

/** Our training step exactly as the Trainer runs it: loss and gradients, clipping, AdamW. */
function buildOurs(cell: CellKind, hidden: number, threads: TrainingThreads | null, model?: SequenceClassifier): Ours {
  const { batch: B, steps: T, features: F, classes: C } = SHAPE;
  const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: hidden, layers: 1, classes: C, dropout: 0, pooling: 'last' };
  const m = model ?? new SequenceClassifier(config, { seed: 1 });
  const rng = new Random(2);
  const x = new Float32Array(T * B * F).map(() => rng.normal()); // (T, B, F)
  const labels = Int32Array.from({ length: B }, () => rng.int(C));
  const x1 = new Float32Array(T * F).map(() => rng.normal());     // (T, 1, F)
  const optimizer = new AdamW(m.paramCount, { weightDecay: 1e-4 });
  const source = threads ? threads.gradients : m;
  return {
    model: m,
    trainStep() {
      source.lossAndGrad(x, labels, T, B, { rng });
      clipByGlobalNorm(m.grads, 5);
      optimizer.update(m.params, m.grads, 1e-3);
    },
    infer() {
      m.forward(x1, T, 1);
    },
  };
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  const push = (what: string, peerName: string, t: { ours: number; peer: number }) => {
    const row = { case: what, ours_ms: round(t.ours), peer: peerName, peer_ms: round(t.peer), ratio: round(t.peer / t.ours) };
    rows.push(row);
    log(`  ${row.case.padEnd(44)} ours ${fmt(row.ours_ms)} ms   ${peerName} ${fmt(row.peer_ms)} ms   ${row.ratio.toFixed(2)}x`);
  };
  log(`shape: B=${SHAPE.batch} T=${SHAPE.steps} F=${SHAPE.features} C=${SHAPE.classes}; ${availableParallelism()} cores; ours with 1 thread and with ${workers + 1}`);
  for (const backend of (only.has('training') ? ['wasm', 'cpu'] : []) as TfjsBackend[]) {
    await useTfjsBackend(backend);
    const info = await tfjsBackendInfo();
    const peerName = `tfjs-${backend}`;
    log(`peer ${peerName}: tfjs ${info.tfjsVersion}${info.wasmVariant ? `, ${info.wasmVariant} build, ${info.wasmThreads ?? 1} thread(s)` : ''}`);
    for (const { cell, hidden } of MODELS) {
      const name = `${cell}-${hidden}`;
      const peer: PeerModel = buildTfjsPeer({ cell, hidden, ...SHAPE }, 1);
      try {
        const single = buildOurs(cell, hidden, null);
        const threads = await startTrainingThreads(single.model, { workers, maxSteps: SHAPE.steps, maxBatch: SHAPE.batch });
        try {
          const parallel = buildOurs(cell, hidden, threads, single.model);
          push(`train step ${name} (ours ${workers + 1} threads)`, peerName, await timePair(() => parallel.trainStep(), () => peer.trainStep(), TRAIN));
          push(`train step ${name} (ours 1 thread)`, peerName, await timePair(() => single.trainStep(), () => peer.trainStep(), TRAIN));
          push(`infer 1 s window B=1 ${name}`, peerName, await timePair(() => single.infer(), () => peer.infer(), INFER));
        } finally {
          await threads.close();
        }
      } finally {
        peer.dispose();
      }
    }
  }
  if (only.has('onnx')) await benchOnnxruntime(push);
  if (only.has('features')) await benchFeatures(push);
  if (only.has('live')) await benchLiveListening(push, quick);
  if (only.has('kws')) await benchKeywordTraining(push, log, quick);
  if (json) process.stdout.write(`${JSON.stringify(rows)}\n`);
  else printTable(rows);
}

/**
 * Inference through the engine interface both ways (core/inference/engine.ts): our
 * TypeScriptEngine against onnxruntime-node on the CPU with one intra-op thread, on the
 * same weights. Whole windows (one and 32 at once) and one frame pushed into a stream,
 * the detector's steady state; every call returns a fresh copy of the probabilities.
 */
async function benchOnnxruntime(push: (what: string, peer: string, t: { ours: number; peer: number }) => void): Promise<void> {
  const { steps: T, features: F, classes: C } = SHAPE;
  const peerName = 'onnxruntime-cpu';
  log(`peer ${peerName}: onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common}, CPU execution provider, 1 intra-op thread`);
  for (const { cell, hidden } of MODELS) {
    const name = `${cell}-${hidden}`;
    const model = new SequenceClassifier({ cell, inputSize: F, hiddenSize: hidden, layers: 1, classes: C, dropout: 0, pooling: 'last' }, { seed: 1 });
    const ours = new TypeScriptEngine(model);
    const peer = await createOnnxEngine(model, { provider: 'cpu', threads: 1 });
    try {
      const rng = new Random(4);
      const x1 = new Float32Array(T * F).map(() => rng.normal());       // (T, 1, F)
      const x32 = new Float32Array(T * 32 * F).map(() => rng.normal()); // (T, 32, F)
      const frame = new Float32Array(F).map(() => rng.normal());        // (1, 1, F)
      push(`infer 1 s window B=1 ${name}`, peerName, await timePair(() => ours.run(x1, T, 1), () => peer.run(x1, T, 1), INFER));
      push(`infer 1 s window B=32 ${name}`, peerName, await timePair(() => ours.run(x32, T, 32), () => peer.run(x32, T, 32), INFER));
      const ourStream = ours.createStream(1), peerStream = peer.createStream(1);
      push(`stream step B=1 ${name}`, peerName, await timePair(() => ourStream.push(frame, 1), () => peerStream.push(frame, 1), STEP));
    } finally {
      await peer.dispose();
    }
  }
}

/** Four significant digits: a stream step of a few microseconds keeps its ratio. */
function round(v: number): number {
  return Number(v.toPrecision(4));
}

function fmt(v: number): string {
  return v.toFixed(v >= 10 ? 1 : v >= 0.1 ? 3 : 4).padStart(8);
}

function printTable(rows: BenchRow[]): void {
  const head = ['case', 'ours ms', 'peer', 'peer ms', 'ratio'];
  const body = rows.map((r) => [r.case, fmt(r.ours_ms).trim(), r.peer, fmt(r.peer_ms).trim(), `${r.ratio.toFixed(2)}x`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w, i) => (i === 0 || i === 2 ? ':' : '-') + '-'.repeat(w) + (i === 0 || i === 2 ? '-' : ':')).join('|')}|`);
  for (const r of body) console.log(line(r));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});

/**
 * Feature extraction for 1 s of 16 kHz audio (ms per second of audio: the real-time factor
 * ×1000): ours (core/features, MFCC + log-energy + deltas, the path training and live
 * listening share) against calling Meyda naively — a fresh slice per frame and
 * `Meyda.extract` with the global settings written before every call.
 */
async function benchFeatures(push: (what: string, peerName: string, t: { ours: number; peer: number }) => void): Promise<void> {
  const { default: Meyda } = await import('meyda');
  const config = DEFAULT_FEATURE_CONFIG;
  const rng = new Random(4);
  const audio = new Float32Array(SAMPLE_RATE).map(() => 0.1 * rng.normal());
  const naive = (): void => {
    for (let start = 0; start + config.windowSamples <= audio.length; start += config.hopSamples) {
      const m = Meyda as unknown as Record<string, unknown> & { extract(f: string, s: Float32Array): unknown };
      m.sampleRate = config.sampleRate; m.bufferSize = config.windowSamples; m.melBands = config.melBands;
      m.numberOfMFCCCoefficients = config.mfccCoefficients; m.windowingFunction = 'hanning';
      m.extract('mfcc', audio.slice(start, start + config.windowSamples));
    }
  };
  push('features for 1 s of audio (RTF x1000)', 'meyda-naive', await timePair(() => extractFeatures(audio, config), naive, quick ? { warmup: 1, samples: 3 } : { warmup: 3, samples: 21 }));
  await benchResampler(push);
}

/**
 * Resampling 1 s of 44.1 kHz microphone audio to 16 kHz in 10 ms chunks (ms per second
 * of audio; the capture path's blocks are 40 ms): core's Resampler with its WebAssembly SIMD
 * kernel against the same Resampler on its JS loop (the same bits; see resample.ts).
 */
async function benchResampler(push: (what: string, peerName: string, t: { ours: number; peer: number }) => void): Promise<void> {
  const rng = new Random(5);
  const audio = new Float32Array(44100).map(() => 0.1 * rng.normal());
  const out = new Float32Array(1024);
  const make = (wasm: boolean): Resampler => {
    setResamplerWasmEnabled(wasm);
    try { return new Resampler({ fromRate: 44100, toRate: SAMPLE_RATE }); } finally { setResamplerWasmEnabled(true); }
  };
  const withKernel = make(true), withJs = make(false);
  const run = (r: Resampler) => (): void => { for (let i = 0; i < audio.length; i += 441) r.processInto(audio.subarray(i, i + 441), out, 0); };
  push('resample 1 s 44.1 → 16 kHz (RTF x1000)', 'same, JS loop', await timePair(run(withKernel), run(withJs), quick ? { warmup: 1, samples: 3 } : { warmup: 5, samples: 41 }));
}
