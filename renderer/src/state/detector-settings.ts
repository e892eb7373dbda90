// The Listen screen's detector settings (the model's calibrated thresholds or one of the
// user's, smoothing, refractory time, word end): which declared options
// (core/kws/options.ts) get a slider, and the reading of stored ones (kept by settings.ts).
// Read values are checked against the options' ranges and the sliders' grid: anything else
// (an older version's value, a hand edit) falls back to the option's default alone.
import { DETECTOR_OPTIONS, type NumericOption } from '../../../core/kws/options.js';

export interface DetectorSettings {
  /** Whether `threshold` applies to every word; otherwise each word's calibrated threshold (the model's), where it has them. */
  ownThreshold: boolean;
  threshold: number;
  smoothingMs: number;
  refractoryMs: number;
  maxTrailingSilenceMs: number;
}

export type SliderSetting = Exclude<keyof DetectorSettings, 'ownThreshold'>;

/** The options the Listen screen has a slider for, in its order (DetectorControls.vue renders these). */
export const DETECTOR_SLIDERS: readonly (NumericOption & { key: SliderSetting })[] = [
  DETECTOR_OPTIONS.threshold, DETECTOR_OPTIONS.smoothingMs, DETECTOR_OPTIONS.refractoryMs, DETECTOR_OPTIONS.maxTrailingSilenceMs,
];

export const DEFAULT_DETECTOR_SETTINGS: Readonly<DetectorSettings> = Object.freeze({
  ownThreshold: false,
  ...Object.fromEntries(DETECTOR_SLIDERS.map((o) => [o.key, o.default])) as Record<SliderSetting, number>,
});

/** Whether a slider can show v: in the option's range and on its grid (within rounding). */
export function onSlider(option: NumericOption, v: unknown): v is number {
  if (typeof v !== 'number' || !(v >= option.min && v <= option.max)) return false;
  const steps = (v - option.min) / option.step;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

/** Settings from stored text: each valid value kept, each missing or invalid one the default. */
export function parseDetectorSettings(text: string | null): DetectorSettings {
  let stored: unknown = null;
  try { stored = text === null ? null : JSON.parse(text); } catch { /* not JSON: defaults */ }
  const out: DetectorSettings = { ...DEFAULT_DETECTOR_SETTINGS };
  if (typeof stored !== 'object' || stored === null) return out;
  if (typeof (stored as Record<string, unknown>).ownThreshold === 'boolean') out.ownThreshold = (stored as { ownThreshold: boolean }).ownThreshold;
  for (const option of DETECTOR_SLIDERS) {
    const v = (stored as Record<string, unknown>)[option.key];
    if (onSlider(option, v)) out[option.key] = v;
  }
  return out;
}
