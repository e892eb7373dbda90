// Feature extraction: 16 kHz samples → frames × F values (frame-major), in two forms that
// share every line of arithmetic: extractFeatures (training, whole clips) and
// FeatureStream (the renderer, audio arriving in chunks of any size). The stream's output,
// after flush(), equals extractFeatures on the concatenated audio bit for bit.
//
// Input scale: samples are floats in [-1, 1] (what decodeWav and Web Audio give) and are
// multiplied by 32768 (16-bit scale, exact in float32) before Meyda. Meyda's mel energies
// go through ln(x + 1), not ln(x): at [-1, 1] scale the +1 dominates quiet frames and
// MFCCs then change shape with microphone gain; at 16-bit scale x ≫ 1 for anything
// above the 16-bit noise floor, so ln(x + 1) ≈ ln(x) and a gain g adds ≈ 2·ln(g) to every
// mel band: that moves c0 (by 2·bands·2·ln g, DCT scale 2) and log-energy (by 2·ln g)
// and leaves c1… nearly unchanged. Digital silence gives 0 in every band.
//
// Frames follow the rule in config.ts. Log-energy is ln(1 + Σ x²) over the unwindowed
// frame at 16-bit scale. Deltas are the standard regression over ±2 frames,
//   Δ_t = Σ_{n=1..2} n·(c_{t+n} − c_{t−n}) / 10,
// with frame indices clamped to the first and last frame, so a constant signal has
// zero deltas. Because Δ_t needs frame t+2, the stream holds back the last two frames
// until two more arrive or until flush() (which treats the audio so far as complete).
// With config.normalization set, every output value (deltas included) becomes
// (x − mean) / std, in float32, in both forms.
import { validateFeatureConfig, featureCount, frameCount, staticFeatureCount, parseFeatureConfig, type FeatureConfig } from './config.js';
import { meydaMelFilterBank, type MeydaSettings } from './meyda.js';
import { MelCepstrum } from './mel-cepstrum.js';

/** Samples in [-1, 1] are multiplied by this before analysis (see above). */
export const INPUT_SCALE = 32768;

const DELTA_REACH = 2;
const DELTA_NORM = 10; // 2·(1² + 2²)

function settingsOf(config: FeatureConfig): MeydaSettings {
  return {
    sampleRate: config.sampleRate, bufferSize: config.windowSamples,
    melBands: config.melBands, mfccCoefficients: config.mfccCoefficients,
  };
}

const cepstra = new Map<string, MelCepstrum>();
const CEPSTRA_CACHED = 8;

/** The MFCC kernel for these settings, on Meyda's filterbank; shared by every extraction with the same settings. */
function cepstrumFor(s: MeydaSettings): MelCepstrum {
  const key = `${s.sampleRate}/${s.bufferSize}/${s.melBands}/${s.mfccCoefficients}`;
  let kernel = cepstra.get(key);
  if (!kernel) {
    kernel = new MelCepstrum({ bufferSize: s.bufferSize, coefficients: s.mfccCoefficients }, meydaMelFilterBank(s));
    if (cepstra.size >= CEPSTRA_CACHED) cepstra.delete(cepstra.keys().next().value as string);
    cepstra.set(key, kernel);
  }
  return kernel;
}

/** Static features (MFCCs, then log-energy) of the frame starting at source[start]. */
function staticFrame(source: Float32Array, start: number, config: FeatureConfig, cepstrum: MelCepstrum,
  scratch: Float32Array, out: Float32Array): void {
  let energy = 0;
  for (let i = 0; i < scratch.length; i++) {
    const x = source[start + i] * INPUT_SCALE;
    scratch[i] = x;
    energy += x * x;
  }
  cepstrum.compute(scratch, out, 0);
  if (config.logEnergy) out[config.mfccCoefficients] = Math.log(1 + energy);
}

/**
 * Writes one output frame: the static row of frame t, then (with deltas) its deltas from
 * rows(t−2 … t+2), indices clamped to [0, last]. `row(i)` returns static row i.
 */
function writeFrame(row: (i: number) => Float32Array, t: number, last: number, config: FeatureConfig,
  out: Float32Array, offset: number): void {
  const s = row(t);
  const S = s.length;
  out.set(s, offset);
  if (config.deltas) {
    for (let k = 0; k < S; k++) {
      let acc = 0;
      for (let n = 1; n <= DELTA_REACH; n++) {
        const ahead = row(Math.min(t + n, last))[k];
        const behind = row(Math.max(t - n, 0))[k];
        acc += n * (ahead - behind);
      }
      out[offset + S + k] = acc / DELTA_NORM;
    }
  }
  const norm = config.normalization;
  if (norm) {
    const F = norm.mean.length;
    for (let k = 0; k < F; k++) out[offset + k] = (out[offset + k] - norm.mean[k]) / norm.std[k];
  }
}


