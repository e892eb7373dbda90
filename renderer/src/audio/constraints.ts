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
