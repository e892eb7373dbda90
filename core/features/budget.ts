// The one bound on the work a model asks of the live detector, from its feature settings
// and its network. Every range in config.ts is sensible alone, but together they can ask
// for far more than a machine has: a hop of 1 sample is 16,000 frames a second, an
// 8192-point FFT on each is ~110 M operations a frame, and a 30 s window makes the
// network run over ~480,000 frames at every decision. Such a model used to be accepted,
// then took 10–20× longer than the audio itself while the engine answered nothing else.
//
// The live detector (core/kws/detector.ts) computes every feature frame once and, at every
// decision (each hopMs), runs the whole network over the last T frames of the window:
//
//   load = framesPerSecond · frameNs                       (features, always TypeScript)
//        + decisionsPerSecond · (T · stepNs + runNs)       (network, on the chosen engine)
//
//   frameNs = a·N·log2 N + b·B·K + c        N = windowSamples, B = melBands, K = coefficients
//   stepNs  = Σ over layers (i·G·H·I + r·G·H·H + u·G·H)    G gates (4 LSTM-like, 3 GRU), H units,
//                                                          I inputs (F, then H)
//   runNs   = r·C·H + run overhead                         the head and one call into the engine
//
// in nanoseconds of one core per second of audio (load 1 = exactly real time). A model is
// accepted when load ≤ MAX_LIVE_LOAD: the detector runs at least 10× faster than real time.
//
// Measured 2026-12-03 on the project's machines (2 shared cores of an AMD EPYC, Node 20), by
// a scratch script in the manner of `npm run bench`: FeatureStream.push over 2 s of noise
// for N = 64…8192 and B·K = 338 and 5120, and InferenceEngine.run over one window (T = 97
// and 297) for lstm/peephole/gru, 8–512 units, 1–3 layers, on both engines; the median of
// 5 runs of ≥ 250 ms each, then a least-squares fit (relative error) of the constants
// below. Measured against fitted, e.g.: features N = 512 34 µs/frame (fit 29), N = 8192
// 554 (615); TypeScript lstm 64×1 1.69 ms/window (1.60), lstm 128×2 11.6 (11.7), lstm
// 256×3 87 (69), lstm 512×1 88 (77); onnxruntime lstm 64×1 0.28 ms (0.26), 128×2 1.7
// (1.4), 256×3 6.8 (8.1), 512×1 12.0 (10.9). The constants are the fit, rounded up.
// Then checked against the detector itself, KeywordDetector.pushAudio over 30 s of noise
// in 100 ms chunks, wall clock, estimate → measured: default model (512/160, lstm 64×1,
// TypeScript, 50 ms) 3.6% → 3.2% (32× real time); onnxruntime lstm 320×1 9.4% → 4.6%;
// 64×1 with a 20 s window 8.6% → 7.0%; 128×2 with a 3 s window 10.2% → 7.7%; 64×1 at
// 4096/80 6.7% → 6.4%; TypeScript gru 128×2 at 100 ms 9.5% → 6.0%; and just over the
// bound, 8192/80 32×1 13.1% → 12.1%, 4096/40 64×1 13.3% → 13.3%. So what is accepted
// measures at most 10% of a core here, and the estimate errs on the safe side.

import type { EngineKind } from '../inference/engine.js';
import type { CellKind } from '../nn/layer.js';
import { ConfigError } from '../errors.js';
import { modelFrames, type FeatureConfig } from './config.js';

/** Most of one core the live detector may need: ≥ 10× faster than real time. */
export const MAX_LIVE_LOAD = 0.1;

/** The parts of a network's configuration its cost depends on (a ClassifierConfig fits). */
export interface NetworkShape {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  layers: number;
  classes: number;
}

/** How the detector runs: which engine, and the time between decisions (ms). */
export interface LiveSetting {
  engine: EngineKind;
  hopMs: number;
}

// Nanoseconds (see the measurement above).
const FEATURE_NS = { perFftPoint: 6, perMelCoefficient: 3.5, perFrame: 1500 }; // ·N·log2 N, ·B·K, once
const NETWORK_NS: Record<EngineKind, { input: number; recurrent: number; unit: number; run: number }> = {
  typescript: { input: 0.25, recurrent: 0.75, unit: 6, run: 150_000 },
  onnxruntime: { input: 0.02, recurrent: 0.11, unit: 0.3, run: 90_000 },
};

