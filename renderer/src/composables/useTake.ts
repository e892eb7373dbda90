// One take from the microphone: start() opens the microphone (the shared capture path,
// useMicrophone), samples at 16 kHz are kept until finish() or `maxSeconds`, and the take
// is handed to onTake; `secondsLeft` counts down to that limit. If the device goes away mid-take, the take is discarded, never
// saved as silence, and the microphone's 'unplugged' message is shown.

import { computed, ref } from 'vue';
import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';
import { useMicrophone } from './useMicrophone';
import { selectedDevice } from '../state/settings';

export interface UseTakeOptions {
  /** The take stops by itself after this. */
  maxSeconds: number;
  onTake: (samples: Float32Array) => void;
  /** Every block while recording (waveform). */
  onSamples?: (samples: Float32Array) => void;
}

export function useTake(options: UseTakeOptions) {
  const recording = ref(false);
  const seconds = ref(0);
  const secondsLeft = computed(() => Math.max(0, options.maxSeconds - seconds.value));
  let parts: Float32Array[] = [];
  let received = 0;

  const mic = useMicrophone({
    deviceId: selectedDevice,
    features: null,
    onData: (d) => {
      if (!recording.value) return;
      parts.push(d.samples16k);
      received += d.samples16k.length;
      seconds.value = received / SAMPLE_RATE;
      options.onSamples?.(d.samples16k);
      if (!d.end && received >= options.maxSeconds * SAMPLE_RATE) finish();
    },
    onEnded: () => { discard(); },
  });

  function discard(): void {
    recording.value = false;
    parts = [];
    received = 0;
    seconds.value = 0;
  }

  async function start(): Promise<boolean> {
    if (recording.value) return true;
    parts = [];
    received = 0;
    seconds.value = 0;
    recording.value = true;
    const ok = await mic.start();
    if (!ok) discard();
    return ok;
  }

  /** Stops and delivers the take (the resampler's tail included). */
  function finish(): void {
    if (!recording.value) return;
    mic.stop(); // delivers the last block synchronously through onData
    recording.value = false;
    const take = new Float32Array(received);
    let o = 0;
    for (const p of parts) { take.set(p, o); o += p.length; }
    parts = [];
    if (take.length > 0) options.onTake(take);
  }

  return { recording, seconds, secondsLeft, maxSeconds: options.maxSeconds, mic, start, finish, discard };
}
