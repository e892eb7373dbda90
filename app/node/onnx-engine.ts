// The onnxruntime engine: the same InferenceEngine as core's TypeScriptEngine, run by
// onnxruntime-node (Node side only; core never imports a runtime). A model is exported
// twice (core/onnx/export.ts): the window graph, features (T, B, F) → probabilities (B, C),
// serves `run`, and the streaming graph, which also takes and returns the recurrent (and
// mean-pooling) state, serves `createStream`.
//
// Execution provider: the CPU unless an accelerated one is asked for ('cuda' on Linux,
// 'dml' on Windows, 'coreml' on macOS, 'auto' = this platform's). That one is tried; if
// onnxruntime-node does not list it for this platform, or a session cannot be created or
// run with it, the engine falls back to the CPU, says why through `onFallback`, and
// `provider` and `description` name what is actually in use.
//
// A stream keeps two sets of state tensors and lets onnxruntime write each push's output
// state straight into the set the next push feeds from, so a push allocates only the
// features tensor's wrapper and the probabilities it returns.

import * as ort from 'onnxruntime-node';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import { ConfigError } from '../../core/errors.js';
import type { InferenceEngine, InferenceStream } from '../../core/inference/engine.js';
import { exportOnnx } from '../../core/onnx/export.js';

export type OnnxProvider = 'cpu' | 'cuda' | 'dml' | 'coreml';

export interface OnnxEngineOptions {
  /** Execution provider to ask for; default 'cpu'. 'auto' = this platform's accelerated one. */
  provider?: OnnxProvider | 'auto';
  /** Called once, with one sentence, when the provider asked for cannot be used and the CPU is used instead. */
  onFallback?: (message: string) => void;
  /** onnxruntime intra-op threads; default 1 (as fast as more for models this small). */
  threads?: number;
}

/** The two exports of one model, as ONNX bytes. */
export interface OnnxModelFiles {
  /** exportOnnx(model): features → probabilities. */
  window: Uint8Array;
  /** exportOnnx(model, { streaming: true }): features and state in, probabilities and state out. */
  streaming: Uint8Array;
}

const PROVIDER_LABEL: Record<OnnxProvider, string> = { cpu: 'CPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML' };

/** The accelerated provider onnxruntime-node offers on a platform, or 'cpu' if none. */
export function platformProvider(platform: NodeJS.Platform = process.platform): OnnxProvider {
  if (platform === 'linux') return 'cuda';
  if (platform === 'win32') return 'dml';
  if (platform === 'darwin') return 'coreml';
  return 'cpu';
}

/** Exports `model` (window and streaming graphs) and opens it in onnxruntime. */
export async function createOnnxEngine(model: SequenceClassifier, options: OnnxEngineOptions = {}): Promise<OnnxRuntimeEngine> {
  return createOnnxEngineFromFiles({ window: exportOnnx(model), streaming: exportOnnx(model, { streaming: true }) }, options);
}

/**
 * Opens the two exports of a model in onnxruntime. Everything else (F, C, the state
 * tensors) is read from the graphs' declared inputs and outputs.
 */
export async function createOnnxEngineFromFiles(files: OnnxModelFiles, options: OnnxEngineOptions = {}): Promise<OnnxRuntimeEngine> {
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigError('bad-threads', `threads must be a positive integer, not ${threads}`);
  const requested = options.provider ?? 'cpu';
  if (requested !== 'auto' && !Object.hasOwn(PROVIDER_LABEL, requested)) throw new ConfigError('bad-provider', `unknown execution provider "${String(requested)}"`);
  const wanted = requested === 'auto' ? platformProvider() : requested;

  let fallback: string | undefined;
  if (wanted !== 'cpu') {
    const label = PROVIDER_LABEL[wanted];
    if (!ort.listSupportedBackends().some((b) => b.name === wanted)) {
      fallback = `The ${label} execution provider is not available in onnxruntime-node on ${process.platform}/${process.arch}, so the CPU is used instead.`;
    } else {
      try {
        return await OnnxRuntimeEngine.open(files, wanted, threads);
      } catch (err) {
        fallback = `The ${label} execution provider could not be started (${firstLine(err)}), so the CPU is used instead.`;
      }
    }
  }
  const engine = await OnnxRuntimeEngine.open(files, 'cpu', threads, fallback === undefined ? undefined : { from: wanted, reason: fallback });
  if (fallback) options.onFallback?.(fallback);
  return engine;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').trim().replace(/\.$/, '') || 'unknown error';
}

/** A state tensor of the streaming graph: `<base>_in…` fed, `<base>_out…` returned. */
interface StateSpec {
  input: string;
  output: string;
  /** Dims with the batch dimension as -1. */
  dims: number[];
}

interface Interface {
  features: number;
  classes: number;
  state: StateSpec[];
}

