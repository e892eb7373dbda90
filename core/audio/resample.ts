// Sample-rate conversion to the model's rate (16 kHz), used by the renderer's microphone
// path (AudioWorklet quanta of 128 samples) and by file import. A Kaiser-windowed sinc,
// applied as a polyphase filter bank:
//
//   y[k] = Σ_i x[i] · h(τ_k − i),   τ_k = k · from/to  (input-sample units)
//   h(t) = 2fc · sinc(2fc·t) · kaiser(t / W)
//
// Filter: the stopband starts at the lower of the two Nyquist frequencies, so nothing that
// can alias survives more than the stopband attenuation; the passband ends a transition
// width below it. The default 'medium' quality is 80 dB stopband attenuation (below the
// 16-bit noise floor of most microphones after the mic's own roll-off, and 20 dB more than
// the model's features can resolve) with a transition of 10 % of the lower Nyquist (a
// 16 kHz output is flat to 7.2 kHz, which holds everything in speech the features use).
// Kaiser's formulas give β = 0.1102·(A − 8.7) = 7.86 and an order of
// (A − 7.95) / (2.285·Δω) = 101 taps at the lower rate, i.e. ~101·from/to taps per output
// sample when downsampling (303 at 48 kHz → 16 kHz). 'low' is 60 dB / 20 %, 'high'
// 100 dB / 5 %.
//
// Phases: the ratio is reduced to L/M (to/from by their gcd, so 44100 → 16000 is 160/441)
// and the position of output k is tracked exactly in integers as n + p/L. When L ≤ 1024
// (every common rate pair: 8000, 11025, 22050, 44100, 48000, 96000 → 16000 need at most
// 640) the bank has exactly L rows and each output uses its own exact phase: no
// interpolation error, and the table is at most ~0.5 MB. Only an awkward ratio (a rate
// like 44101 Hz, or a non-integer rate, approximated by a continued fraction with
// L, M ≤ 2^20) falls back to a 512-phase bank with linear interpolation between
// neighbouring rows (error ~ (π·fc/512)²/8 relative, below the 80 dB stopband).
// Each row is normalised to sum to 1, so DC passes exactly at every phase.
//
// Streaming: the output depends only on the input values and the row, summed in the same
// order in doubles, so any chunking gives bit-identical output. The sum is the one hot loop
// of live capture (280 taps per output at 44.1 → 16 kHz), so it runs in a WebAssembly SIMD
// kernel (fir.wat, two f64 lanes: even taps and odd taps, then added) when the runtime has
// one, ~5x faster than JS; the JS loop sums in that same order, so both give the same bits
// (tested), in Node, the renderer and anywhere else. Output is aligned with the
// input (y[k] is the signal at time k/to, not delayed); the cost is a look-ahead of half
// the filter, released by flush(). A whole signal of n samples gives ceil(n·to/from)
// samples. from === to is a plain copy.

import { ConfigError } from '../errors.js';
import { compileWasm, type WasmModule } from '../wasm-module.js';
import { FIR_WASM_BASE64 } from './fir-wasm.js';

interface FirExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  /** Σ_j f64(x[j])·h[j], j < k: x float32 at byte offset xPtr, h float64 at hPtr (even and odd taps in two sums). */
  dot(xPtr: number, hPtr: number, k: number): number;
}

let firModule: WasmModule | null | undefined; // undefined: not compiled yet
let firEnabled = true;

function firModuleIfEnabled(): WasmModule | null {
  if (firModule === undefined) firModule = compileWasm(FIR_WASM_BASE64);
  return firEnabled ? firModule : null;
}

/**
 * Whether the WebAssembly kernel is compiled and on (false: unavailable, or turned off for
 * a comparison). A Resampler can still run the JS loop when its own kernel instance could
 * not be made: its `accelerated` says which one it runs.
 */
export function resamplerWasmEnabled(): boolean {
  return firModuleIfEnabled() !== null;
}

