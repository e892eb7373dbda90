// The list of audio inputs, kept current on `devicechange`. Labels are empty until the
// user has allowed the microphone once; refresh() after a successful start fills them in.

import { getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';

export interface AudioInput {
  deviceId: string;
  label: string;
}

export function useAudioDevices() {
  const inputs = shallowRef<AudioInput[]>([]);
  const supported = ref(typeof navigator !== 'undefined' && !!navigator.mediaDevices?.enumerateDevices);

  async function refresh(): Promise<void> {
    if (!supported.value) return;
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      let n = 0;
      inputs.value = devices
        .filter((d) => d.kind === 'audioinput' && d.deviceId !== '')
        .map((d) => ({ deviceId: d.deviceId, label: d.label || `Microphone ${++n}` }));
    } catch {
      inputs.value = [];
    }
  }

  if (supported.value) {
    const onChange = (): void => { void refresh(); };
    navigator.mediaDevices.addEventListener('devicechange', onChange);
    if (getCurrentScope()) onScopeDispose(() => navigator.mediaDevices.removeEventListener('devicechange', onChange));
    void refresh();
  }

  return { inputs, supported, refresh };
}