export interface LiveLoad {
  /** Share of one core for the features (1 = real time). */
  features: number;
  /** Share of one core for the network; 0 when no network was given. */
  network: number;
  total: number;
  framesPerSecond: number;
  /** T: frames the network runs over at every decision. */
  windowFrames: number;
  decisionsPerSecond: number;
}

/** The estimated share of one core the live detector needs for this model (see above). */
export function liveLoad(features: FeatureConfig, network: NetworkShape | undefined, setting: LiveSetting): LiveLoad {
  const { sampleRate, windowSamples: N, hopSamples, melBands, mfccCoefficients } = features;
  const framesPerSecond = sampleRate / hopSamples;
  const frameNs = FEATURE_NS.perFftPoint * N * Math.log2(N) + FEATURE_NS.perMelCoefficient * melBands * mfccCoefficients + FEATURE_NS.perFrame;
  const featureLoad = (framesPerSecond * frameNs) / 1e9;
  const windowFrames = modelFrames(features);
  const decisionsPerSecond = 1000 / setting.hopMs;
  let networkLoad = 0;
  if (network) {
    const k = NETWORK_NS[setting.engine];
    const G = network.cell === 'gru' ? 3 : 4, H = network.hiddenSize;
    let stepNs = 0;
    for (let l = 0; l < network.layers; l++) {
      const I = l === 0 ? network.inputSize : H;
      stepNs += k.input * G * H * I + k.recurrent * G * H * H + k.unit * G * H;
    }
    const runNs = windowFrames * stepNs + k.recurrent * network.classes * H + k.run;
    networkLoad = (decisionsPerSecond * runNs) / 1e9;
  }
  return { features: featureLoad, network: networkLoad, total: featureLoad + networkLoad, framesPerSecond, windowFrames, decisionsPerSecond };
}

const percent = (x: number): string => `${x < 0.1 ? (100 * x).toFixed(1) : Math.round(100 * x).toLocaleString('en-US')}%`;
const ENGINE_NAME: Record<EngineKind, string> = { typescript: 'the TypeScript engine', onnxruntime: 'onnxruntime' };

/** Why the model cannot listen live within MAX_LIVE_LOAD, naming the settings that cost most; null when it can. */
export function liveBudgetProblem(features: FeatureConfig, network: NetworkShape | undefined, setting: LiveSetting): string | null {
  const load = liveLoad(features, network, setting);
  if (load.total <= MAX_LIVE_LOAD) return null;
  const f = features;
  const need = `it would need about ${percent(load.total)} of a CPU core to listen live` +
    (network ? ` with ${ENGINE_NAME[setting.engine]} and a decision every ${setting.hopMs} ms` : '') +
    ` (features ${percent(load.features)}${network ? `, network ${percent(load.network)}` : ''}); Hark accepts at most ${percent(MAX_LIVE_LOAD)}, ${Math.round(1 / MAX_LIVE_LOAD)}× faster than real time`;
  const why = load.features >= load.network
    ? `the feature settings ask for ${Math.round(load.framesPerSecond).toLocaleString('en-US')} frames a second (hopSamples ${f.hopSamples}), each a ${f.windowSamples}-point FFT (windowSamples ${f.windowSamples}): use a larger hopSamples or a smaller windowSamples`
    : `at every decision the ${network?.cell} network (${network?.hiddenSize} units × ${network?.layers} layer${network?.layers === 1 ? '' : 's'}) runs over ${load.windowFrames.toLocaleString('en-US')} frames (windowSeconds ${f.windowSeconds} at hopSamples ${f.hopSamples}): use a shorter windowSeconds, a larger hopSamples, a smaller network, or decide less often`;
  return `${need}: ${why}`;
}

/** Throws ConfigError('too-slow') when the model cannot listen live within MAX_LIVE_LOAD. */
export function checkLiveBudget(features: FeatureConfig, network: NetworkShape | undefined, setting: LiveSetting): void {
  const problem = liveBudgetProblem(features, network, setting);
  if (problem !== null) throw new ConfigError('too-slow', `This model is too slow for live listening: ${problem}.`);
}