export class OnnxRuntimeEngine implements InferenceEngine {
  readonly kind = 'onnxruntime' as const;
  readonly description: string;
  readonly features: number;
  readonly classes: number;
  /** Why the provider asked for is not the one in use, if it is not. */
  readonly fallback: string | undefined;
  private disposed = false;
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(
    private readonly windowSession: ort.InferenceSession,
    private readonly streamingSession: ort.InferenceSession,
    private readonly io: Interface,
    /** The execution provider in use. */
    readonly provider: OnnxProvider,
    readonly threads: number,
    fellBack: { from: OnnxProvider; reason: string } | undefined,
  ) {
    this.fallback = fellBack?.reason;
    this.features = io.features;
    this.classes = io.classes;
    const version = ort.env.versions.node ?? ort.env.versions.common;
    this.description = `onnxruntime-node ${version}, ${PROVIDER_LABEL[provider]} execution provider` +
      (provider === 'cpu' ? `, ${threads} thread${threads === 1 ? '' : 's'}` : '') +
      (fellBack ? ` (${PROVIDER_LABEL[fellBack.from]} unavailable)` : '');
  }

  /** Creates both sessions on `provider`, checks their interface and runs each once; releases them on any failure. */
  static async open(files: OnnxModelFiles, provider: OnnxProvider, threads: number, fellBack?: { from: OnnxProvider; reason: string }): Promise<OnnxRuntimeEngine> {
    const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: [provider], logSeverityLevel: 3 };
    const opened: ort.InferenceSession[] = [];
    try {
      opened.push(await ort.InferenceSession.create(files.window, options));
      opened.push(await ort.InferenceSession.create(files.streaming, options));
      const [windowSession, streamingSession] = opened;
      const engine = new OnnxRuntimeEngine(windowSession, streamingSession, readInterface(windowSession, streamingSession), provider, threads, fellBack);
      // One frame through each graph: a provider that loads but cannot run fails here.
      await engine.run(new Float32Array(engine.features), 1, 1);
      await engine.createStream(1).push(new Float32Array(engine.features), 1);
      return engine;
    } catch (err) {
      await Promise.allSettled(opened.map((s) => s.release()));
      throw err;
    }
  }

  async run(x: Float32Array, T: number, B: number): Promise<Float32Array> {
    this.checkOpen();
    const F = this.features;
    checkShape(x, T, B, F, 1);
    const probs = new Float32Array(B * this.classes);
    const features = new ort.Tensor('float32', x.length === T * B * F ? x : x.subarray(0, T * B * F), [T, B, F]);
    await this.track(this.windowSession.run({ features }, { probabilities: new ort.Tensor('float32', probs, [B, this.classes]) }));
    return probs;
  }

  createStream(B = 1): InferenceStream {
    this.checkOpen();
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`a stream needs a positive integer batch, not ${B}`);
    return new OnnxStream(this, B);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.allSettled([...this.pending]);
    await Promise.all([this.windowSession.release(), this.streamingSession.release()]);
  }

  /** @internal */
  checkOpen(): void {
    if (this.disposed) throw new Error('the onnxruntime engine has been disposed');
  }

  /** @internal */
  runStreaming(feeds: ort.InferenceSession.FeedsType, fetches: ort.InferenceSession.FetchesType): Promise<unknown> {
    this.checkOpen();
    return this.track(this.streamingSession.run(feeds, fetches));
  }

  /** @internal */
  get stateSpecs(): readonly StateSpec[] {
    return this.io.state;
  }

  private track<R>(p: Promise<R>): Promise<R> {
    this.pending.add(p);
    const done = () => { this.pending.delete(p); };
    p.then(done, done);
    return p;
  }
}

/** One set of tensors a push reads (state in) or writes (state out, probabilities). */
interface TensorSet {
  state: Map<string, ort.Tensor>; // by input name
  buffers: Float32Array[];
  probs: Float32Array;
  probsTensor: ort.Tensor;
}

