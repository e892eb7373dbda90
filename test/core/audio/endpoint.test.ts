// Endpointing on synthetic clips: speech-like bursts (an amplitude-modulated harmonic tone
// and a noise burst) at known places in low-level noise are found within ±20 ms, noise or
// silence alone gives null, and centreInWindow puts the burst's centre within ±10 ms of
// the window's centre at exactly the window's length, padding or cropping as needed.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { centreInWindow, findSpeech } from '../../../core/audio/endpoint.js';

const RATE = 16000;
const ms = (t: number): number => Math.round((t * RATE) / 1000);

/** A deterministic uniform generator in [−1, 1) (xorshift32). */
function noiseSource(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2147483648 - 1;
  };
}

/** `seconds` of noise at about `noiseDb` dBFS (mean square). */
function noiseClip(seconds: number, noiseDb: number, seed = 7): Float32Array {
  const rnd = noiseSource(seed);
  const x = new Float32Array(Math.round(seconds * RATE));
  const amp = Math.sqrt(3 * 10 ** (noiseDb / 10)); // uniform [−a, a) has mean square a²/3
  for (let i = 0; i < x.length; i++) x[i] = amp * rnd();
  return x;
}

type Kind = 'voiced' | 'noise';

/** Add a burst over [startMs, endMs): 5 ms raised-cosine ramps, a 4 Hz syllable-rate modulation. */
function addBurst(x: Float32Array, startMs: number, endMs: number, kind: Kind, amp = 0.3, seed = 11): void {
  const a = ms(startMs), b = ms(endMs), ramp = ms(5);
  const rnd = noiseSource(seed);
  for (let i = a; i < b && i < x.length; i++) {
    const t = (i - a) / RATE;
    let env = 1;
    if (i - a < ramp) env = 0.5 - 0.5 * Math.cos((Math.PI * (i - a)) / ramp);
    if (b - 1 - i < ramp) env = Math.min(env, 0.5 - 0.5 * Math.cos((Math.PI * (b - 1 - i)) / ramp));
    env *= 0.6 + 0.4 * Math.cos(2 * Math.PI * 4 * t);
    const v = kind === 'voiced'
      ? Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 280 * t) + 0.3 * Math.sin(2 * Math.PI * 700 * t)
      : rnd();
    x[i] += amp * env * v;
  }
}

describe('findSpeech', () => {
  const cases: Array<[number, number, Kind, number]> = [
    [300, 750, 'voiced', 0.3], [120, 400, 'noise', 0.2], [1000, 1450, 'voiced', 0.05], [50, 900, 'noise', 0.5], [1400, 1950, 'voiced', 0.3],
  ];
  for (const [startMs, endMs, kind, amp] of cases) {
    it(`finds a ${kind} burst at ${startMs}-${endMs} ms within ±20 ms`, () => {
      const x = noiseClip(2, -60);
      addBurst(x, startMs, endMs, kind, amp);
      const span = findSpeech(x, RATE);
      expect(span).not.toBeNull();
      expect(Math.abs(span!.start - ms(startMs))).toBeLessThanOrEqual(ms(20));
      expect(Math.abs(span!.end - ms(endMs))).toBeLessThanOrEqual(ms(20));
    });
  }

  it('spans two syllables separated by a pause', () => {
    const x = noiseClip(1.5, -55);
    addBurst(x, 200, 450, 'voiced');
    addBurst(x, 600, 900, 'noise', 0.1);
    const span = findSpeech(x, RATE)!;
    expect(Math.abs(span.start - ms(200))).toBeLessThanOrEqual(ms(20));
    expect(Math.abs(span.end - ms(900))).toBeLessThanOrEqual(ms(20));
  });

  it('ignores a click', () => {
    const x = noiseClip(1, -60);
    addBurst(x, 500, 515, 'noise', 0.5);
    expect(findSpeech(x, RATE)).toBeNull();
  });

  it('returns null for noise alone, digital silence and a too-short clip', () => {
    expect(findSpeech(noiseClip(1, -60), RATE)).toBeNull();
    expect(findSpeech(noiseClip(1, -30, 3), RATE)).toBeNull();
    expect(findSpeech(new Float32Array(RATE), RATE)).toBeNull();
    expect(findSpeech(new Float32Array(10), RATE)).toBeNull();
  });

  it('refuses a bad rate or options', () => {
    expect(() => findSpeech(new Float32Array(100), 0)).toThrow(ConfigError);
    expect(() => findSpeech(new Float32Array(100), RATE, { hopMs: 0 })).toThrow(ConfigError);
    expect(() => centreInWindow(new Float32Array(100), RATE, -1)).toThrow(ConfigError);
  });
});

