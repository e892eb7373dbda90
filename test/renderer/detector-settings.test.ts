// parseDetectorSettings: stored detector settings are kept when each is on its slider's
// range and grid; anything else falls back to the detector's default, per setting.
import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_SETTINGS, parseDetectorSettings } from '../../renderer/src/state/detector-settings.js';
import { DEFAULT_THRESHOLD } from '../../core/kws/decision.js';

describe('parseDetectorSettings', () => {
  it('gives the detector\'s own defaults when nothing (or junk) is stored', () => {
    expect(DEFAULT_DETECTOR_SETTINGS.threshold).toBe(DEFAULT_THRESHOLD);
    for (const text of [null, '', 'not json', '42', 'null', '[]']) expect(parseDetectorSettings(text)).toEqual(DEFAULT_DETECTOR_SETTINGS);
  });

  it('keeps valid settings', () => {
    const s = { ownThreshold: true, threshold: 0.75, smoothingMs: 200, refractoryMs: 1500, maxTrailingSilenceMs: 1000 };
    expect(parseDetectorSettings(JSON.stringify(s))).toEqual(s);
  });

  it('uses the model\'s calibrated thresholds unless the user chose one of their own (an older version\'s settings included)', () => {
    expect(DEFAULT_DETECTOR_SETTINGS.ownThreshold).toBe(false);
    expect(parseDetectorSettings(JSON.stringify({ threshold: 0.75 })).ownThreshold).toBe(false);
    expect(parseDetectorSettings(JSON.stringify({ ownThreshold: 'yes' })).ownThreshold).toBe(false);
  });

  it('replaces each out-of-range, off-grid or mistyped setting by its default, and keeps the others', () => {
    const parsed = parseDetectorSettings(JSON.stringify({ threshold: 1.5, smoothingMs: 75, refractoryMs: '500', maxTrailingSilenceMs: 400 }));
    expect(parsed).toEqual({ ...DEFAULT_DETECTOR_SETTINGS, maxTrailingSilenceMs: 400 });
    expect(parseDetectorSettings(JSON.stringify({ threshold: 0.83 })).threshold).toBe(0.83); // 0.5 + 33 steps of 0.01, within rounding
  });
});