class OnnxStream implements InferenceStream {
  private readonly sets: [TensorSet, TensorSet];
  private readonly feeds: [Record<string, ort.Tensor>, Record<string, ort.Tensor>];
  private readonly fetches: [ort.InferenceSession.FetchesType, ort.InferenceSession.FetchesType];
  private current = 0; // the set holding the latest state and probabilities
  private tail: Promise<unknown> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly engine: OnnxRuntimeEngine, readonly batch: number) {
    const specs = engine.stateSpecs, C = engine.classes;
    const makeSet = (): TensorSet => {
      const state = new Map<string, ort.Tensor>(), buffers: Float32Array[] = [];
      for (const s of specs) {
        const dims = s.dims.map((d) => (d < 0 ? batch : d));
        const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
        buffers.push(data);
        state.set(s.input, new ort.Tensor('float32', data, dims));
      }
      const probs = new Float32Array(batch * C);
      return { state, buffers, probs, probsTensor: new ort.Tensor('float32', probs, [batch, C]) };
    };
    this.sets = [makeSet(), makeSet()];
    // feeds[k] reads set k; fetches[k] writes set 1 - k.
    const feeds = (k: number): Record<string, ort.Tensor> => Object.fromEntries(specs.map((s) => [s.input, this.sets[k].state.get(s.input)!]));
    const fetches = (k: number): ort.InferenceSession.FetchesType => {
      const into = this.sets[1 - k];
      return Object.fromEntries([['probabilities', into.probsTensor], ...specs.map((s) => [s.output, into.state.get(s.input)!])]);
    };
    this.feeds = [feeds(0), feeds(1)];
    this.fetches = [fetches(0), fetches(1)];
  }

  /**
   * Pushes run one after another in call order, each from the state the previous one
   * left. `frames` is read when the push runs: do not change it until the push settles.
   */
  push(frames: Float32Array, T: number): Promise<Float32Array> {
    this.engine.checkOpen();
    const B = this.batch, F = this.engine.features;
    checkShape(frames, T, B, F, 0);
    this.inFlight++;
    const job = this.tail.then(async () => {
      if (T > 0) {
        const k = this.current;
        const feeds = this.feeds[k];
        feeds.features = new ort.Tensor('float32', frames.length === T * B * F ? frames : frames.subarray(0, T * B * F), [T, B, F]);
        try {
          await this.engine.runStreaming(feeds, this.fetches[k]);
        } finally {
          delete feeds.features;
        }
        this.current = 1 - k;
      }
      return this.sets[this.current].probs.slice();
    });
    const settled = () => { this.inFlight--; };
    this.tail = job.then(settled, settled);
    return job;
  }

  /** Back to zero state; applied after any pushes still running, before any pushed later. */
  reset(): void {
    const zero = () => {
      const set = this.sets[this.current];
      for (const b of set.buffers) b.fill(0);
      set.probs.fill(0);
    };
    if (this.inFlight === 0) zero();
    else this.tail = this.tail.then(zero);
  }
}

function checkShape(x: Float32Array, T: number, B: number, F: number, minT: number): void {
  if (!Number.isInteger(T) || T < minT) throw new RangeError(`T must be an integer >= ${minT}, not ${T}`);
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`B must be a positive integer, not ${B}`);
  if (x.length < T * B * F) throw new RangeError(`${x.length} values for (T=${T}, B=${B}, F=${F}) = ${T * B * F}`);
}

/** F, C and the state tensors, from what the two graphs declare; refuses anything else. */
function readInterface(windowSession: ort.InferenceSession, streamingSession: ort.InferenceSession): Interface {
  const bad = (why: string) => new ConfigError('bad-model', `not a Hark ONNX export: ${why}`);
  const tensorMeta = (list: readonly ort.InferenceSession.ValueMetadata[], name: string, where: string) => {
    const m = list.find((v) => v.name === name);
    if (!m || !m.isTensor || m.type !== 'float32') throw bad(`the ${where} graph has no float32 ${name}`);
    return m.shape;
  };
  const fixed = (d: number | string | undefined, what: string): number => {
    if (typeof d !== 'number') throw bad(`${what} is not a fixed size`);
    return d;
  };
  const features = fixed(tensorMeta(windowSession.inputMetadata, 'features', 'window')[2], 'features dimension F');
  const classes = fixed(tensorMeta(windowSession.outputMetadata, 'probabilities', 'window')[1], 'class count C');
  if (windowSession.inputNames.length !== 1) throw bad(`the window graph takes ${windowSession.inputNames.join(', ')}`);
  if (fixed(tensorMeta(streamingSession.inputMetadata, 'features', 'streaming')[2], 'F') !== features ||
      fixed(tensorMeta(streamingSession.outputMetadata, 'probabilities', 'streaming')[1], 'C') !== classes) {
    throw bad('the window and streaming graphs differ in F or C');
  }
  const state: StateSpec[] = [];
  for (const input of streamingSession.inputNames) {
    if (input === 'features') continue;
    if (!input.includes('_in')) throw bad(`unexpected streaming input ${input}`);
    const output = input.replace('_in', '_out');
    const inShape = tensorMeta(streamingSession.inputMetadata, input, 'streaming');
    const outShape = tensorMeta(streamingSession.outputMetadata, output, 'streaming');
    const dims = inShape.map((d) => (d === 'batch' ? -1 : fixed(d, `a dimension of ${input}`)));
    if (outShape.length !== dims.length || outShape.some((d, i) => (d === 'batch' ? -1 : d) !== dims[i])) throw bad(`${input} and ${output} differ in shape`);
    state.push({ input, output, dims });
  }
  if (!state.some((s) => s.input.startsWith('h_in.'))) throw bad('the streaming graph takes no recurrent state');
  if (streamingSession.outputNames.length !== state.length + 1) throw bad('the streaming graph returns more than its state and probabilities');
  return { features, classes, state };
}
