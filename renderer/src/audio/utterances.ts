// Cutting a take into words: a take may hold one word or the same word said several
// times with pauses. Coarse segmentation here (10 ms energies against the take's noise
// floor, with hysteresis); each utterance is then trimmed and centred in the model's
// one-second window by core's endpointer (centreInWindow), the same code file import uses.
// Utterances that touch either end of the take were cut off and are left out.

import { centreInWindow } from '../../../core/audio/endpoint.js';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';

export interface Utterance {
  /** One second at 16 kHz, the speech centred. */
  samples: Float32Array;
  /** Where it was in the take, in samples. */
  start: number;
  end: number;
  /** Samples at or beyond full scale: the recording level was too high. */
  clipped: boolean;
}

const HOP = SAMPLE_RATE / 100; // 10 ms

export interface SplitResult {
  utterances: Utterance[];
  /** Utterances dropped because they ran into the start or end of the take. */
  cutOff: number;
}

export function isClipped(samples: Float32Array): boolean {
  let n = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i] >= 0.999 || samples[i] <= -0.999) n++;
  return n >= 3;
}

export function splitUtterances(take: Float32Array, windowSeconds = 1): SplitResult {
  const frames = Math.floor(take.length / HOP);
  if (frames < 10) return { utterances: [], cutOff: 0 };
  const db = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let s = 0;
    for (let i = f * HOP; i < (f + 1) * HOP; i++) s += take[i] * take[i];
    db[f] = 10 * Math.log10(s / HOP + 1e-12);
  }
  const sorted = Array.from(db).sort((a, b) => a - b);
  const floor = Math.min(sorted[Math.floor(0.1 * (frames - 1))], -50);
  const on = Math.max(floor + 12, -70), off = Math.max(floor + 6, -76);
  // hysteresis segments, then merge gaps under 250 ms (syllables of one word)
  const segments: Array<[number, number]> = [];
  for (let f = 0; f < frames;) {
    if (db[f] < on) { f++; continue; }
    let g = f;
    while (g + 1 < frames && db[g + 1] >= off) g++;
    segments.push([f, g + 1]);
    f = g + 1;
  }
  const merged: Array<[number, number]> = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if (last && s[0] - last[1] < 25) last[1] = s[1];
    else merged.push([s[0], s[1]]);
  }
  const utterances: Utterance[] = [];
  let cutOff = 0;
  const half = Math.round((windowSeconds * SAMPLE_RATE) / 2);
  for (const [a, b] of merged) {
    if (b - a < 8) continue; // under 80 ms: a click
    if (a === 0 || b >= frames - 1) { cutOff++; continue; }
    const start = a * HOP, end = b * HOP;
    // the utterance with up to half a window of context each side, never another word
    const prevEnd = utterances.length ? utterances[utterances.length - 1].end : 0;
    const from = Math.max(prevEnd, start - half, 0);
    const to = Math.min(take.length, end + half);
    const piece = take.subarray(from, to);
    utterances.push({ samples: centreInWindow(piece, SAMPLE_RATE, windowSeconds), start, end, clipped: isClipped(take.subarray(start, end)) });
  }
  return { utterances, cutOff };
}
