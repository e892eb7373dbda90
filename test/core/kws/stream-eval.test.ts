import { describe, expect, it } from 'vitest';
import type { PosteriorStep } from '../../../core/kws/detector.js';
import type { KwsClip } from '../../../core/kws/examples.js';
import { composeStream, matchDetections, sweepThresholds, type StreamEvent } from '../../../core/kws/stream-eval.js';
import { Random } from '../../../core/tensor/random.js';

/** A "word": 0.1 s silence, a tone of `ms` milliseconds, 0.1 s silence. */
function toneClip(label: string, hz: number, ms: number): KwsClip {
  const pad = 1600, n = Math.round((ms / 1000) * 16000);
  const x = new Float32Array(n + 2 * pad);
  for (let i = 0; i < n; i++) x[pad + i] = 0.3 * Math.sin((2 * Math.PI * hz * i) / 16000);
  return { label, speaker: 's', samples: x };
}

describe('composeStream', () => {
  const keywords = [toneClip('yes', 500, 300), toneClip('no', 900, 400)];
  const fillers = [toneClip('other', 1500, 350)];
  const stream = composeStream({ keywords, fillers, background: [], durationSeconds: 120, seed: 5 });

  it('puts words one after another, apart, inside the stream, and says where', () => {
    expect(stream.samples.length).toBe(120 * 16000);
    expect(stream.events.length).toBeGreaterThan(30);
    for (let i = 0; i < stream.events.length; i++) {
      const e = stream.events[i];
      expect(e.end).toBeGreaterThan(e.start);
      expect(e.end).toBeLessThanOrEqual(120);
      if (i > 0) expect(e.start - stream.events[i - 1].end).toBeGreaterThanOrEqual(1 - 1e-9);
      expect(e.keyword).toBe(e.label !== 'other');
    }
  });

  it('has the word audio where an event says, at 10–20 dB over the bed around it', () => {
    const level = (a: number, b: number): number => {
      let sum = 0;
      for (let i = a; i < b; i++) sum += stream.samples[i] ** 2;
      return 10 * Math.log10(sum / (b - a));
    };
    for (const e of stream.events) {
      const a = Math.round(e.start * 16000), b = Math.round(e.end * 16000);
      const snr = level(a, b) - level(a - 8000, a - 800); // bed: the half second before
      expect(snr).toBeGreaterThan(9);
      expect(snr).toBeLessThan(21);
      // and the word ends where the event says: the half second after it is quiet again
      expect(level(a, b) - level(b + 16, b + 7200)).toBeGreaterThan(7);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = composeStream({ keywords, fillers, background: [], durationSeconds: 120, seed: 5 });
    expect(again.events).toEqual(stream.events);
    const other = composeStream({ keywords, fillers, background: [], durationSeconds: 120, seed: 6 });
    expect(other.events).not.toEqual(stream.events);
  });

  it('mixes roughly the asked share of keywords', () => {
    const long = composeStream({ keywords, fillers, background: [], durationSeconds: 600, seed: 2, keywordShare: 0.3 });
    const share = long.events.filter((e) => e.keyword).length / long.events.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.38);
  });

  it('uses background recordings as the bed when given', () => {
    const bed = new Float32Array(16000 * 3);
    const rng = new Random(1);
    for (let i = 0; i < bed.length; i++) bed[i] = rng.normal() * 0.05;
    const s = composeStream({ keywords, fillers: [], background: [bed], durationSeconds: 20, seed: 1 });
    // the bed is scaled to −40 dBFS: before the first word there is only bed
    const first = Math.round(s.events[0].start * 16000);
    let sum = 0;
    for (let i = 0; i < first; i++) sum += s.samples[i] ** 2;
    expect(Math.sqrt(sum / first)).toBeCloseTo(0.01, 3);
  });
});

describe('matchDetections', () => {
  const events: StreamEvent[] = [
    { label: 'yes', speaker: 's', start: 10, end: 10.5, keyword: true },
    { label: 'no', speaker: 's', start: 20, end: 20.4, keyword: true },
    { label: 'other', speaker: 's', start: 30, end: 30.5, keyword: false },
    { label: 'yes', speaker: 's', start: 40, end: 40.5, keyword: true },
  ];
  const det = (label: string, time: number) => ({ label, time, score: 0.9, startTime: time - 0.5, endTime: time });

  it('counts hits, misses, wrong words, fillers and repeats as worked out by hand', () => {
    const m = matchDetections([
      det('yes', 10.7),  // hit, latency 0.2
      det('yes', 10.9),  // second firing on the same word: false
      det('yes', 20.3),  // wrong word: false (and 'no' is missed)
      det('no', 30.4),   // on a filler: false
      det('yes', 41.6),  // 1.1 s after the end: too late, false (and missed)
    ], events, 3600, ['yes', 'no']);
    expect(m.occurrences).toBe(3);
    expect(m.hits).toBe(1);
    expect(m.recall).toBeCloseTo(1 / 3, 12);
    expect(m.falseActivations).toBe(4);
    expect(m.falseActivationsPerHour).toBeCloseTo(4, 12);
    expect(m.latencies).toHaveLength(1);
    expect(m.latencies[0]).toBeCloseTo(0.2, 9);
    expect(m.perWord).toEqual([
      { label: 'yes', occurrences: 2, hits: 1, recall: 0.5, falseActivations: 3 },
      { label: 'no', occurrences: 1, hits: 0, recall: 0, falseActivations: 1 },
    ]);
  });

  it('takes the median latency of the hits', () => {
    const m = matchDetections([det('yes', 10.6), det('no', 20.7), det('yes', 40.9)], events, 1800, ['yes', 'no']);
    expect(m.recall).toBe(1);
    expect(m.falseActivationsPerHour).toBe(0);
    expect(m.medianLatency).toBeCloseTo(0.3, 9);
  });
});

describe('sweepThresholds', () => {
  it('finds the thresholds where a word is heard and nothing else fires', () => {
    const labels = ['yes', '_background_'];
    const events: StreamEvent[] = [{ label: 'yes', speaker: 's', start: 5, end: 5.5, keyword: true }];
    // 'yes' peaks at 0.9 right after the word and at 0.6 on a noise burst at 20 s
    const steps: PosteriorStep[] = [];
    for (let t = 0; t < 3600; t += 0.05) {
      const yes = t > 5.5 && t < 5.8 ? 0.9 : t > 20 && t < 20.2 ? 0.6 : 0.05;
      steps.push({ time: t, smoothed: Float32Array.of(yes, 1 - yes), trailingSilence: 0 });
    }
    const [sweep] = sweepThresholds(steps, labels, events, 3600, { targetPerHour: 0.5 });
    const at = (th: number) => sweep.points.find((p) => p.threshold === th);
    expect(at(0.5)).toEqual({ threshold: 0.5, recall: 1, falseActivationsPerHour: 1 });
    expect(at(0.65)).toEqual({ threshold: 0.65, recall: 1, falseActivationsPerHour: 0 });
    expect(at(0.95)).toEqual({ threshold: 0.95, recall: 0, falseActivationsPerHour: 0 });
    expect(sweep.suggested).toBe(0.65);
  });
});
