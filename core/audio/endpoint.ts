// Energy-based endpointing: find the spoken part of a short clip (a keyword, a digit) and
// centre it in the model's fixed-length window, so a word said late in a recording is not
// cut off and the model sees every example the same way round.
//
//   1. Short-time energy: 25 ms windows every 10 ms, in dB (mean square).
//   2. Noise floor: a low percentile (10th) of the frame energies; the room's hiss and
//      the pauses around the word dominate the low end, whatever the recording level. It is
//      capped at −50 dBFS when the clip's level moves like speech (90th − 10th percentile ≥
//      6 dB): a clip trimmed to the word (5% of the spoken-digit recordings) has no pause,
//      and its 10th percentile is speech, not room; steady loud noise keeps its own floor.
//   3. Hysteresis: a segment starts at a frame ≥ floor + 12 dB and ends at the first frame
//      < floor + 6 dB, so a word's dips between syllables do not split it. Segments shorter
//      than 60 ms (clicks) are dropped, and frames must also reach an absolute −70 dBFS, so
//      a clip of near-silence is not "speech" just because its noise fluctuates.
//   4. Refinement: a 25 ms window lights up as soon as it touches a loud burst, so the
//      onset and offset are refined on 5 ms blocks against floor + 6 dB, then padded by 10 ms
//      (quiet consonant edges).
// The result is the span from the first to the last speech segment, in sample indices,
// end exclusive.

import { ConfigError } from '../errors.js';

export interface EndpointOptions {
  /** Hop between frames, ms. Default 10. */
  hopMs?: number;
  /** Energy window, ms. Default 25. */
  windowMs?: number;
  /** Percentile (0-100) of frame energies taken as the noise floor. Default 10. */
  floorPercentile?: number;
  /** A segment starts this many dB above the floor. Default 12. */
  startDb?: number;
  /** ... and continues while frames stay this many dB above it. Default 6. */
  continueDb?: number;
  /** The noise floor is taken as at most this, dBFS. Default −50. */
  maxFloorDb?: number;
  /** Speech frames must also reach this absolute level, dBFS (mean square of ±1 full scale = 0 dB). Default −70. */
  minLevelDb?: number;
  /** Segments shorter than this are ignored, ms. Default 60. */
  minSpeechMs?: number;
  /** Added before the start and after the end, ms. Default 10. */
  paddingMs?: number;
}

export interface SpeechSpan {
  /** First sample of speech. */
  start: number;
  /** One past the last sample of speech. */
  end: number;
}

const EPS = 1e-12; // energy floor for digital silence: −120 dB

function checkRate(sampleRate: number): void {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new ConfigError('bad-sample-rate', `sampleRate must be a positive number of Hz, got ${String(sampleRate)}`);
  }
}

function meanSquare(x: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return to > from ? s / (to - from) : 0;
}

function toDb(energy: number): number {
  return 10 * Math.log10(energy + EPS);
}

