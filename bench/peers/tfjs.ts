// Benchmark peer: TensorFlow.js (pure JS `cpu` backend or the WebAssembly `wasm` backend), doing the
// same keyword-spotting training step as our engine: one recurrent layer over (B, T, F) input, a dense
// softmax head on the last time step, softmax cross-entropy, Adam.
//
// 'lstm' and 'gru' are what a tfjs user would write: tf.layers.lstm / tf.layers.gru in a
// tf.sequential, trained with optimizer.minimize over model.apply (same losses as
// model.trainOnBatch, and as fast or faster in interleaved runs; trainOnBatch stays selectable).
// tfjs-layers' GRU only has reset_after=false (reset applied before the recurrent matmul), unlike
// ours; { impl: 'ops' } gives a hand-written GRU with reset after the matmul, and a hand-written LSTM.
// tfjs has no peephole or CIFG LSTM layer, so those two cells are always written by hand with tf
// ops, the input projection of all time steps done in one matMul before the time loop.
//
// Backends hold global state: call useTfjsBackend() BEFORE buildTfjsPeer(), and build a peer on the
// backend it will be timed on.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
// Importing the package registers the 'wasm' backend with tfjs-core (same CommonJS instance as tfjs).
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '../../core/tensor/random.js';

export { timeIt } from '../timing.js';
export type { TimeItOptions, TimeItResult } from '../timing.js';

export type PeerCell = 'lstm' | 'gru' | 'peephole' | 'cifg';
export type TfjsBackend = 'cpu' | 'wasm';

export interface PeerCase {
  cell: PeerCell;
  hidden: number;
  batch: number;
  steps: number;
  features: number;
  classes: number;
}

export interface PeerModel {
  /** One forward + backward + Adam update on the fixed batch; the loss is read back before returning. */
  trainStep(): Promise<void> | void;
  /** Forward of ONE sequence (batch 1, T steps) to softmax probabilities, read back synchronously. */
  infer(): Promise<void> | void;
  dispose(): void;
  /** Loss of the most recent trainStep (NaN before the first). Free: trainStep reads it back anyway. */
  readonly lastLoss: number;
  /** Human-readable description of what is being timed (backend, cell, implementation). */
  describe: string;
}

export interface TfjsPeerOptions {
  /** Adam learning rate (default 1e-3, the Keras default). Has no effect on the cost of a step. */
  learningRate?: number;
  /**
   * How 'lstm' / 'gru' are built: 'layers' (default) = tf.layers.lstm / tf.layers.gru, what a tfjs
   * user would write; 'ops' = hand-written with tf ops like peephole/cifg (hoisted input projection;
   * the GRU then uses reset-after-recurrent-matmul, like ours, which tfjs layers cannot do).
   */
  impl?: 'layers' | 'ops';
  /** Training call for the layers implementation: 'minimize' (default, faster) or 'trainOnBatch'. */
  layersTrain?: 'minimize' | 'trainOnBatch';
  /**
   * Weight layout of the hand-written cells: 'fused' (W (F, G*H), R (H, G*H), split per step) or
   * 'per-gate' (one (F, H) / (H, H) block per gate, no split). Default: the faster one for the
   * backend, 'per-gate' on cpu and 'fused' on wasm.
   */
  layout?: 'fused' | 'per-gate';
}

export type WasmVariant = 'simd' | 'threaded-simd' | 'plain';

export interface TfjsBackendInfo {
  backend: string;
  /** Which .wasm binary the wasm backend loaded (same rule as tfjs-backend-wasm's own choice). */
  wasmVariant?: WasmVariant;
  wasmThreads?: number;
  tfjsVersion: string;
}

const require = createRequire(import.meta.url);

/** file:// URL (with trailing slash) of the folder holding tfjs-backend-wasm's .wasm binaries. */
export function tfjsWasmDir(): string {
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm'); // .../dist/tf-backend-wasm.node.js
  return pathToFileURL(join(dirname(entry), '/')).href;
}

let wasmPathsSet = false;

/**
 * Switches tfjs to `backend` and waits until it is initialised. Also turns on tfjs prod mode, which
 * only silences its console warnings (including the "install tfjs-node" banner).
 *
 * WASM in Node: tfjs-backend-wasm reports multithreading as unsupported under Node (its flag
 * WASM_HAS_MULTITHREAD_SUPPORT returns false when IS_NODE), so it loads the SIMD build when
 * WebAssembly SIMD validates (Node 20: yes), else the plain build. Both run single-threaded.
 */
