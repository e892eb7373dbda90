// Plays 16 kHz clips. One AudioContext per playback, closed when it ends, so nothing stays
// open between plays; starting another playback stops the current one. A playback's
// promise settles when the clip ends or is stopped (stopping closes the context, after
// which its 'ended' event may never come, so stopPlayback settles it itself).

import { SAMPLE_RATE } from '../../../core/audio/sample-rate.js';

let current: { context: AudioContext; source: AudioBufferSourceNode; done: () => void } | null = null;

export function stopPlayback(): void {
  if (!current) return;
  const { context, source, done } = current;
  current = null;
  try { source.stop(); } catch { /* already stopped */ }
  void context.close().catch(() => undefined);
  done();
}

export function playSamples(samples: Float32Array, sampleRate = SAMPLE_RATE): Promise<void> {
  stopPlayback();
  const context = new AudioContext();
  const buffer = context.createBuffer(1, samples.length, sampleRate);
  buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
  const source = context.createBufferSource();
  source.buffer = buffer;
  source.connect(context.destination);
  return new Promise((resolve) => {
    const me = { context, source, done: () => resolve() };
    current = me;
    source.onended = () => {
      if (current === me) { current = null; void context.close().catch(() => undefined); }
      resolve();
    };
    source.start();
  });
}
