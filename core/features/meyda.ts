// The ONE module that imports Meyda (5.6.3, pinned exactly in package.json) and owns its
// settings. Features are computed by mel-cepstrum.ts, a bit-exact and allocation-free
// replica of Meyda's MFCC built on Meyda's own filterbank (meydaMelFilterBank);
// meydaMfcc is the reference it is tested against. Meyda's configuration is a single
// mutable global object, so every other module goes through this one, whose functions
// apply the requested settings first.
//
// Pitfalls handled here (see /work/shared/docs/environment.md, "Meyda 5.6"):
// - Meyda caches its mel filterbank and rebuilds it only when the number of bands
//   changes: not when sampleRate or bufferSize change. Whenever any of the three
//   changes we drop the cached banks (melFilterBank, barkScale, chromaFilterBank).
// - Meyda builds the bank with max(melBands, coefficients) filters but compares its
//   length with melBands, so coefficients > bands would rebuild it on every call; the
//   FeatureConfig validation forbids that.
// - bufferSize must be a power of two and equal to the frame length.
//
// Import: Meyda ships CommonJS for Node (module.exports = Meyda), an ESM build for
// bundlers and a UMD build for browsers; its typings declare `export default` and
// mention DOM types (AudioContext). So we take the default import, accept a `.default`
// wrapper should some bundler add one, and type it with the minimal local interface
// below instead of Meyda's own declarations.
import meydaModule from 'meyda';

interface MeydaGlobal {
  sampleRate: number;
  bufferSize: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank: unknown;
  barkScale: unknown;
  chromaFilterBank: unknown;
  extract(feature: 'mfcc', signal: Float32Array): number[];
}

const loaded = meydaModule as unknown as MeydaGlobal & { default?: MeydaGlobal };
const meyda: MeydaGlobal = typeof loaded.extract === 'function' ? loaded : (loaded.default as MeydaGlobal);

export interface MeydaSettings {
  sampleRate: number;
  bufferSize: number;
  melBands: number;
  mfccCoefficients: number;
}

/** Applies the settings to Meyda's global, dropping cached filterbanks when they would be stale. */
export function configureMeyda(s: MeydaSettings): void {
  if (meyda.sampleRate !== s.sampleRate || meyda.bufferSize !== s.bufferSize || meyda.melBands !== s.melBands) {
    meyda.melFilterBank = undefined;
    meyda.barkScale = undefined;
    meyda.chromaFilterBank = undefined;
  }
  meyda.sampleRate = s.sampleRate;
  meyda.bufferSize = s.bufferSize;
  meyda.melBands = s.melBands;
  meyda.numberOfMFCCCoefficients = s.mfccCoefficients;
  meyda.windowingFunction = 'hanning';
}

/**
 * Meyda's mel filterbank for these settings (max(melBands, coefficients) rows of
 * bufferSize/2 + 1 weights), copied. Meyda builds it lazily inside extract(), so one
 * extract on a silent frame builds it first.
 */
export function meydaMelFilterBank(s: MeydaSettings): number[][] {
  configureMeyda(s);
  meyda.extract('mfcc', new Float32Array(s.bufferSize));
  return (meyda.melFilterBank as ArrayLike<number>[]).map((row) => Array.from(row));
}

/**
 * MFCCs of one frame (length = settings.bufferSize) into out[offset…]. The frame is
 * Hann-windowed by Meyda; the mel energies are power-spectrum sums passed through
 * ln(x + 1) and a DCT-II (scale 2, unnormalised). Meyda does not modify `frame`.
 */
export function meydaMfcc(frame: Float32Array, s: MeydaSettings, out: Float32Array, offset: number): void {
  if (frame.length !== s.bufferSize) throw new RangeError(`frame has ${frame.length} samples, expected ${s.bufferSize}`);
  configureMeyda(s);
  const c = meyda.extract('mfcc', frame);
  for (let i = 0; i < s.mfccCoefficients; i++) out[offset + i] = c[i];
}
