// Mining's detection windows, with a stand-in engine that "hears" a word once a loud burst
// has entered the window and ended: each detection must come back with exactly the second
// of audio that ended at its decision, however the audio was fed.
import { describe, expect, it } from 'vitest';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { HarkError } from '../../../core/errors.js';
import { KeywordDetector, type Detection } from '../../../core/kws/detector.js';
import { windowLength } from '../../../core/kws/examples.js';
import { DetectionWindows, MINING_KEEP_SECONDS, type MinedWindow } from '../../../core/kws/mining.js';
import { audioWithBursts, BURST_CONFIG, BURST_LABELS, BurstEngine } from './burst-stand-in.js';

const config = BURST_CONFIG;
const W = windowLength(config);
const labels = BURST_LABELS;

const detector = (): KeywordDetector => new KeywordDetector(new BurstEngine(), { labels, features: config }, { smoothingMs: 0, threshold: 0.8 });

/** The W samples of `audio` before `time`, zeros before its start. */
function expectedWindow(audio: Float32Array, time: number): Float32Array {
  const end = Math.round(time * SAMPLE_RATE), w = new Float32Array(W);
  for (let i = 0; i < W; i++) if (end - W + i >= 0) w[i] = audio[end - W + i];
  return w;
}

const at = (time: number): Detection => ({ label: 'beep', score: 0.95, startTime: time - 0.5, endTime: time - 0.2, time });

describe('DetectionWindows', () => {
  const bursts: [number, number][] = [[1.5, 1.9], [4.0, 4.3], [7.2, 7.5]];
  const audio = audioWithBursts(9, bursts);

  it('returns each detection with the model\'s window that ended at its decision', async () => {
    const windows = new DetectionWindows(detector());
    const found: MinedWindow[] = [];
    for (let i = 0; i < audio.length; i += 1600) found.push(...await windows.push(audio.subarray(i, i + 1600)));
    expect(found).toHaveLength(bursts.length);
    expect(windows.heard).toBe(audio.length);
    found.forEach(({ detection, window }, k) => {
      expect(detection.time).toBeGreaterThan(bursts[k][1]);
      expect(window).toHaveLength(W);
      expect(window).toEqual(expectedWindow(audio, detection.time));
    });
    // the window holds the burst that fired it: its loud part ends before the window does
    let loud = -1;
    found[0].window.forEach((v, i) => { if (Math.abs(v) > 0.1) loud = i; });
    expect(loud).toBeGreaterThan(0);
    expect(loud).toBeLessThan(W - 0.1 * SAMPLE_RATE);
  });

  it('gives the same windows whatever the chunk size, the whole audio at once too', async () => {
    const reference = await new DetectionWindows(detector()).push(audio);
    expect(reference).toHaveLength(bursts.length);
    for (const chunk of [37, 4000, 3 * SAMPLE_RATE + 1]) {
      const windows = new DetectionWindows(detector());
      const got: MinedWindow[] = [];
      for (let i = 0; i < audio.length; i += chunk) got.push(...await windows.push(audio.subarray(i, i + chunk)));
      expect(got).toEqual(reference);
    }
  });

  it('gives the same windows when something else feeds the detector and it only records', async () => {
    const reference = await new DetectionWindows(detector()).push(audio);
    const d = detector();
    const windows = new DetectionWindows(d);
    const got: MinedWindow[] = [];
    for (let i = 0; i < audio.length; i += 1600) {
      const chunk = audio.subarray(i, i + 1600);
      windows.record(chunk); // before the detector hears it, as detectFile's onAudio
      for (const detection of await d.pushAudio(chunk)) got.push({ detection, window: windows.windowOf(detection) });
    }
    expect(got).toEqual(reference);
  });

  it('fills with zeros what came before the audio began and what is no longer kept', () => {
    const windows = new DetectionWindows(detector(), 2); // 2 s kept
    windows.record(audio.subarray(0, 0.4 * SAMPLE_RATE));
    const early = windows.windowOf(at(0.4));
    expect(early).toEqual(expectedWindow(audio, 0.4)); // 0.6 s of zeros, then the first 0.4 s
    expect(early.subarray(0, 0.6 * SAMPLE_RATE).every((v) => v === 0)).toBe(true);
    windows.record(audio.subarray(0.4 * SAMPLE_RATE, 5 * SAMPLE_RATE));
    // decided at 3.5 s, asked at 5 s with 2 s kept: [2.5, 3) is gone, [3, 3.5) is still there
    const late = windows.windowOf(at(3.5));
    expect(late.subarray(0, SAMPLE_RATE / 2).every((v) => v === 0)).toBe(true);
    expect(late.subarray(SAMPLE_RATE / 2)).toEqual(audio.subarray(3 * SAMPLE_RATE, 3.5 * SAMPLE_RATE));
    // a decision time past what was heard ends at what was heard
    expect(windows.windowOf(at(6))).toEqual(expectedWindow(audio, 5));
  });

  it('keeps MINING_KEEP_SECONDS by default, and refuses to keep nothing', () => {
    const windows = new DetectionWindows(detector());
    windows.record(audio.subarray(0, 6 * SAMPLE_RATE));
    const decided = 6 - MINING_KEEP_SECONDS + 0.5; // half its window is older than what is kept
    const w = windows.windowOf(at(decided));
    expect(w.subarray(0, SAMPLE_RATE / 2).every((v) => v === 0)).toBe(true);
    expect(w.subarray(SAMPLE_RATE / 2)).toEqual(expectedWindow(audio, decided).subarray(SAMPLE_RATE / 2));
    for (const keep of [0, -1, Number.NaN]) {
      let err: unknown;
      try { new DetectionWindows(detector(), keep); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(HarkError);
      expect((err as HarkError).code).toBe('bad-mining-option');
    }
  });
});
