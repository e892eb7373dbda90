// The last seconds of a stream of samples, addressed in stream time: sample n is the n-th
// since the stream started (or was cleared), as the live detector dates its decisions. The
// Listen screen keeps one so "That was wrong" can cut out the window a detection fired on,
// after the person has had time to react. A fixed ring: pushing never allocates.

export class RecentAudio {
  /** Samples held at most (the oldest are overwritten). */
  readonly capacity: number;
  private readonly ring: Float32Array;
  private pushed = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`capacity must be a positive whole number of samples, got ${String(capacity)}`);
    this.capacity = capacity;
    this.ring = new Float32Array(capacity);
  }

  /** Samples pushed since the stream started: the stream time of the next sample. */
  get total(): number {
    return this.pushed;
  }

  /** The stream time of the oldest sample still held. */
  get oldest(): number {
    return Math.max(0, this.pushed - this.capacity);
  }

  /** Appends samples; of a block longer than the capacity only its end is kept. */
  push(samples: Float32Array): void {
    const keep = samples.length > this.capacity ? samples.subarray(samples.length - this.capacity) : samples;
    const skipped = samples.length - keep.length;
    const at = (this.pushed + skipped) % this.capacity;
    const first = Math.min(keep.length, this.capacity - at);
    this.ring.set(keep.subarray(0, first), at);
    this.ring.set(keep.subarray(first), 0);
    this.pushed += samples.length;
  }

  /** Starts a new stream: nothing held, stream time 0. */
  clear(): void {
    this.pushed = 0;
  }

  /**
   * A copy of the samples from stream time `start`, `length` of them; null when any of them
   * is no longer held (overwritten) or not yet pushed.
   */
  slice(start: number, length: number): Float32Array | null {
    if (!Number.isInteger(start)) throw new RangeError(`start must be a whole sample index, got ${String(start)}`);
    if (!(Number.isInteger(length) && length >= 0)) throw new RangeError(`length must be a whole number of samples ≥ 0, got ${String(length)}`);
    if (start < this.oldest || start + length > this.pushed) return null;
    const out = new Float32Array(length);
    const at = start % this.capacity;
    const first = Math.min(length, this.capacity - at);
    out.set(this.ring.subarray(at, at + first), 0);
    out.set(this.ring.subarray(0, length - first), first);
    return out;
  }
}