describe('centreInWindow', () => {
  /** Centre of the burst in the output: the energy-weighted mean position. */
  function energyCentre(y: Float32Array): number {
    let s = 0, w = 0;
    for (let i = 0; i < y.length; i++) { const e = y[i] * y[i]; s += e * i; w += e; }
    return s / w;
  }

  const cases: Array<[number, number, number, Kind]> = [
    // clip seconds, burst start and end ms
    [0.8, 100, 400, 'voiced'],   // shorter clip, speech early: zero-padded
    [1, 600, 950, 'noise'],      // same length, speech late: shifted
    [2.5, 1700, 2200, 'voiced'], // longer clip: cropped around the speech
    [3, 200, 500, 'noise'],
  ];
  for (const [seconds, startMs, endMs, kind] of cases) {
    it(`centres a burst at ${startMs}-${endMs} ms of a ${seconds} s clip`, () => {
      const x = noiseClip(seconds, -70);
      addBurst(x, startMs, endMs, kind, 0.3);
      // symmetric envelope without the modulation's asymmetry: measure against the span's true centre
      const y = centreInWindow(x, RATE, 1);
      expect(y.length).toBe(RATE);
      const span = findSpeech(x, RATE)!;
      const offset = Math.floor((span.start + span.end) / 2) - RATE / 2; // clip index of y[0]
      const burstCentreInY = (ms(startMs) + ms(endMs)) / 2 - offset;
      expect(Math.abs(burstCentreInY - RATE / 2)).toBeLessThanOrEqual(ms(10));
      // and the samples really are the clip's, shifted
      const i = Math.round(burstCentreInY);
      expect(y[i]).toBe(x[i + offset]);
      // the burst's energy sits near the middle too (the 4 Hz modulation skews it a little)
      expect(Math.abs(energyCentre(y) - RATE / 2)).toBeLessThan(ms(60));
    });
  }

  it('crops a clip longer than the window around the speech', () => {
    const x = noiseClip(3, -70);
    addBurst(x, 2400, 2700, 'voiced');
    const y = centreInWindow(x, RATE, 1);
    expect(y.length).toBe(RATE);
    // the whole burst is inside: 2550 ms sits at 500 ms ± 10, so 2400..2700 is at 350..650
    let inside = 0;
    for (let i = ms(340); i < ms(660); i++) inside += y[i] * y[i];
    let total = 0;
    for (let i = 0; i < y.length; i++) total += y[i] * y[i];
    expect(inside / total).toBeGreaterThan(0.999);
  });

  it('uses the clip centre when there is no speech, at any window length', () => {
    const x = noiseClip(2, -60);
    const y = centreInWindow(x, RATE, 1.5);
    expect(y.length).toBe(ms(1500));
    expect(y[0]).toBe(x[ms(1000) - ms(750)]);
    const short = noiseClip(0.5, -60);
    const z = centreInWindow(short, RATE, 1);
    expect(z.length).toBe(RATE);
    expect(z[0]).toBe(0);
    expect(z[RATE / 2]).toBe(short[ms(250)]);
    expect(z[RATE - 1]).toBe(0);
  });
});
