// The live MFCC spectrogram's pixels, kept apart from the canvas (SpectrogramCanvas.vue) so
// the Node-side tests can check them. One column per feature frame (newest on the right),
// one row per static coefficient (c0 at the bottom), coloured by value scaled to the range
// each row has seen so far (c0 and log-energy are far larger than the other coefficients).
//
// push() only keeps the frames (the last `columns` of them, in a ring) and the ranges;
// render() turns the frames pushed since the last render into pixels, scrolling once per
// render rather than once per frame. So a hidden page, which never renders, does no pixel
// work however long it listens, and the first render after it is shown draws the latest
// `columns` frames once.

/** Dark blue → teal → yellow, for t in [0, 1]. */
function colour(t: number): [number, number, number] {
  return [Math.round(255 * Math.min(1, Math.max(0, 2 * t - 0.6))), Math.round(255 * Math.min(1, 0.15 + t)), Math.round(255 * (0.45 + 0.35 * (1 - t) - 0.4 * t))];
}

export class SpectrogramImage {
  /** RGBA, `columns` × `rows`, row 0 at the top (the highest coefficient). */
  readonly pixels: Uint8ClampedArray<ArrayBuffer>;
  private readonly ring: Float32Array; // (columns, rows): the latest frames' static coefficients
  private written = 0; // frames pushed since the last clear
  private unrendered = 0; // frames pushed since the last render, at most `columns`
  private lo: Float32Array;
  private hi: Float32Array;

  constructor(readonly columns: number, readonly rows: number) {
    if (!(Number.isInteger(columns) && columns > 0 && Number.isInteger(rows) && rows > 0)) {
      throw new RangeError(`a spectrogram needs whole numbers of columns and rows from 1, got ${String(columns)} × ${String(rows)}`);
    }
    this.pixels = new Uint8ClampedArray(columns * rows * 4);
    this.ring = new Float32Array(columns * rows);
    this.lo = new Float32Array(rows);
    this.hi = new Float32Array(rows);
    this.clear();
  }

  /** All black, ranges forgotten. */
  clear(): void {
    this.pixels.fill(0);
    for (let i = 3; i < this.pixels.length; i += 4) this.pixels[i] = 255;
    this.lo.fill(Infinity);
    this.hi.fill(-Infinity);
    this.written = 0;
    this.unrendered = 0;
  }

  /** `count` frames of `featureCount` values each; the first `rows` of each are shown. */
  push(frames: ArrayLike<number>, count: number, featureCount: number): void {
    if (featureCount < this.rows) throw new RangeError(`frames of ${featureCount} values cannot fill ${this.rows} rows`);
    const R = this.rows;
    for (let f = 0; f < count; f++) {
      const at = (this.written % this.columns) * R;
      for (let r = 0; r < R; r++) {
        const v = frames[f * featureCount + r];
        this.ring[at + r] = v;
        if (v < this.lo[r]) this.lo[r] = v;
        if (v > this.hi[r]) this.hi[r] = v;
      }
      this.written++;
    }
    this.unrendered = Math.min(this.columns, this.unrendered + count);
  }

  /** Draws the frames pushed since the last render; false when there were none. */
  render(): boolean {
    const n = this.unrendered;
    if (n === 0) return false;
    const { columns: W, rows: R, pixels } = this;
    const rowBytes = W * 4;
    if (n < W) for (let y = 0; y < R; y++) pixels.copyWithin(y * rowBytes, y * rowBytes + n * 4, (y + 1) * rowBytes);
    for (let k = 0; k < n; k++) {
      const frame = this.written - n + k;
      const at = (frame % W) * R;
      const x = W - n + k;
      for (let r = 0; r < R; r++) {
        const t = Math.max(0, Math.min(1, (this.ring[at + r] - this.lo[r]) / (this.hi[r] - this.lo[r] || 1)));
        const [red, green, blue] = colour(t);
        const o = ((R - 1 - r) * W + x) * 4;
        pixels[o] = red; pixels[o + 1] = green; pixels[o + 2] = blue; pixels[o + 3] = 255;
      }
    }
    this.unrendered = 0;
    return true;
  }
}
