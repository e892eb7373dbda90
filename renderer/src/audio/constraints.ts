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
  latencyHint: 'interactive';
  sinkId: { type: 'none' };
}

/**
 * AudioContext options for capture: the device's own rate (so Chromium does not resample;
 * core's resampler does), no output device (`sinkId: { type: 'none' }`, Chromium 110+:
 * nothing is played, so no output stream is opened and the graph is driven by a timer;
 * `npm run bench:live` measured the output thread and the audio service's share go),
 * and the 'interactive' latency class ('playback' measured no cheaper, and its extra
 * buffering would add to detection latency).
 */
export function captureContextOptions(rate: number | undefined): CaptureContextOptions {
  return rate ? { sampleRate: rate, latencyHint: 'interactive', sinkId: { type: 'none' } } : { latencyHint: 'interactive', sinkId: { type: 'none' } };
}
