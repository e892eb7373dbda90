// A clip's peak envelope: its samples as ENVELOPE_POINTS (min, max) pairs, enough to draw a
// thumbnail of its waveform. Computed where the audio is (the engine), so a list of
// hundreds of clips fetches a few hundred bytes per clip, not its audio.

/** Columns of a thumbnail: (min, max) pairs per clip. */
export const ENVELOPE_POINTS = 64;

/**
 * `points` (min, max) pairs, interleaved: [min0, max0, min1, max1, ...]. Column i covers
 * samples [floor(i·n/points), floor((i+1)·n/points)); a column with no sample (a clip
 * shorter than `points` samples) is (0, 0).
 */
export function peakEnvelope(samples: ArrayLike<number>, points = ENVELOPE_POINTS): Float32Array {
  if (!Number.isInteger(points) || points < 1) throw new RangeError(`points must be a positive integer, got ${points}`);
  const out = new Float32Array(2 * points);
  const n = samples.length;
  for (let i = 0; i < points; i++) {
    const from = Math.floor((i * n) / points), to = Math.floor(((i + 1) * n) / points);
    let lo = to > from ? samples[from] : 0, hi = lo;
    for (let k = from + 1; k < to; k++) {
      const v = samples[k];
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
    }
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  }
  return out;
}
