// The Listen screen's detector settings (the model's calibrated thresholds or one of the
// user's, smoothing, refractory time, word end):
// their sliders' ranges, and the reading of stored ones (kept by settings.ts). Read values
// are checked against the sliders' ranges: anything else (an older version's value, a
// hand edit) falls back to the detector's default for that setting alone.
import { DEFAULT_MAX_TRAILING_SILENCE_MS, DEFAULT_REFRACTORY_MS, DEFAULT_THRESHOLD } from '../../../core/kws/decision.js';
import { DEFAULT_HOP_MS, DEFAULT_SMOOTHING_MS } from '../../../core/kws/detector.js';

export interface DetectorSettings {
  /** Whether `threshold` applies to every word; otherwise each word's calibrated threshold (the model's), where it has them. */
  ownThreshold: boolean;
  threshold: number;
  smoothingMs: number;
  refractoryMs: number;
  maxTrailingSilenceMs: number;
}

type SliderSetting = Exclude<keyof DetectorSettings, 'ownThreshold'>;

/** Each setting's slider: its range and step (ListenScreen.vue's sliders use these). */
export const DETECTOR_RANGES: Readonly<Record<SliderSetting, { min: number; max: number; step: number }>> = {
  threshold: { min: 0.5, max: 0.99, step: 0.01 },
  smoothingMs: { min: DEFAULT_HOP_MS, max: 1000, step: DEFAULT_HOP_MS },
  refractoryMs: { min: 0, max: 3000, step: 50 },
  maxTrailingSilenceMs: { min: 100, max: 1000, step: 50 },
};

export const DEFAULT_DETECTOR_SETTINGS: Readonly<DetectorSettings> = Object.freeze({
  ownThreshold: false,
  threshold: DEFAULT_THRESHOLD,
  smoothingMs: DEFAULT_SMOOTHING_MS,
  refractoryMs: DEFAULT_REFRACTORY_MS,
  maxTrailingSilenceMs: DEFAULT_MAX_TRAILING_SILENCE_MS,
});

/** Settings from stored text: each valid value kept, each missing or invalid one the default. */
export function parseDetectorSettings(text: string | null): DetectorSettings {
  let stored: unknown = null;
  try { stored = text === null ? null : JSON.parse(text); } catch { /* not JSON: defaults */ }
  const out: DetectorSettings = { ...DEFAULT_DETECTOR_SETTINGS };
  if (typeof stored !== 'object' || stored === null) return out;
  if (typeof (stored as Record<string, unknown>).ownThreshold === 'boolean') out.ownThreshold = (stored as { ownThreshold: boolean }).ownThreshold;
  for (const key of Object.keys(DETECTOR_RANGES) as SliderSetting[]) {
    const v = (stored as Record<string, unknown>)[key];
    const { min, max, step } = DETECTOR_RANGES[key];
    // On the slider's grid (within rounding), so the slider can show it.
    if (typeof v === 'number' && v >= min && v <= max && Math.abs((v - min) / step - Math.round((v - min) / step)) < 1e-6) out[key] = v;
  }
  return out;
}
