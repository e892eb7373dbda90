// Settings the screens share: the chosen microphone and the theme. Kept in localStorage
// (nothing sensitive), read once at start.

import { ref, watch } from 'vue';

export type Theme = 'system' | 'light' | 'dark';

function stored(key: string, fallback: string): string {
  try { return localStorage.getItem(key) ?? fallback; } catch { return fallback; }
}

/** The microphone's deviceId; empty for the system default. */
export const selectedDevice = ref(stored('hark.device', ''));
export const theme = ref<Theme>(stored('hark.theme', 'system') as Theme);
/** The name recorded clips are filed under (speaker-disjoint splits use it). */
export const speakerName = ref(stored('hark.speaker', 'me'));

function persist(key: string, value: string): void {
  try { localStorage.setItem(key, value); } catch { /* private mode: not kept */ }
}

watch(selectedDevice, (v) => persist('hark.device', v));
watch(speakerName, (v) => persist('hark.speaker', v));
watch(theme, (v) => {
  persist('hark.theme', v);
  applyTheme(v);
});

export function applyTheme(v: Theme = theme.value): void {
  if (v === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = v;
}