/** The spoken part of `samples`, or null when nothing stands out of the noise. */
export function findSpeech(samples: Float32Array, sampleRate: number, options: EndpointOptions = {}): SpeechSpan | null {
  checkRate(sampleRate);
  const hopMs = options.hopMs ?? 10;
  const windowMs = options.windowMs ?? 25;
  const percentile = options.floorPercentile ?? 10;
  const startDb = options.startDb ?? 12;
  const continueDb = options.continueDb ?? 6;
  const minLevelDb = options.minLevelDb ?? -70;
  const minSpeechMs = options.minSpeechMs ?? 60;
  const paddingMs = options.paddingMs ?? 10;
  if (!(hopMs > 0) || !(windowMs >= hopMs) || !(percentile >= 0 && percentile <= 100) || !(startDb >= continueDb) || !(minSpeechMs >= 0) || !(paddingMs >= 0)) {
    throw new ConfigError('bad-endpoint-options', 'endpoint options need hopMs > 0, windowMs ≥ hopMs, 0 ≤ floorPercentile ≤ 100, startDb ≥ continueDb and non-negative durations');
  }

  const n = samples.length;
  const hop = Math.max(1, Math.round((hopMs * sampleRate) / 1000));
  const win = Math.max(hop, Math.round((windowMs * sampleRate) / 1000));
  if (n < win) return null;
  const frames = 1 + Math.floor((n - win) / hop);

  // 1. frame energies, dB: frame f covers [f·hop, f·hop + win)
  const db = new Float64Array(frames); // (frames)
  for (let f = 0; f < frames; f++) db[f] = toDb(meanSquare(samples, f * hop, f * hop + win));

  // 2. noise floor
  const sorted = db.slice().sort();
  const at = (q: number): number => sorted[Math.min(frames - 1, Math.floor((q / 100) * (frames - 1)))];
  // Cap the floor only for a clip whose level moves as speech does: steady loud noise
  // (a fan, a hum) keeps its own floor and is not taken for a word.
  const rawFloor = at(percentile);
  const maxFloorDb = options.maxFloorDb ?? -50;
  const floor = rawFloor > maxFloorDb && at(90) - rawFloor >= 6 ? maxFloorDb : rawFloor;
  const onDb = Math.max(floor + startDb, minLevelDb);
  const offDb = Math.max(floor + continueDb, minLevelDb - (startDb - continueDb));

  // 3. hysteresis segments, keeping the first and last long enough
  const minFrames = Math.max(1, Math.ceil((minSpeechMs - windowMs) / hopMs) + 1);
  let first = -1, last = -1;
  for (let f = 0; f < frames;) {
    if (db[f] < onDb) { f++; continue; }
    let g = f;
    while (g + 1 < frames && db[g + 1] >= offDb) g++;
    if (g - f + 1 >= minFrames) {
      if (first < 0) first = f;
      last = g;
    }
    f = g + 1;
  }
  if (first < 0) return null;

  // 4. refine on blocks of hop/2 against the continue threshold, then pad
  const block = Math.max(1, hop >> 1);
  const offEnergy = 10 ** (offDb / 10);
  let start = first * hop;
  const startLimit = Math.min(n, first * hop + win);
  while (start + block <= startLimit && meanSquare(samples, start, start + block) < offEnergy) start += block;
  let end = Math.min(n, last * hop + win);
  const endLimit = last * hop;
  while (end - block >= endLimit && meanSquare(samples, end - block, end) < offEnergy) end -= block;
  if (end <= start) { start = first * hop; end = Math.min(n, last * hop + win); }

  const pad = Math.round((paddingMs * sampleRate) / 1000);
  return { start: Math.max(0, start - pad), end: Math.min(n, end + pad) };
}

/**
 * Exactly round(windowSeconds·sampleRate) samples with the speech centred: the clip is
 * shifted so the speech's centre (or, with no speech found, the clip's centre) lands at the
 * window's centre, zero-padded where the clip does not reach and cropped where it overhangs.
 */
export function centreInWindow(samples: Float32Array, sampleRate: number, windowSeconds = 1, options?: EndpointOptions): Float32Array {
  checkRate(sampleRate);
  if (!Number.isFinite(windowSeconds) || windowSeconds <= 0) {
    throw new ConfigError('bad-window', `windowSeconds must be positive, got ${String(windowSeconds)}`);
  }
  const length = Math.round(windowSeconds * sampleRate);
  const span = findSpeech(samples, sampleRate, options);
  const centre = span ? Math.floor((span.start + span.end) / 2) : Math.floor(samples.length / 2);
  const offset = centre - Math.floor(length / 2); // clip index of out[0]
  const out = new Float32Array(length);
  const from = Math.max(0, offset), to = Math.min(samples.length, offset + length);
  if (to > from) out.set(samples.subarray(from, to), from - offset);
  return out;
}
