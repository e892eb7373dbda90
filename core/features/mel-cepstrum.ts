// MFCCs of one frame, bit for bit what Meyda 5.6.3's extract('mfcc') returns, without its
// per-frame garbage. Meyda remains the definition (its mel filterbank is taken from Meyda
// itself, see meyda.ts, and test/core/features/mel-cepstrum.test.ts compares every output
// bit with Meyda's); this file only repeats its arithmetic in preallocated buffers.
//
// Why by hand: Meyda allocates two objects per FFT butterfly, recomputes every twiddle with
// cos/sin on every frame, and allocates 26 arrays of 256 floats per frame for the mel
// stage. Live listening computes 100 frames a second in the renderer, and Meyda alone
// took ~15 ms of CPU per second of audio there (1.5 % of a core, of a 5 % budget for all
// of live listening). This replica makes the features 4–5x faster (`npm run bench`, the features row).
//
// Meyda's steps, each reproduced with the same operations in the same order (IEEE-754
// arithmetic is deterministic, so the same operations give the same bits):
//   1. windowed[i] = x[i] · hann[i]            hann in float32, product in float64
//   2. complex radix-2 FFT in float64: bit-reversal, then log2 N stages of butterflies
//      with twiddles w = (cos θ, sin θ), θ = −2π·k / n; odd' = w·odd, then
//      (even − odd', odd' + even). Butterflies within a stage touch disjoint pairs, so
//      their order does not matter; we run them block-major with tabled twiddles.
//   3. amp[j] = float32(√(re² + im²)), j < N/2 (Math.pow(·, 2) as Meyda writes it)
//   4. pow[j] = float32(amp[j]²); band[b] = Σ_j float32(bank[b][j] · pow[j]) accumulated
//      in float32 (Meyda's accumulator is a Float32Array); band[b] = float32(ln(band[b] + 1)).
//      Zero weights add exactly +0 to the sum, so only each filter's nonzero span is summed.
//   5. DCT-II, scale 2, accumulated in float64: c[k] = 2 · Σ_n band[n] · cos(π/B · (n + ½) · k);
//      Meyda computes all B and keeps the first K; we compute the first K.
//
// Equality holds for finite input (what decodeWav and Web Audio give): with an infinite
// power value, Meyda's 0 · ∞ = NaN where we skip the zero weight.
//
// Dimensions: N = frame length (bufferSize, a power of two), B = mel filters
// (max(melBands, coefficients), as Meyda builds them), K = coefficients kept (≤ 40, Meyda's cap).

export interface MelCepstrumSettings {
  bufferSize: number;  // N
  coefficients: number; // K
}

const f32 = Math.fround;

export class MelCepstrum {
  readonly bufferSize: number;
  readonly coefficients: number;
  private readonly hann: Float32Array;      // (N) Meyda's hanning window, float32
  private readonly reversed: Int32Array;    // (N) bit-reversed index
  private readonly twiddleRe: Float64Array; // (N − 1) stage of size n at offset n/2 − 1, k < n/2
  private readonly twiddleIm: Float64Array; // (N − 1)
  private readonly bank: Float64Array;      // (B, N/2) Meyda's filter weights
  private readonly spanStart: Int32Array;   // (B) first nonzero weight of each filter
  private readonly spanEnd: Int32Array;     // (B) one past the last
  private readonly cosines: Float64Array;   // (K, B) DCT-II table
  private readonly re: Float64Array;        // (N) FFT work
  private readonly im: Float64Array;        // (N)
  private readonly power: Float32Array;     // (N/2) float32(amp²)
  private readonly bands: Float32Array;     // (B) log mel energies

  /** `filterBank`: Meyda's mel filterbank for these settings, B rows of ≥ N/2 weights. */
  constructor(settings: MelCepstrumSettings, filterBank: ArrayLike<ArrayLike<number>>) {
    const N = settings.bufferSize, K = settings.coefficients, B = filterBank.length, H = N / 2;
    if (!(N >= 2) || (N & (N - 1)) !== 0) throw new RangeError(`bufferSize must be a power of two, got ${N}`);
    if (!(K >= 1 && K <= Math.min(B, 40))) throw new RangeError(`coefficients must be in [1, ${Math.min(B, 40)}], got ${K}`);
    this.bufferSize = N;
    this.coefficients = K;

    this.hann = new Float32Array(N);
    for (let i = 0; i < N; i++) this.hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (N - 1));