export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  tf.enableProdMode();
  // (Skipped if the wasm backend is already initialised, e.g. by an earlier call: tfjs then refuses it.)
  if (backend === 'wasm' && !wasmPathsSet && tf.findBackend('wasm') == null) {
    // Must happen before the wasm backend initialises. In Node the Emscripten loader reads the
    // binary with fs from prefix + file name; a file:// URL prefix is also right on Windows.
    setWasmPaths(tfjsWasmDir());
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tfjs: could not switch to the ${backend} backend (now on ${tf.getBackend()})`);
  }
}

/** What is running now: backend name and, on wasm, which binary variant and how many threads. */
export async function tfjsBackendInfo(): Promise<TfjsBackendInfo> {
  const backend = tf.getBackend();
  const info: TfjsBackendInfo = { backend, tfjsVersion: tf.version.tfjs };
  if (backend === 'wasm') {
    const [simd, threads] = await Promise.all([
      tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    ]);
    info.wasmVariant = simd && threads ? 'threaded-simd' : simd ? 'simd' : 'plain';
    const wasm = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
    const count = wasm?.tfjs?.getThreadsCount?.();
    if (typeof count === 'number') info.wasmThreads = count;
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------
// Seeded data and weights.

/** Seeded uniform [0, 1) numbers from the project's PRNG. */
function prng(seed: number): () => number {
  const r = new Random(seed);
  return () => r.next();
}

function normals(rand: () => number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12);
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

let uid = 0;

/** Trainable variable from `init`, which is then disposed (tf.variable keeps its own reference). */
function makeVar(init: tf.Tensor, what: string): tf.Variable {
  // Variable names are global in tfjs: keep them unique across peers.
  const v = tf.variable(init, true, `hark_peer_${uid}_${what}`);
  init.dispose();
  return v;
}

/** Glorot-uniform values for a row-major (fan_in, fan_out) matrix. */
function glorotValues(rand: () => number, rows: number, cols: number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  const vals = new Float32Array(rows * cols);
  for (let i = 0; i < vals.length; i++) vals[i] = (2 * rand() - 1) * limit;
  return vals;
}

function glorot(rand: () => number, rows: number, cols: number, what: string): tf.Variable {
  return makeVar(tf.tensor2d(glorotValues(rand, rows, cols), [rows, cols]), what);
}

function zerosVar(shape: number[], what: string): tf.Variable {
  return makeVar(tf.zeros(shape), what);
}

interface Batch {
  xs: tf.Tensor3D; // (B, T, F)
  ys: tf.Tensor2D; // (B, C) one-hot
  x1: tf.Tensor3D; // (1, T, F): the first sequence, for infer()
}

function makeBatch(c: PeerCase, rand: () => number): Batch {
  const { batch: B, steps: T, features: F, classes: C } = c;
  const xVals = normals(rand, B * T * F);
  const labels = new Int32Array(B);
  for (let b = 0; b < B; b++) labels[b] = Math.min(C - 1, Math.floor(rand() * C));
  return tf.tidy(() => {
    const xs = tf.tensor3d(xVals, [B, T, F]);
    const ys = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), C), 'float32') as tf.Tensor2D;
    const x1 = tf.tensor3d(xVals.subarray(0, T * F), [1, T, F]);
    return { xs, ys, x1 };
  });
}

function checkCase(c: PeerCase): void {
  for (const k of ['hidden', 'batch', 'steps', 'features', 'classes'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`PeerCase.${k} must be a positive integer, got ${c[k]}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Peers.

/**
 * Builds the tfjs peer for case `c` on the CURRENT backend (call useTfjsBackend first): the model,
 * a fixed random input batch (B, T, F) with one-hot labels, and an Adam optimizer.
 */
export function buildTfjsPeer(c: PeerCase, seed: number, options: TfjsPeerOptions = {}): PeerModel {
  checkCase(c);
  uid++;
  const impl = options.impl ?? 'layers';
  if ((c.cell === 'lstm' || c.cell === 'gru') && impl === 'layers') return buildLayersPeer(c, seed, options);
  return buildOpsPeer(c, seed, options);
}

function buildLayersPeer(c: PeerCase, seed: number, options: TfjsPeerOptions): PeerModel {
  const rand = prng(seed);
  const data = makeBatch(c, rand);
  const seedFor = () => Math.floor(rand() * 2 ** 31);
  const rnnArgs = {
    units: c.hidden,
    inputShape: [c.steps, c.features],
    returnSequences: false,
    // Seeded Glorot-uniform for both kernels (tfjs' default recurrent init is orthogonal, which is
    // unseeded-by-default, slow to build and warns above 2000 elements; the init has no effect on
    // step cost). tfjs GRU only supports resetAfter: false (reset applied BEFORE the recurrent
    // matmul); passing resetAfter: true throws in tfjs-layers 4.22.
    kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor() }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: seedFor() }),
  };
  const model = tf.sequential();
  model.add(c.cell === 'lstm' ? tf.layers.lstm(rnnArgs) : tf.layers.gru(rnnArgs));
  model.add(tf.layers.dense({
    units: c.classes,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seedFor() }),
  }));
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const how = options.layersTrain ?? 'minimize';
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);

  let lastLoss = NaN;
  let trainStep: () => Promise<void> | void;
  if (how === 'trainOnBatch') {
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    trainStep = async () => {
      // trainOnBatch reads the loss back itself, so the step is complete when it resolves.
      const out = await model.trainOnBatch(data.xs, data.ys);
      lastLoss = Array.isArray(out) ? out[0] : out;
    };
  } else {
    trainStep = () => {
      const loss = optimizer.minimize(() => {
        const probs = model.apply(data.xs, { training: true }) as tf.Tensor2D;
        // Same loss as compile({loss: 'categoricalCrossentropy'}) on the softmax outputs.
        return tf.metrics.categoricalCrossentropy(data.ys, probs).mean() as tf.Scalar;
      }, true, vars);
      if (loss == null) throw new Error('minimize returned no loss');
      lastLoss = loss.dataSync()[0];
      loss.dispose();
    };
  }

  return {
    trainStep,
    infer: () => {
      const probs = model.predictOnBatch(data.x1) as tf.Tensor;
      probs.dataSync();
      probs.dispose();
    },
    get lastLoss() {
      return lastLoss;
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      tf.dispose([data.xs, data.ys, data.x1]);
    },
    describe: `tfjs ${tf.version.tfjs} ${tf.getBackend()} tf.layers.${c.cell} (${how}` +
      `${c.cell === 'gru' ? ', resetAfter=false: tfjs cannot reset after the matmul' : ''}) ` +
      `H=${c.hidden} B=${c.batch} T=${c.steps} F=${c.features} C=${c.classes}`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Hand-written cells.
//
// Two weight layouts, same maths and same initial values for a given seed:
//  - 'fused': W (F, G*H), R (H, G*H) as in Keras; per step ONE matMul h·R (B, G*H), then split into
//    the G gates. Best on wasm (fewest ops; slicing is native).
//  - 'per-gate': W_g (F, H), R_g (H, H) for each of the G gates; per step G matMuls, no split.
//    Best on the cpu backend, whose slice of a non-contiguous block (what split along the last axis
//    is) runs an index-decoding loop per element and costs more than the matMuls themselves.
// Either way the input projection of all T steps is one matMul per weight block before the loop.

type Layout = 'fused' | 'per-gate';

interface Pre {
  /** Per gate (B, H): for sum-cells x_g + h·R_g (+ b_g); for the GRU the input part x_g + b_g. */
  x: tf.Tensor[];
  /** GRU only: per gate the recurrent part h·R_g + bR_g ((H) at t = 0, where h = 0). */
  h?: tf.Tensor[];
}

interface CellSpec {
  /** Gate blocks in W / R, in order. */
  gates: number;
  /** GRU keeps the recurrent pre-activations separate (reset multiplies only the recurrent part). */
  separateRecurrent: boolean;
  /** Extra (H) vectors: peepholes. */
  extras: string[];
  /** Initial bias for gate block g. */
  biasInit(g: number): number;
  /** One step; h, c are null at t = 0 (zero state). Returns [h_t, c_t]. */
  step(pre: Pre, h: tf.Tensor | null, c: tf.Tensor | null, extra: tf.Variable[]): [tf.Tensor, tf.Tensor | null];
}

const sig = (x: tf.Tensor): tf.Tensor => tf.sigmoid(x);

function cellSpec(cell: PeerCell): CellSpec {
  switch (cell) {
    case 'lstm':
    case 'peephole': {
      // Gate order i, f, g, o (Keras), forget bias 1. Peephole: i and f look at c_{t-1}, o at c_t.
      const peep = cell === 'peephole';
      return {
        gates: 4,
        separateRecurrent: false,
        extras: peep ? ['p_i', 'p_f', 'p_o'] : [],
        biasInit: (g) => (g === 1 ? 1 : 0),
        step({ x: [zi, zf, zg, zo] }, _h, c, [pi, pf, po]) {
          const g = tf.tanh(zg);
          let cNew: tf.Tensor;
          if (c == null) {
            cNew = tf.mul(sig(zi), g); // c_{-1} = 0: forget path and i/f peepholes vanish
          } else {
            const i = sig(peep ? tf.add(zi, tf.mul(pi, c)) : zi);
            const f = sig(peep ? tf.add(zf, tf.mul(pf, c)) : zf);
            cNew = tf.add(tf.mul(f, c), tf.mul(i, g));
          }
          const o = sig(peep ? tf.add(zo, tf.mul(po, cNew)) : zo);
          return [tf.mul(o, tf.tanh(cNew)), cNew];
        },
      };
    }
    case 'cifg':
      // Coupled input-forget gate: f = 1 - i, no forget-gate weights. Gate order i, g, o.
      // No peepholes (that is the separate 'peephole' cell).
      return {
        gates: 3,
        separateRecurrent: false,
        extras: [],
        biasInit: () => 0,
        step({ x: [zi, zg, zo] }, _h, c) {
          const i = sig(zi);
          const g = tf.tanh(zg);
          // c_t = (1 - i) * c + i * g  ==  c + i * (g - c)
          const cNew = c == null ? tf.mul(i, g) : tf.add(c, tf.mul(i, tf.sub(g, c)));
          return [tf.mul(sig(zo), tf.tanh(cNew)), cNew];
        },
      };
    case 'gru':
      // Gate order z, r, n. Reset applied AFTER the recurrent matmul (linear_before_reset = 1,
      // Keras reset_after=True), with separate input and recurrent biases as that form has.
      return {
        gates: 3,
        separateRecurrent: true,
        extras: [],
        biasInit: () => 0,
        step({ x: [xz, xr, xn], h: hp }, h) {
          const [hz, hr, hn] = hp!;
          const z = sig(tf.add(xz, hz));
          const r = sig(tf.add(xr, hr));
          const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
          // h_t = (1 - z) * n + z * h_{t-1}  ==  n + z * (h_{t-1} - n)
          return [h == null ? tf.sub(n, tf.mul(z, n)) : tf.add(n, tf.mul(z, tf.sub(h, n))), null];
        },
      };
  }
}

/** Columns [g*H, (g+1)*H) of a row-major (rows, G*H) array. */
function columnBlock(vals: Float32Array, rows: number, G: number, H: number, g: number): Float32Array {
  const out = new Float32Array(rows * H);
  for (let r = 0; r < rows; r++) out.set(vals.subarray(r * G * H + g * H, r * G * H + (g + 1) * H), r * H);
  return out;
}

/** Default layout for the current backend (see the comment above). */
function defaultLayout(): Layout {
  return tf.getBackend() === 'cpu' ? 'per-gate' : 'fused';
}

function buildOpsPeer(c: PeerCase, seed: number, options: TfjsPeerOptions): PeerModel {
  const { hidden: H, steps: T, features: F, classes: C } = c;
  const layout = options.layout ?? defaultLayout();
  const spec = cellSpec(c.cell);
  const G = spec.gates;
  const rand = prng(seed);
  const data = makeBatch(c, rand);

  // Initial values in the Keras (fused) layout, so both layouts start from the same model.
  const wVals = glorotValues(rand, F, G * H);
  const rVals = glorotValues(rand, H, G * H);
  const bVals = new Float32Array(G * H);
  for (let g = 0; g < G; g++) bVals.fill(spec.biasInit(g), g * H, (g + 1) * H);
  // Small random peepholes, so their gradients are non-trivial from the first step.
  const extra = spec.extras.map((name) => makeVar(tf.tensor1d(normals(rand, H).map((v) => 0.1 * v)), name));
  const Wd = glorot(rand, H, C, 'Wd');
  const bd = zerosVar([C], 'bd');

  // W, R, b (and the GRU's recurrent bias bR) as one block or one per gate.
  const blocks = (vals: Float32Array, rows: number, what: string): tf.Variable[] => {
    const shape = (cols: number) => (rows === 1 ? [cols] : [rows, cols]);
    if (layout === 'fused') return [makeVar(tf.tensor(vals, shape(G * H)), what)];
    return Array.from({ length: G }, (_, g) => makeVar(tf.tensor(columnBlock(vals, rows, G, H, g), shape(H)), `${what}${g}`));
  };
  const W = blocks(wVals, F, 'W');
  const R = blocks(rVals, H, 'R');
  const b = blocks(bVals, 1, 'b');
  const bR = spec.separateRecurrent ? blocks(new Float32Array(G * H), 1, 'bR') : [];
  const vars = [...W, ...R, ...b, ...bR, ...extra, Wd, bd];
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);

  // Time-major, flattened inputs, prepared once: rows t*B .. t*B+B-1 hold time step t.
  const prep = (x: tf.Tensor3D): tf.Tensor2D => tf.tidy(() => {
    const [batch] = x.shape;
    return tf.reshape(tf.transpose(x, [1, 0, 2]), [T * batch, F]);
  });
  const xTM = prep(data.xs);
  const x1TM = prep(data.x1);

  /** Per block k: x_t·W_k + b_k for every t, from one matMul over all T*B rows. */
  const cols = layout === 'fused' ? G * H : H;
  const hoist = (x2d: tf.Tensor2D, B: number): tf.Tensor[][] =>
    W.map((w, k) => tf.unstack(tf.reshape(tf.add(tf.matMul(x2d, w), b[k]), [T, B, cols]), 0));

  /** Splits a fused (B, G*H) / (G*H) block into G gates; per-gate blocks pass through. */
  const gatesOf = (parts: tf.Tensor[]): tf.Tensor[] =>
    layout === 'fused' ? tf.split(parts[0], G, parts[0].rank - 1) : parts;

  /** Logits (B, C) of the last time step. */
  const forward = (x2d: tf.Tensor2D, B: number): tf.Tensor => {
    const xp = hoist(x2d, B);
    let h: tf.Tensor | null = null;
    let cs: tf.Tensor | null = null;
    for (let t = 0; t < T; t++) {
      const xt = xp.map((perStep) => perStep[t]);
      let pre: Pre;
      if (spec.separateRecurrent) {
        const hr = h == null ? bR : R.map((r, k) => tf.add(tf.matMul(h!, r), bR[k]));
        pre = { x: gatesOf(xt), h: gatesOf(hr) };
      } else {
        // Add before splitting: one add on the fused block instead of one per gate.
        pre = { x: gatesOf(h == null ? xt : R.map((r, k) => tf.add(xt[k], tf.matMul(h!, r)))) };
      }
      [h, cs] = spec.step(pre, h, cs, extra);
    }
    return tf.add(tf.matMul(h!, Wd), bd);
  };

  let lastLoss = NaN;
  return {
    trainStep: () => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(data.ys, forward(xTM, c.batch)) as tf.Scalar,
        true,
        vars,
      );
      if (loss == null) throw new Error('minimize returned no loss');
      lastLoss = loss.dataSync()[0];
      loss.dispose();
    },
    infer: () => {
      const probs = tf.tidy(() => tf.softmax(forward(x1TM, 1)));
      probs.dataSync();
      probs.dispose();
    },
    get lastLoss() {
      return lastLoss;
    },
    dispose: () => {
      tf.dispose([...vars, data.xs, data.ys, data.x1, xTM, x1TM]);
      optimizer.dispose();
    },
    describe: `tfjs ${tf.version.tfjs} ${tf.getBackend()} hand-written ${c.cell}` +
      `${c.cell === 'gru' ? ' (reset after recurrent matmul)' : ''} with tf ops + optimizer.minimize, ` +
      `${layout} weights, H=${H} B=${c.batch} T=${T} F=${F} C=${C}`,
  };
}
