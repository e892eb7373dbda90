// The renderer's capture pipeline (what useMicrophone runs on each AudioWorklet block)
// gives the same 16 kHz samples and frames as the batch path training uses, whatever the
// block sizes.

import { describe, expect, it } from 'vitest';
import { CapturePipeline } from '../../renderer/src/audio/pipeline.js';
import { resample } from '../../core/audio/resample.js';
import { extractFeatures } from '../../core/features/mfcc.js';
import { DEFAULT_FEATURE_CONFIG } from '../../core/features/config.js';
import { Random } from '../../core/tensor/random.js';

function signal(n: number, rate: number): Float32Array {
  const rng = new Random(7);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) * Math.sin((Math.PI * i) / n) + 0.01 * (rng.next() - 0.5);
  return x;
}

describe('CapturePipeline', () => {
  it.each([[44100, 1024], [48000, 128], [44100, 777]])('at %i Hz in blocks of %i equals one-shot resample + extractFeatures', (rate, block) => {
    const input = signal(Math.round(1.3 * rate), rate);
    const p = new CapturePipeline(rate);
    const samples: Float32Array[] = [];
    const frames: Float32Array[] = [];
    for (let o = 0; o < input.length; o += block) {
      const out = p.push(input.subarray(o, o + block));
      samples.push(out.samples16k);
      frames.push(out.frames);
    }
    const tail = p.flush();
    samples.push(tail.samples16k);
    frames.push(tail.frames);
    const cat = (parts: Float32Array[]) => { const r = new Float32Array(parts.reduce((n, q) => n + q.length, 0)); let o = 0; for (const q of parts) { r.set(q, o); o += q.length; } return r; };
    const s16 = cat(samples);
    const expected = resample(input, rate, 16000);
    expect(s16).toEqual(expected);
    expect(cat(frames)).toEqual(extractFeatures(expected, DEFAULT_FEATURE_CONFIG));
  });

  it('reports the level of each block', () => {
    const p = new CapturePipeline(16000, null);
    const out = p.push(Float32Array.from([0.5, -0.5, 0.5, -0.5]));
    expect(out.peak).toBe(0.5);
    expect(out.rms).toBeCloseTo(0.5, 10);
    expect(out.frames.length).toBe(0);
  });
});