    const bits = Math.log2(N);
    this.reversed = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reversed[i] = r;
    }

    this.twiddleRe = new Float64Array(N - 1);
    this.twiddleIm = new Float64Array(N - 1);
    for (let n = 2; n <= N; n *= 2) {
      for (let k = 0; k < n / 2; k++) {
        const x = (-2 * Math.PI * k) / n; // Meyda's euler(k, n), same operation order
        this.twiddleRe[n / 2 - 1 + k] = Math.cos(x);
        this.twiddleIm[n / 2 - 1 + k] = Math.sin(x);
      }
    }

    this.bank = new Float64Array(B * H);
    this.spanStart = new Int32Array(B);
    this.spanEnd = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const row = filterBank[b];
      if (row.length < H) throw new RangeError(`filter ${b} has ${row.length} weights, expected at least ${H}`);
      let start = H, end = 0;
      for (let j = 0; j < H; j++) {
        const w = row[j];
        this.bank[b * H + j] = w;
        if (w !== 0) { if (j < start) start = j; end = j + 1; }
      }
      this.spanStart[b] = start < end ? start : 0;
      this.spanEnd[b] = end;
    }

    this.cosines = new Float64Array(K * B);
    const piOverB = Math.PI / B;
    for (let k = 0; k < K; k++) for (let n = 0; n < B; n++) this.cosines[k * B + n] = Math.cos(piOverB * (n + 0.5) * k);

    this.re = new Float64Array(N);
    this.im = new Float64Array(N);
    this.power = new Float32Array(H);
    this.bands = new Float32Array(B);
  }

  /** The K coefficients of `frame` (N samples, not modified) into out[offset…], as float32. */
  compute(frame: Float32Array, out: Float32Array, offset: number): void {
    const N = this.bufferSize, H = N / 2, B = this.bands.length, K = this.coefficients;
    if (frame.length !== N) throw new RangeError(`frame has ${frame.length} samples, expected ${N}`);
    if (!(offset >= 0 && offset + K <= out.length)) throw new RangeError(`out needs ${K} values from offset ${offset}`);
    const { re, im, hann, reversed, twiddleRe, twiddleIm, power, bank, bands, cosines } = this;

    // 1–2: window into bit-reversed order, then the butterflies
    for (let i = 0; i < N; i++) {
      re[reversed[i]] = frame[i] * hann[i];
      im[i] = 0;
    }
    for (let n = 2; n <= N; n *= 2) {
      const half = n / 2, tw = half - 1;
      for (let base = 0; base < N; base += n) {
        for (let k = 0; k < half; k++) {
          const e = base + k, o = e + half;
          const wr = twiddleRe[tw + k], wi = twiddleIm[tw + k];
          const or = re[o], oi = im[o];
          const pr = wr * or - wi * oi; // Meyda's multiply(twiddle, odd)
          const pi = wr * oi + wi * or;
          const er = re[e], ei = im[e];
          re[o] = er - pr; im[o] = ei - pi; // subtract(even, odd')
          re[e] = pr + er; im[e] = pi + ei; // add(odd', even)
        }
      }
    }

    // 3–4: amplitude, power, mel energies
    for (let j = 0; j < H; j++) {
      const amp = f32(Math.sqrt(Math.pow(re[j], 2) + Math.pow(im[j], 2)));
      power[j] = Math.pow(amp, 2);
    }
    for (let b = 0; b < B; b++) {
      let acc = 0; // a float32 accumulator, as Meyda's Float32Array element
      const row = b * H;
      for (let j = this.spanStart[b]; j < this.spanEnd[b]; j++) acc = f32(acc + f32(bank[row + j] * power[j]));
      bands[b] = Math.log(acc + 1);
    }

    // 5: DCT-II, first K
    for (let k = 0; k < K; k++) {
      let acc = 0;
      const row = k * B;
      for (let n = 0; n < B; n++) acc = acc + bands[n] * cosines[row + n];
      out[offset + k] = 2 * acc;
    }
  }
}