/** Turns the WebAssembly kernel off (or back on) for Resamplers created afterwards; for tests and benchmarks. */
export function setResamplerWasmEnabled(on: boolean): void {
  firEnabled = on;
}

const WASM_PAGE = 65536;

/**
 * One kernel instance per filter bank, shared by every Resampler of that bank (a file
 * import or speed augmentation makes one per clip: the table is copied once, not per
 * clip). Its memory holds the bank's table at 0 and, above it, a staging area into which
 * a Resampler copies the input span of one emit() before the inner products run.
 * Single-threaded use per module instance (each worker has its own), so sharing is safe.
 */
class FirKernel {
  private constructor(private readonly fir: FirExports, private readonly stagingOffset: number) {}

  /** null when the instance or its memory cannot be had: the caller uses the JS loop (same bits). */
  static create(module: WasmModule, table: Float64Array): FirKernel | null {
    try {
      const fir = module.instantiate().exports as FirExports;
      const stagingOffset = table.byteLength; // a multiple of 8: staged float32 pairs stay 8-aligned
      const pages = Math.ceil((stagingOffset + WASM_PAGE) / WASM_PAGE) - fir.memory.buffer.byteLength / WASM_PAGE;
      if (pages > 0) fir.memory.grow(pages);
      new Float64Array(fir.memory.buffer, 0, table.length).set(table);
      return new FirKernel(fir, stagingOffset);
    } catch {
      return null;
    }
  }

  /** Copies x[from, to) to the staging area; false when the memory cannot grow to hold it. */
  stage(x: Float32Array, from: number, to: number): boolean {
    const bytes = this.stagingOffset + 4 * (to - from);
    try {
      const pages = Math.ceil(bytes / WASM_PAGE) - this.fir.memory.buffer.byteLength / WASM_PAGE;
      if (pages > 0) this.fir.memory.grow(pages);
    } catch {
      return false;
    }
    new Float32Array(this.fir.memory.buffer, this.stagingOffset, to - from).set(x.subarray(from, to));
    return true;
  }

  /** Σ staged[i + j] · table[row·K + j], j < K, in fir.wat's order. */
  dot(i: number, row: number, K: number): number {
    return this.fir.dot(this.stagingOffset + 4 * i, 8 * row * K, K);
  }
}

export type ResamplerQuality = 'low' | 'medium' | 'high';

export interface ResamplerOptions {
  fromRate: number;
  toRate: number;
  /** Stopband attenuation / transition width: 'low' 60 dB / 20 %, 'medium' 80 dB / 10 %, 'high' 100 dB / 5 %. */
  quality?: ResamplerQuality;
}

/** The highest sample rate accepted, in Hz. */
export const MAX_SAMPLE_RATE = 384000;
/** The largest ratio accepted either way (filter length grows with it). */
export const MAX_RATE_RATIO = 64;

const QUALITY: Record<ResamplerQuality, { attenuationDb: number; transition: number }> = {
  low: { attenuationDb: 60, transition: 0.2 },
  medium: { attenuationDb: 80, transition: 0.1 },
  high: { attenuationDb: 100, transition: 0.05 },
};

const MAX_EXACT_PHASES = 1024;
const INTERP_PHASES = 512;
const MAX_RATIONAL_TERM = 1 << 20;

/** A precomputed polyphase bank, shared by every resampler of the same ratio and quality. */
interface FilterBank {
  L: number;            // output steps per M input steps (reduced)
  M: number;
  taps: number;         // K, even: taps per output sample
  interpolated: boolean;
  phases: number;       // rows: L (exact) or INTERP_PHASES (+1 guard row, interpolated)
  table: Float64Array;  // (rows, K), row r is h(φ_r + K/2 − 1 − j), j = 0..K−1, summing to 1
  kernel?: FirKernel | null; // the WebAssembly kernel with this table, made on first use (exact banks only)
}

const bankCache = new Map<string, FilterBank>();
const BANK_CACHE_SIZE = 8;

