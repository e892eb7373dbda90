// The capture worklet's processor, run in Node with the three AudioWorkletGlobalScope names
// it uses stubbed: it posts the input (one channel, or the channels' mean) unchanged, in
// 100 ms blocks, whatever the quantum size, and flushes the partial block on 'stop'.
import { beforeAll, describe, expect, it, vi } from 'vitest';

interface Posted { type: string; samples?: Float32Array }
interface Processor { port: { postMessage(m: Posted): void; onmessage: ((e: { data: unknown }) => void) | null }; process(inputs: Float32Array[][]): boolean }

const RATE = 44100;
const BLOCK = Math.round((RATE * 0.1) / 128) * 128; // the worklet's rule: 4352 at 44.1 kHz (34 quanta)
let Ctor: new () => Processor;

beforeAll(async () => {
  class FakeProcessor {
    port = { postMessage: (_m: Posted): void => undefined, onmessage: null as ((e: { data: unknown }) => void) | null };
  }
  vi.stubGlobal('AudioWorkletProcessor', FakeProcessor);
  vi.stubGlobal('sampleRate', RATE);
  vi.stubGlobal('registerProcessor', (_name: string, ctor: new () => Processor) => { Ctor = ctor; });
  await import('../../renderer/src/audio/capture-worklet.js');
});

/** Runs `channels` (each the whole signal) through a new processor in quanta of `quantum` frames, then stops it. */
function run(channels: Float32Array[], quantum: number): { blocks: Float32Array[]; stopped: boolean } {
  const p = new Ctor();
  const blocks: Float32Array[] = [];
  let stopped = false;
  p.port.postMessage = (m) => { if (m.type === 'samples') blocks.push(m.samples!.slice()); else if (m.type === 'stopped') stopped = true; };
  for (let o = 0; o < channels[0].length; o += quantum) {
    expect(p.process([channels.map((c) => c.subarray(o, Math.min(o + quantum, c.length)))])).toBe(true);
  }
  p.port.onmessage?.({ data: 'stop' });
  expect(p.process([channels.map((c) => c.subarray(0, 1))])).toBe(false); // nothing after stop
  return { blocks, stopped };
}

const signal = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01 * seed) * 0.5);
const joined = (blocks: Float32Array[]): Float32Array => {
  const out = new Float32Array(blocks.reduce((t, b) => t + b.length, 0));
  let o = 0;
  for (const b of blocks) { out.set(b, o); o += b.length; }
  return out;
};

describe('capture worklet', () => {
  it('posts one channel unchanged in 100 ms blocks, and the rest on stop', () => {
    const x = signal(BLOCK * 3 + 128 * 5, 1);
    const { blocks, stopped } = run([x], 128);
    expect(blocks.slice(0, 3).map((b) => b.length)).toEqual([BLOCK, BLOCK, BLOCK]);
    expect(blocks[3].length).toBe(128 * 5);
    expect(joined(blocks)).toEqual(x);
    expect(stopped).toBe(true);
  });

  it('posts the mean of several channels', () => {
    const a = signal(BLOCK * 2, 1), b = signal(BLOCK * 2, 3);
    const { blocks } = run([a, b], 128);
    expect(joined(blocks)).toEqual(Float32Array.from(a, (v, i) => (v + b[i]) / 2));
  });

  it('keeps every sample in order when quanta do not divide the block', () => {
    const x = signal(BLOCK * 4 + 37, 2);
    const { blocks } = run([x], 100);
    expect(blocks.slice(0, 4).every((b) => b.length === BLOCK)).toBe(true);
    expect(joined(blocks)).toEqual(x);
  });
});
