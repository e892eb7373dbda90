// Waveform thumbnails of the clip list, fetched only for the rows on screen: each row asks
// for its clip when it scrolls into view, the asks of one moment go to the engine as one
// dataset.clipEnvelopes call (at most MAX_ENVELOPE_CLIPS), and the answers are kept by the
// clip's sha256, so a relabelled or restored clip (same bytes, new path) is not fetched
// again. A clip the engine left out (unreadable, or gone since the list was drawn) is not
// asked for again; when the call itself fails, its clips are asked for again the next time
// their rows come into view.

import { shallowRef, triggerRef } from 'vue';
import { MAX_ENVELOPE_CLIPS, type ClipEnvelope } from '../../../../app/shared/protocol.js';

export interface EnvelopeClip {
  path: string;
  sha256: string;
}

export type FetchEnvelopes = (paths: string[]) => Promise<ClipEnvelope[]>;

export function createEnvelopeLoader(fetch: FetchEnvelopes, schedule: (run: () => void) => void = queueMicrotask) {
  /** sha256 → (min, max) pairs; null while asked for, or when it could not be fetched. */
  const peaks = shallowRef(new Map<string, Float32Array | null>());
  let queued = new Map<string, EnvelopeClip>();
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = [...queued.values()];
    queued = new Map();
    for (let i = 0; i < batch.length; i += MAX_ENVELOPE_CLIPS) {
      const part = batch.slice(i, i + MAX_ENVELOPE_CLIPS);
      const byPath = new Map(part.map((c) => [c.path, c.sha256]));
      try {
        for (const e of await fetch(part.map((c) => c.path))) {
          const sha = byPath.get(e.path);
          if (sha !== undefined) peaks.value.set(sha, e.peaks);
        }
      } catch {
        for (const c of part) if (peaks.value.get(c.sha256) === null) peaks.value.delete(c.sha256);
      }
      triggerRef(peaks);
    }
  }

  /** Ask for a clip's envelope (once; answered through `peaks`). */
  function request(clip: EnvelopeClip): void {
    if (peaks.value.has(clip.sha256)) return;
    peaks.value.set(clip.sha256, null);
    queued.set(clip.path, clip);
    if (!scheduled) {
      scheduled = true;
      schedule(() => { void flush(); });
    }
  }

  const get = (sha256: string): Float32Array | null => peaks.value.get(sha256) ?? null;

  return { peaks, request, get, flush };
}

export type EnvelopeLoader = ReturnType<typeof createEnvelopeLoader>;