function checkRate(name: string, rate: number): void {
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > MAX_SAMPLE_RATE) {
    throw new ConfigError('bad-sample-rate', `${name} must be a sample rate in (0, ${MAX_SAMPLE_RATE}] Hz, got ${String(rate)}`);
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) { const t = a % b; a = b; b = t; }
  return a;
}

/** to/from as a reduced fraction L/M: exact for integer rates, else a continued-fraction approximation. */
function reduceRatio(from: number, to: number): { L: number; M: number } {
  if (Number.isInteger(from) && Number.isInteger(to)) {
    const g = gcd(to, from);
    return { L: to / g, M: from / g };
  }
  const x = to / from;
  let h0 = 1, h1 = 0, k0 = 0, k1 = 1; // convergents h/k
  let v = x;
  for (let iter = 0; iter < 64; iter++) {
    const a = Math.floor(v);
    const h2 = a * h0 + h1, k2 = a * k0 + k1;
    if (h2 > MAX_RATIONAL_TERM || k2 > MAX_RATIONAL_TERM) break;
    h1 = h0; h0 = h2; k1 = k0; k0 = k2;
    const r = v - a;
    if (Math.abs(h0 / k0 - x) <= 1e-12 * x || r < 1e-12) break;
    v = 1 / r;
  }
  return { L: h0, M: k0 };
}

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function buildBank(from: number, to: number, quality: ResamplerQuality): FilterBank {
  const { L, M } = reduceRatio(from, to);
  const key = `${L}/${M}/${quality}`;
  const cached = bankCache.get(key);
  if (cached) return cached;

  const { attenuationDb: A, transition } = QUALITY[quality];
  const low = Math.min(from, to);
  const beta = A > 50 ? 0.1102 * (A - 8.7) : A >= 21 ? 0.5842 * (A - 21) ** 0.4 + 0.07886 * (A - 21) : 0;
  const order = Math.ceil((A - 7.95) / (2.285 * Math.PI * transition)); // taps at the lower rate
  const halfWidth = (order / 2) * (from / low);                         // W, input samples
  const half = Math.max(1, Math.ceil(halfWidth));
  const K = 2 * half;
  const fc = (low / 2) * (1 - transition / 2) / from;                   // cutoff, cycles per input sample
  const i0Beta = besselI0(beta);

  const interpolated = L > MAX_EXACT_PHASES;
  const phases = interpolated ? INTERP_PHASES : L;
  const rows = interpolated ? INTERP_PHASES + 1 : L;
  const table = new Float64Array(rows * K); // (rows, K)
  for (let r = 0; r < rows; r++) {
    const phi = r / phases;
    let sum = 0;
    for (let j = 0; j < K; j++) {
      const t = phi + half - 1 - j;
      const u = t / halfWidth;
      let v = 0;
      if (Math.abs(u) < 1) {
        const arg = 2 * fc * t;
        const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
        v = 2 * fc * sinc * (besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta);
      }
      table[r * K + j] = v;
      sum += v;
    }
    for (let j = 0; j < K; j++) table[r * K + j] /= sum;
  }
  const bank: FilterBank = { L, M, taps: K, interpolated, phases, table };
  if (bankCache.size >= BANK_CACHE_SIZE) bankCache.delete(bankCache.keys().next().value as string);
  bankCache.set(key, bank);
  return bank;
}

