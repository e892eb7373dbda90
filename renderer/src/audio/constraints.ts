// The one set of capture constraints, shared by recording and live listening, so the model
// hears the same microphone processing in both. All three processors are off: echo
// cancellation, noise suppression and automatic gain control each change the spectrum
// over time, and a model trained on raw audio would hear something else live.

export const CAPTURE_PROCESSING = Object.freeze({
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
});

/** The subset of MediaStreamConstraints used (declared here so Node-side tests need no DOM types). */
export interface CaptureConstraints {
  audio: {
    echoCancellation: boolean;
    noiseSuppression: boolean;
    autoGainControl: boolean;
    channelCount: { ideal: number };
    deviceId?: { exact: string };
  };
  video: false;
}

/** getUserMedia constraints for the device `deviceId` (the system default when empty). */
export function captureConstraints(deviceId?: string | null): CaptureConstraints {
  const audio: CaptureConstraints['audio'] = {
    ...CAPTURE_PROCESSING,
    channelCount: { ideal: 1 },
  };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return { audio, video: false };
}

/** AudioContextOptions as used here; `sinkId` is newer than TypeScript's DOM library. */
export interface CaptureContextOptions {
  sampleRate?: number;
  latencyHint: number;
  sinkId: { type: 'none' };
}

/** The capture context's latency hint, seconds: the worklet's block (capture-worklet.ts). */
export const CAPTURE_LATENCY_S = 0.1;

/**
 * AudioContext options for capture: the device's own rate (so Chromium does not resample;
 * core's resampler does), no output device (`sinkId: { type: 'none' }`, Chromium 110+:
 * nothing is played, so no output stream is opened and the graph is driven by a timer;
 * `npm run bench:live` measured the output thread and the audio service's share go),
 * and a latency hint equal to the worklet's block: Chromium then renders in batches of
 * that length instead of waking its audio thread every few ms ('interactive'). Measured
 * with `npm run bench:live` on the harness page (renderer process, 15–20 s spans) when
 * blocks were 40 ms: a 40 ms hint 3.8–4.5 %, 'interactive' 5.5–5.9 %, 'playback'
 * 5.4–5.5 %. The blocks are now 100 ms, and the hint with them.
 */
export function captureContextOptions(rate: number | undefined): CaptureContextOptions {
  return rate ? { sampleRate: rate, latencyHint: CAPTURE_LATENCY_S, sinkId: { type: 'none' } } : { latencyHint: CAPTURE_LATENCY_S, sinkId: { type: 'none' } };
}
