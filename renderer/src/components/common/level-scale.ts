// The input level meter's scale (LevelMeter.vue): levels in dBFS (decibels below digital
// full scale, where 0 dBFS is the loudest sample a recording can hold), from FLOOR_DB up.

/** The quietest level the meter shows: the left end of its bar. */
export const FLOOR_DB = -60;
/**
 * A peak at or above this (−0.18 dBFS) is shown as clipping: the sound was at, or within a
 * hair of, the loudest a recording can hold, so its peaks are likely cut flat.
 */
export const CLIP_PEAK = 0.98;
/** The scale printed under the bar, in dBFS. */
export const SCALE_TICKS: readonly number[] = [-60, -40, -20, -10, 0];

/** A linear amplitude (0…1) in dBFS; silence is FLOOR_DB. */
export function toDbfs(amplitude: number): number {
  return Math.max(FLOOR_DB, 20 * Math.log10(Math.max(amplitude, 1e-9)));
}

/** Where a level in dBFS falls along the bar, 0 (FLOOR_DB) to 1 (0 dBFS). */
export function barFraction(db: number): number {
  return Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB));
}

export const isClipping = (peak: number): boolean => peak >= CLIP_PEAK;

/** What a screen reader hears: "−23 dBFS, peak −12 dBFS" (", clipping" when a peak clipped since the last). */
export function levelText(rmsDb: number, peakDb: number, clipped: boolean): string {
  return `${Math.round(rmsDb)} dBFS, peak ${Math.round(peakDb)} dBFS${clipped ? ', clipping: too loud' : ''}`;
}
