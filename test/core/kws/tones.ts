// Synthetic "words" for fast, exact tests of the keyword recipe: each word is a pattern of
// tone bursts (frequency and rhythm) with per-take jitter, inside silence. Not speech:
// the accuracy on real and synthetic speech is tested in espeak-accuracy and fsdd-accuracy.
import type { KwsClip } from '../../../core/kws/examples.js';
import { Random } from '../../../core/tensor/random.js';

export const TONE_WORDS: Record<string, { hz: number[]; ms: number }> = {
  low: { hz: [400], ms: 350 },
  high: { hz: [1800], ms: 350 },
  rise: { hz: [500, 1200], ms: 200 },
  fall: { hz: [1200, 500], ms: 200 },
};

/** One take of a word: 0.1–0.3 s silence, its bursts (±15% length, ±5% pitch, −12…0 dB), silence. */
export function toneTake(word: string, rng: Random, speaker = 'synth'): KwsClip {
  const spec = TONE_WORDS[word];
  const before = Math.round(rng.uniform(0.1, 0.3) * 16000), after = Math.round(rng.uniform(0.1, 0.3) * 16000);
  const burst = Math.round((spec.ms / 1000) * rng.uniform(0.85, 1.15) * 16000);
  const pitch = rng.uniform(0.95, 1.05), amp = 0.3 * 10 ** (rng.uniform(-12, 0) / 20);
  const x = new Float32Array(before + spec.hz.length * burst + after);
  spec.hz.forEach((hz, j) => {
    for (let i = 0; i < burst; i++) {
      const env = Math.min(1, i / 160, (burst - i) / 160);
      x[before + j * burst + i] = amp * env * Math.sin((2 * Math.PI * hz * pitch * i) / 16000);
    }
  });
  for (let i = 0; i < x.length; i++) x[i] += rng.normal() * 3e-4;
  return { label: word, speaker, samples: x };
}

export function toneSet(words: readonly string[], takes: number, seed: number, speakers = ['a', 'b']): KwsClip[] {
  const rng = new Random(seed);
  const out: KwsClip[] = [];
  for (const w of words) for (let k = 0; k < takes; k++) out.push(toneTake(w, rng, speakers[k % speakers.length]));
  return out;
}