/** Features of a whole 16 kHz signal: frameCount(config, n) × featureCount(config) values. */
export function extractFeatures(samples16k: Float32Array, config: FeatureConfig): Float32Array {
  validateFeatureConfig(config);
  const T = frameCount(config, samples16k.length);
  const F = featureCount(config);
  const cepstrum = cepstrumFor(settingsOf(config));
  const scratch = new Float32Array(config.windowSamples);
  const rows: Float32Array[] = [];
  for (let t = 0; t < T; t++) {
    const r = new Float32Array(staticFeatureCount(config));
    staticFrame(samples16k, t * config.hopSamples, config, cepstrum, scratch, r);
    rows.push(r);
  }
  const out = new Float32Array(T * F);
  for (let t = 0; t < T; t++) writeFrame((i) => rows[i], t, T - 1, config, out, t * F);
  return out;
}

/**
 * Streaming extraction: push() chunks of 16 kHz audio of any size and receive the frames
 * completed so far (frames × F); flush() at the end of the audio releases the frames
 * held back for deltas. The concatenation of everything returned equals
 * extractFeatures(all audio) exactly.
 */
export class FeatureStream {
  readonly config: FeatureConfig;
  readonly featureCount: number;
  private readonly cepstrum: MelCepstrum;
  private readonly scratch: Float32Array;
  /** Audio from absolute sample `bufferStart` on. */
  private buffer: Float32Array;
  private buffered = 0;
  private bufferStart = 0;
  /** Static rows from absolute frame `rowsStart` on. */
  private rows: Float32Array[] = [];
  private rowsStart = 0;
  private computed = 0; // static rows computed so far
  private emitted = 0;  // output frames returned so far
  private flushed = false;

  constructor(config: FeatureConfig) {
    validateFeatureConfig(config);
    this.config = parseFeatureConfig(config); // a private deep copy
    this.featureCount = featureCount(config);
    this.cepstrum = cepstrumFor(settingsOf(config));
    this.scratch = new Float32Array(config.windowSamples);
    this.buffer = new Float32Array(Math.max(2 * config.windowSamples, 4096));
  }

  /** Frames returned so far. */
  get framesEmitted(): number {
    return this.emitted;
  }

  push(chunk: Float32Array): Float32Array {
    if (this.flushed) throw new Error('FeatureStream: push() after flush(); call reset() first');
    this.append(chunk);
    const { windowSamples: W, hopSamples: H } = this.config;
    while (true) {
      const start = this.computed * H - this.bufferStart;
      if (start + W > this.buffered) break;
      const r = new Float32Array(staticFeatureCount(this.config));
      staticFrame(this.buffer, start, this.config, this.cepstrum, this.scratch, r);
      this.rows.push(r);
      this.computed++;
    }
    this.discardAudio();
    const ready = this.config.deltas ? this.computed - DELTA_REACH : this.computed;
    return this.emit(ready, this.computed - 1);
  }

  /** Treats the audio so far as complete and returns the frames held back for deltas. */
  flush(): Float32Array {
    this.flushed = true;
    return this.emit(this.computed, this.computed - 1);
  }

  /** Forgets all audio, as if newly constructed. */
  reset(): void {
    this.buffered = 0;
    this.bufferStart = 0;
    this.rows = [];
    this.rowsStart = 0;
    this.computed = 0;
    this.emitted = 0;
    this.flushed = false;
  }

  private emit(until: number, last: number): Float32Array {
    const count = Math.max(0, until - this.emitted);
    const F = this.featureCount;
    const out = new Float32Array(count * F);
    const row = (i: number): Float32Array => this.rows[i - this.rowsStart];
    for (let j = 0; j < count; j++) writeFrame(row, this.emitted + j, last, this.config, out, j * F);
    this.emitted += count;
    // Keep the rows a future delta may still read: from emitted − 2 on.
    const keepFrom = Math.max(0, this.emitted - DELTA_REACH);
    if (keepFrom > this.rowsStart) {
      this.rows.splice(0, keepFrom - this.rowsStart);
      this.rowsStart = keepFrom;
    }
    return out;
  }

  private append(chunk: Float32Array): void {
    if (this.buffered + chunk.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.buffered + chunk.length));
      grown.set(this.buffer.subarray(0, this.buffered));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.buffered);
    this.buffered += chunk.length;
  }

  /** Drops audio no future frame needs (before the next frame's start). */
  private discardAudio(): void {
    const drop = Math.min(this.computed * this.config.hopSamples - this.bufferStart, this.buffered);
    if (drop <= 0) return;
    this.buffer.copyWithin(0, drop, this.buffered);
    this.buffered -= drop;
    this.bufferStart += drop;
  }
}
