import { describe, expect, it } from 'vitest';
import { findSpeech } from '../../../core/audio/endpoint.js';
import type { PosteriorStep } from '../../../core/kws/detector.js';
import type { KwsClip } from '../../../core/kws/examples.js';
import { composeDenseStream, composeStream, evaluateStream, matchDetections, operatingPoints, sweepThresholds, type StreamEvent } from '../../../core/kws/stream-eval.js';
import { audioWithBursts, BURST_CONFIG, BURST_LABELS, BurstEngine } from './burst-stand-in.js';
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

/** A "word": 0.1 s silence, `ms` of seeded noise (it correlates with itself only where it was put), 0.1 s silence. */
function burstClip(label: string, ms: number, seed: number, speaker = 's'): KwsClip {
  const pad = 1600, n = Math.round((ms / 1000) * 16000), rng = new Random(seed);
  const x = new Float32Array(n + 2 * pad);
  for (let i = 0; i < n; i++) x[pad + i] = 0.1 * rng.normal();
  return { label, speaker, samples: x };
}

/** A "sentence" of `seconds`: 250 ms syllables of seeded noise, each followed by 100 ms of silence. */
function sentenceClip(label: string, seconds: number, seed: number): KwsClip {
  const rng = new Random(seed), x = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < x.length; i++) if (i % 5600 < 4000) x[i] = 0.1 * rng.normal();
  return { label, speaker: label, samples: x };
}

/** Least-squares gain of x in y, their correlation, and the SNR of g·x over the rest of y (dB). */
function fit(y: Float32Array, x: Float32Array): { corr: number; snr: number } {
  let xy = 0, xx = 0, yy = 0;
  for (let i = 0; i < x.length; i++) { xy += x[i] * y[i]; xx += x[i] * x[i]; yy += y[i] * y[i]; }
  const g = xy / xx, rest = yy - 2 * g * xy + g * g * xx;
  return { corr: xy / Math.sqrt(xx * yy), snr: 10 * Math.log10((g * g * xx) / rest) };
}

const spokenPart = (c: KwsClip): Float32Array => {
  const s = findSpeech(c.samples, 16000) as { start: number; end: number };
  return c.samples.subarray(s.start, s.end);
};

