// A tiny keyword set the tests can train on in seconds: three "words" that are tones of
// different pitch (with a little seeded noise and a varying length), spoken by several
// made-up speakers so the dataset's hash rule gives it validation and test clips.
import { Random } from '../../../core/tensor/random.js';
import type { EngineClient, EventOf } from '../../../app/shared/client.js';
import type { EngineEventType } from '../../../app/shared/protocol.js';

export const TONE_WORDS = ['low', 'mid', 'high'] as const;
const PITCH: Record<string, number> = { low: 300, mid: 900, high: 2400 };

export function toneWord(word: string, seed: number): Float32Array {
  const rng = new Random(seed);
  const length = Math.round(16000 * (0.4 + 0.3 * rng.next()));
  const out = new Float32Array(length);
  const f = PITCH[word] * (0.95 + 0.1 * rng.next());
  for (let i = 0; i < length; i++) {
    const envelope = Math.sin((Math.PI * i) / length);
    out[i] = 0.4 * envelope * Math.sin((2 * Math.PI * f * i) / 16000) + 0.01 * (rng.next() - 0.5);
  }
  return out;
}

/** `perWord` clips of each word, from speakers s0…s(perWord−1), or all from `speaker`. */
export async function addToneWords(client: EngineClient, perWord: number, speaker?: string): Promise<void> {
  let seed = 1;
  for (const word of TONE_WORDS) {
    for (let s = 0; s < perWord; s++) {
      await client.call('dataset.addClip', { label: word, speaker: speaker ?? `s${s}`, samples: toneWord(word, seed++) });
    }
  }
}

export function waitForEvent<T extends EngineEventType>(client: EngineClient, type: T, where: (e: EventOf<T>) => boolean = () => true): Promise<EventOf<T>> {
  return new Promise((resolve, reject) => {
    const off = client.on(type, (e) => {
      if (!where(e)) return;
      off();
      resolve(e);
    });
    client.on('training.failed', (e) => reject(new Error(`training failed: ${e.error.code}: ${e.error.message}`)));
  });
}