/** A streaming resampler: feed chunks of any size, then flush() once at the end. */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Input samples of look-ahead held back until more input or flush() arrives (0 for identity). */
  readonly latencySamples: number;
  private readonly identity: boolean;
  private readonly bank: FilterBank | null;
  private readonly half: number;   // K/2
  private readonly stepInt: number; // floor(M / L)
  private readonly stepFrac: number; // M mod L

  private buf: Float32Array;  // (capacity) input samples from absolute index `base` on
  private readonly kernel: FirKernel | null = null; // the bank's WebAssembly kernel, or null: the JS loop
  private bufLen = 0;
  private base = 0;           // absolute input index of buf[0] (negative: the zero prefix)
  private received = 0;       // absolute input samples received
  private n = 0;              // integer part of the next output's input time
  private p = 0;              // its phase numerator in [0, L)

  /**
   * Whether this Resampler has a WebAssembly kernel instance: its inner products run there
   * whenever the kernel's memory can stage the block (else, per call, the JS loop, same
   * bits). False for equal rates, interpolated banks and when the kernel is off or missing.
   */
  get accelerated(): boolean {
    return this.kernel !== null;
  }

  constructor(options: ResamplerOptions) {
    const { fromRate, toRate } = options;
    checkRate('fromRate', fromRate);
    checkRate('toRate', toRate);
    const quality = options.quality ?? 'medium';
    if (!(quality in QUALITY)) throw new ConfigError('bad-resampler-quality', `quality must be 'low', 'medium' or 'high', got ${String(quality)}`);
    if (Math.max(fromRate, toRate) / Math.min(fromRate, toRate) > MAX_RATE_RATIO) {
      throw new ConfigError('bad-sample-rate', `cannot resample ${fromRate} Hz to ${toRate} Hz: the ratio exceeds ${MAX_RATE_RATIO}`);
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.identity = fromRate === toRate;
    this.bank = this.identity ? null : buildBank(fromRate, toRate, quality);
    this.half = this.bank ? this.bank.taps / 2 : 0;
    this.latencySamples = this.half;
    this.stepInt = this.bank ? Math.floor(this.bank.M / this.bank.L) : 1;
    this.stepFrac = this.bank ? this.bank.M % this.bank.L : 0;
    this.buf = new Float32Array(this.bank ? 2 * this.bank.taps + 256 : 0);
    const module = this.bank && !this.bank.interpolated ? firModuleIfEnabled() : null;
    if (module && this.bank) {
      if (this.bank.kernel === undefined) this.bank.kernel = FirKernel.create(module, this.bank.table);
      this.kernel = this.bank.kernel;
    }
    this.reset();
  }

  /** Forget all input: the next sample is time 0 again. */
  reset(): void {
    this.buf.fill(0);
    // zero prefix: indices −(half − 1) .. −1, so output 0 sees x[i < 0] = 0
    this.bufLen = Math.max(0, this.half - 1);
    this.base = -this.bufLen;
    this.received = 0;
    this.n = 0;
    this.p = 0;
  }

  /** An upper bound on the samples process() can return for a chunk of `inputLength`. */
  maxOutputLength(inputLength: number): number {
    if (this.identity) return inputLength;
    const { L, M } = this.bank!;
    return Math.ceil((inputLength * L) / M) + 1;
  }

  /** An upper bound on the samples flush() can return. */
  maxFlushLength(): number {
    return this.identity ? 0 : this.maxOutputLength(this.half);
  }

  /** Resample one chunk into a new array (the output may be a few samples shorter or longer than chunk·to/from). */
  process(chunk: Float32Array): Float32Array {
    const out = new Float32Array(this.maxOutputLength(chunk.length));
    const count = this.processInto(chunk, out, 0);
    return count === out.length ? out : out.slice(0, count);
  }

  /**
   * Resample one chunk into `out` from `outOffset`; returns the samples written. `out` must
   * have room for maxOutputLength(chunk.length). Allocates nothing once the input buffer
   * has grown to the largest chunk seen.
   */
  processInto(chunk: Float32Array, out: Float32Array, outOffset = 0): number {
    if (this.identity) {
      if (out.length - outOffset < chunk.length) throw this.tooSmall(chunk.length);
      out.set(chunk, outOffset);
      this.received += chunk.length;
      return chunk.length;
    }
    if (out.length - outOffset < this.maxOutputLength(chunk.length)) throw this.tooSmall(this.maxOutputLength(chunk.length));
    this.append(chunk, chunk.length);
    return this.emit(out, outOffset, this.received);
  }

  /** The remaining output (the look-ahead, against zeros after the end); then reset() for a new signal. */
  flush(): Float32Array {
    const out = new Float32Array(this.maxFlushLength());
    const count = this.flushInto(out, 0);
    return count === out.length ? out : out.slice(0, count);
  }

  /** flush() into `out` (room for maxFlushLength()); returns the samples written. */
  flushInto(out: Float32Array, outOffset = 0): number {
    if (this.identity) { this.reset(); return 0; }
    if (out.length - outOffset < this.maxFlushLength()) throw this.tooSmall(this.maxFlushLength());
    const end = this.received;
    this.append(null, this.half); // zeros after the end
    const count = this.emit(out, outOffset, end);
    this.reset();
    return count;
  }

  private tooSmall(needed: number): ConfigError {
    return new ConfigError('buffer-too-small', `the output buffer needs room for ${needed} samples`);
  }

  /** Append `length` samples of `chunk` (or zeros when null), compacting or growing first. */
  private append(chunk: Float32Array | null, length: number): void {
    if (this.bufLen + length > this.buf.length) {
      // drop what no future output reads: everything before n − half + 1
      const drop = Math.min(this.bufLen, Math.max(0, this.n - this.half + 1 - this.base));
      if (drop > 0) {
        this.buf.copyWithin(0, drop, this.bufLen);
        this.bufLen -= drop;
        this.base += drop;
      }
      if (this.bufLen + length > this.buf.length) {
        const grown = new Float32Array(Math.max(2 * this.buf.length, this.bufLen + length));
        grown.set(this.buf.subarray(0, this.bufLen));
        this.buf = grown;
      }
    }
    if (chunk) this.buf.set(chunk.subarray(0, length), this.bufLen);
    else this.buf.fill(0, this.bufLen, this.bufLen + length);
    this.bufLen += length;
    if (chunk) this.received += length;
  }

  /** Every output whose window is in the buffer and whose time is before `limit`. */
  private emit(out: Float32Array, outOffset: number, limit: number): number {
    const bank = this.bank!;
    const { table, taps: K, L } = bank;
    const half = this.half, buf = this.buf, available = this.base + this.bufLen;
    const stepInt = this.stepInt, stepFrac = this.stepFrac;
    const interpolated = bank.interpolated, P = bank.phases;
    let n = this.n, p = this.p, o = outOffset;
    // the kernel reads a copy of the buffer from the first tap of the first output on
    const first = n - half + 1 - this.base;
    const kernel = this.kernel && n < limit && n + half < available && this.kernel.stage(buf, first, this.bufLen) ? this.kernel : null;
    while (n < limit && n + half < available) {
      const s = n - half + 1 - this.base; // buffer index of the first tap
      let acc = 0;
      if (kernel) {
        acc = kernel.dot(s - first, p, K);
      } else if (!interpolated) {
        // fir.wat's order: even taps and odd taps in two sums, then added (K is even)
        const r = p * K;
        let even = 0, odd = 0;
        for (let j = 0; j < K; j += 2) {
          even += buf[s + j] * table[r + j];
          odd += buf[s + j + 1] * table[r + j + 1];
        }
        acc = even + odd;
      } else {
        const scaled = p * P;
        const row = Math.floor(scaled / L);
        const t = (scaled - row * L) / L;
        const r0 = row * K, r1 = r0 + K;
        for (let j = 0; j < K; j++) {
          const c0 = table[r0 + j];
          acc += buf[s + j] * (c0 + t * (table[r1 + j] - c0));
        }
      }
      out[o++] = acc;
      n += stepInt;
      p += stepFrac;
      if (p >= L) { p -= L; n++; }
    }
    this.n = n;
    this.p = p;
    return o - outOffset;
  }
}

/** Resample a whole signal: ceil(n·to/from) samples (the input itself, copied, when the rates are equal). */
export function resample(samples: Float32Array, fromRate: number, toRate: number, quality?: ResamplerQuality): Float32Array {
  const r = new Resampler({ fromRate, toRate, quality });
  const out = new Float32Array(r.maxOutputLength(samples.length) + r.maxFlushLength());
  let count = r.processInto(samples, out, 0);
  count += r.flushInto(out, count);
  return count === out.length ? out : out.slice(0, count);
}
