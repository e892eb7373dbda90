// Settings the screens share: the chosen microphone, the theme, the speaker's name and the
// detector's settings. Kept in localStorage (nothing sensitive), read once at start.

import { reactive, ref, watch } from 'vue';
import { DEFAULT_DETECTOR_SETTINGS, parseDetectorSettings } from './detector-settings';

export type Theme = 'system' | 'light' | 'dark';

function stored(key: string, fallback: string): string {
  try { return localStorage.getItem(key) ?? fallback; } catch { return fallback; }
}

/** The microphone's deviceId; empty for the system default. */
export const selectedDevice = ref(stored('hark.device', ''));
export const theme = ref<Theme>(stored('hark.theme', 'system') as Theme);
/** The name recorded clips are filed under (speaker-disjoint splits use it). */
export const speakerName = ref(stored('hark.speaker', 'me'));
/** The Listen screen's threshold, smoothing, refractory time and word end (checked as read). */
export const detectorSettings = reactive(parseDetectorSettings(stored('hark.detector', '')));

function persist(key: string, value: string): void {
  try { localStorage.setItem(key, value); } catch { /* private mode: not kept */ }
}

watch(selectedDevice, (v) => persist('hark.device', v));
watch(speakerName, (v) => persist('hark.speaker', v));
watch(detectorSettings, (v) => persist('hark.detector', JSON.stringify(v)));
watch(theme, (v) => {
  persist('hark.theme', v);
  applyTheme(v);
});

/** Puts the detector settings back to the detector's own defaults. */
export function resetDetectorSettings(): void {
  Object.assign(detectorSettings, DEFAULT_DETECTOR_SETTINGS);
}

export function applyTheme(v: Theme = theme.value): void {
  if (v === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = v;
}