describe('composeDenseStream', () => {
  const keywords = [burstClip('yes', 400, 1), burstClip('no', 500, 2), burstClip('up', 300, 3)];
  const fillers = [
    { name: 'few', clips: [burstClip('a', 450, 4), burstClip('b', 600, 5)] },
    { name: 'many', clips: [burstClip('c', 500, 6), burstClip('d', 350, 7)], weight: 3 },
  ];
  // white noise: pink's slow swings would move the level measured under a word by ±2 dB
  const options = { keywords, repeats: 3, fillers, fillerKind: 'words' as const, durationSeconds: 120, snrDb: [15, 25] as [number, number], noise: 'white' as const, seed: 4 };
  const dense = composeDenseStream(options);
  const byLabel = new Map([...keywords, ...fillers.flatMap((p) => p.clips)].map((c) => [c.label, c]));

  it('inserts every keyword clip exactly `repeats` times, with its pauses, among words about one a second', () => {
    expect(dense.samples.length).toBe(120 * 16000);
    for (const k of keywords) expect(dense.events.filter((e) => e.keyword && e.label === k.label)).toHaveLength(3);
    const e = dense.events;
    for (let i = 0; i < e.length; i++) {
      expect(e[i].end).toBeGreaterThan(e[i].start);
      expect(e[i].end).toBeLessThanOrEqual(120);
      if (i === 0) continue;
      // fillers 0.1–0.4 s apart; a keyword 0.4–1 s from each neighbour (both pauses when no filler fitted between)
      expect(e[i].start - e[i - 1].end).toBeGreaterThanOrEqual((e[i].keyword || e[i - 1].keyword ? 0.4 : 0.1) - 1e-9);
      expect(e[i].start - e[i - 1].end).toBeLessThanOrEqual(e[i].keyword || e[i - 1].keyword ? 2 + 1e-9 : 0.4 + 1e-9);
    }
    const others = e.filter((x) => !x.keyword);
    expect(others.length / 120).toBeGreaterThan(0.8); // about one a second, keywords and their pauses aside
    expect(others.every((x) => x.source === (x.label === 'a' || x.label === 'b' ? 'few' : 'many'))).toBe(true);
    const many = others.filter((x) => x.source === 'many').length / others.length; // weight 3 of 4
    expect(many).toBeGreaterThan(0.6);
    expect(many).toBeLessThan(0.9);
  });

  it('has each clip\'s spoken part where its event says, at the SNR asked for', () => {
    for (const e of dense.events) {
      const x = spokenPart(byLabel.get(e.label) as KwsClip);
      const a = Math.round(e.start * 16000);
      expect(Math.round(e.end * 16000) - a).toBe(x.length);
      const here = fit(dense.samples.subarray(a, a + x.length), x);
      expect(here.corr).toBeGreaterThan(0.97); // 0.985 at 15 dB
      expect(here.snr).toBeGreaterThan(14.5);
      expect(here.snr).toBeLessThan(25.5);
      // and nowhere else: 10 ms off, it is noise to itself
      expect(Math.abs(fit(dense.samples.subarray(a + 160, a + 160 + x.length), x).corr)).toBeLessThan(0.2);
    }
  });

  it('counts the other words it put in', () => {
    expect(dense.otherWords).toBe(dense.events.filter((e) => !e.keyword).length);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = composeDenseStream(options);
    expect(again.events).toEqual(dense.events);
    expect(again.samples).toEqual(dense.samples);
    expect(composeDenseStream({ ...options, seed: 5 }).events).not.toEqual(dense.events);
  });

  it('without keywords, is other speech alone from start to end (room audio to mine from)', () => {
    const room = composeDenseStream({ ...options, keywords: [], durationSeconds: 30 });
    expect(room.samples.length).toBe(30 * 16000);
    expect(room.events.length).toBeGreaterThan(20); // about one word a second
    expect(room.events.every((e) => !e.keyword)).toBe(true);
    expect(room.events.at(-1)!.end).toBeGreaterThan(28.5); // filled to the end, not stopped at a keyword that never comes
  });

  it('refuses a stream too short for its keywords', () => {
    expect(() => composeDenseStream({ ...options, durationSeconds: 10 })).toThrow(/keyword insertions need/);
  });

  describe('with continuous speech', () => {
    const sentences = [sentenceClip('s1', 8, 11), sentenceClip('s2', 6.3, 12), sentenceClip('s3', 9.1, 13)];
    const speech = composeDenseStream({ keywords, repeats: 4, fillers: [{ name: 'sentences', clips: sentences }], fillerKind: 'speech', durationSeconds: 120, snrDb: [20, 30], seed: 9 });
    const pieces = speech.events.filter((e) => !e.keyword);

    it('plays the recordings in order, looped, cut only in their pauses, with the keywords between the pieces', () => {
      for (const k of keywords) expect(speech.events.filter((e) => e.keyword && e.label === k.label)).toHaveLength(4);
      // more speech than the recordings hold: they loop
      expect(pieces.reduce((a, e) => a + e.end - e.start, 0)).toBeGreaterThan(8 + 6.3 + 9.1);
      const cursor = new Map(sentences.map((c) => [c.label, 0]));
      let cuts = 0;
      for (const e of pieces) {
        const rec = (sentences.find((c) => c.label === e.label) as KwsClip).samples;
        const a = Math.round(e.start * 16000), len = Math.round(e.end * 16000) - a;
        const from = cursor.get(e.label) as number;
        // each piece is the recording from where its last piece ended
        expect(fit(speech.samples.subarray(a, a + len), rec.subarray(from, from + len)).corr).toBeGreaterThan(0.98); // 0.99 at 20 dB
        expect(e.source).toBe('sentences');
        const to = from + len;
        if (to < rec.length) {
          cuts++;
          const next = speech.events[speech.events.indexOf(e) + 1]; // a keyword is why it was cut (or the stream's end)
          if (next) expect(next.keyword).toBe(true);
          expect(to - from).toBeGreaterThanOrEqual(16000); // no piece under a second is cut off
          for (let i = to - 160; i < to + 160; i++) expect(rec[i]).toBe(0); // cut inside a pause
        }
        cursor.set(e.label, to === rec.length ? 0 : to);
      }
      expect(cuts).toBeGreaterThan(5);
    });

    it('estimates the other words from the seconds of speech', () => {
      const seconds = pieces.reduce((a, e) => a + Math.round(e.end * 16000) - Math.round(e.start * 16000), 0) / 16000;
      expect(speech.otherWords).toBeCloseTo(seconds * 2.5, 6);
    });
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

describe('operatingPoints', () => {
  const labels = ['yes', 'no', '_background_'];
  const events: StreamEvent[] = [{ label: 'yes', speaker: 's', start: 5, end: 5.5, keyword: true }];
  // 'yes' peaks at 0.8 just after the word; 'no' at 0.7 on a noise burst at 20 s heard 0.6 s after its speech ended
  const steps: PosteriorStep[] = [];
  for (let t = 0; t < 3600; t += 0.05) {
    const yes = t > 5.5 && t < 5.8 ? 0.8 : 0.05, no = t > 20 && t < 20.2 ? 0.7 : 0.05;
    steps.push({ time: t, smoothed: Float32Array.of(yes, no, 1 - yes - no), trailingSilence: t > 20 && t < 20.2 ? 0.6 : 0 });
  }

  it('replays every word at once at each threshold and word-end limit', () => {
    const at = operatingPoints(steps, labels, events, 3600, [
      { threshold: 0.9, maxTrailingSilenceMs: 300 }, { threshold: 0.75, maxTrailingSilenceMs: 300 },
      { threshold: 0.65, maxTrailingSilenceMs: 300 }, { threshold: 0.65, maxTrailingSilenceMs: 800 },
      { threshold: { yes: 0.75, no: 0.65 }, maxTrailingSilenceMs: 800 },
    ]);
    expect(at.map((p) => [p.hits, p.falseActivations])).toEqual([[0, 0], [1, 0], [1, 0], [1, 1], [1, 1]]);
    expect(at[0]).toMatchObject({ occurrences: 1, hours: 1, threshold: 0.9, maxTrailingSilenceMs: 300 });
  });

  it('agrees with the detector it replays, at the detector\'s own settings', async () => {
    const audio = audioWithBursts(30, [[2, 2.4], [9, 9.3], [17, 17.5]]);
    const stream = { samples: audio, events: [{ label: 'beep', speaker: 's', start: 2, end: 2.4, keyword: true }, { label: 'beep', speaker: 's', start: 17, end: 17.5, keyword: true }], otherWords: 0 };
    const model = { labels: BURST_LABELS, features: BURST_CONFIG };
    const run = await evaluateStream(new BurstEngine(), model, stream, { operatingSettings: [{ threshold: 0.9, maxTrailingSilenceMs: 300 }, { threshold: 0.99, maxTrailingSilenceMs: 300 }] });
    expect(run.metrics.hits).toBe(2);
    expect(run.metrics.falseActivations).toBe(1); // the burst at 9 s
    expect(run.operating[0]).toMatchObject({ hits: run.metrics.hits, falseActivations: run.metrics.falseActivations });
    expect(run.operating[1]).toMatchObject({ hits: 0, falseActivations: 0 }); // the stand-in never says more than 0.98
  });
});
