// The one set of capture constraints, shared by recording and live listening, so the model
// hears the same microphone processing in both. All three processors are off: echo
// cancellation, noise suppression and automatic gain control each change the spectrum
// over time, and a model trained on raw audio would hear something else live.

export const CAPTURE_PROCESSING = Object.freeze({
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
});

/** getUserMedia constraints for the device `deviceId` (the system default when empty). */
export function captureConstraints(deviceId?: string | null): MediaStreamConstraints {
  const audio: MediaTrackConstraints = {
    ...CAPTURE_PROCESSING,
    channelCount: { ideal: 1 },
  };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return { audio, video: false };
}
