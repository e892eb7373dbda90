// Microphone failures, mapped from the DOMException names getUserMedia rejects with (and
// from a track that ends by itself) to a kind and one plain message each.

export type MicErrorKind = 'denied' | 'no-device' | 'busy' | 'unplugged' | 'unsupported' | 'failed';

export interface MicError {
  kind: MicErrorKind;
  message: string;
  /** The browser's error name, for the log. */
  detail?: string;
}

export const MIC_MESSAGES: Record<MicErrorKind, string> = {
  denied: 'Hark is not allowed to use the microphone. Allow microphone access for Hark in your system or browser settings, then try again.',
  'no-device': 'No microphone was found. Connect one (or pick another in the list), then try again.',
  busy: 'The microphone is busy: another application is using it or the system refused to open it. Close the other application, then try again.',
  unplugged: 'The microphone was disconnected. The recording in progress was discarded; reconnect it and try again.',
  unsupported: 'This browser cannot capture audio here (no microphone API or no AudioWorklet).',
  failed: 'The microphone could not be started.',
};

export function micError(kind: MicErrorKind, detail?: string): MicError {
  return { kind, message: MIC_MESSAGES[kind], detail };
}

/** The MicError for an exception thrown by getUserMedia or by starting the audio graph. */
export function toMicError(error: unknown): MicError {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return micError('denied', text);
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return micError('no-device', text);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return micError('busy', text);
    default:
      return micError('failed', text);
  }
}
