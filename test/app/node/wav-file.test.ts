// WAV files read through a file handle (app/node/wav-file.ts): the header decides before
// any audio is read, so a 2 GiB file offered as a clip is refused in a few kilobytes; the
// audio, read in blocks, is exactly what core's in-memory decoder gives.
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resample } from '../../../core/audio/resample.js';
import { decodeWav, encodeWav, WavError, type DecodedWav } from '../../../core/audio/wav.js';
import { Random } from '../../../core/tensor/random.js';
import { MAX_CLIP_SECONDS, openWavStream, readClipFile, readWavFile, readWavFileLayout } from '../../../app/node/wav-file.js';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, 'memory-child.ts');
const MB = 1024 * 1024;

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'hark-wav-file-')); });
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A 44-byte PCM header declaring `dataBytes` of audio. */
function header(dataBytes: number, { rate = 16000, channels = 1, bits = 16 } = {}): Uint8Array {
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  const ascii = (at: number, s: string): void => { for (let i = 0; i < 4; i++) h[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF'); v.setUint32(4, Math.min(0xffffffff, 36 + dataBytes), true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, channels, true);
  v.setUint32(24, rate, true); v.setUint32(28, rate * channels * (bits / 8), true); v.setUint16(32, channels * (bits / 8), true); v.setUint16(34, bits, true);
  ascii(36, 'data'); v.setUint32(40, dataBytes, true);
  return h;
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => { const out = new Uint8Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; };
/** The same values, bit for bit (one comparison: toEqual on millions of elements is slow). */
const sameBits = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Interleaved 16-bit PCM of `channels` channels of a chirp. */
function pcm(frames: number, channels: number): Uint8Array {
  const b = new Uint8Array(frames * channels * 2);
  const v = new DataView(b.buffer);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) v.setInt16(2 * (f * channels + c), Math.round(12000 * Math.sin(f * (0.01 + 1e-7 * f) + c)), true);
  return b;
}

describe('readClipFile on a 2 GiB file', () => {
  it('refuses it from the header, saying it can be background, with peak memory growth under 200 MB', async () => {
    const path = join(dir, 'huge.wav');
    const size = 2 * 1024 * MB;
    await writeFile(path, header(size - 44));
    const handle = await open(path, 'r+');
    await handle.truncate(size); // sparse: 2 GiB of zeros that take no disk
    await handle.close();
    expect((await stat(path)).size).toBe(size);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, 'clip', path], { cwd: join(import.meta.dirname, '../../..') });
    const result = JSON.parse(stdout) as { code: string; message: string; peakGrowth: number };
    console.log(`2 GiB clip refused; peak memory growth ${(result.peakGrowth / MB).toFixed(1)} MB`);
    expect(result.code).toBe('clip-too-long');
    expect(result.message).toMatch(/67108\.9 s long, too long for one keyword clip \(at most 30 s\).*background noise/);
    // Reading the file whole, as before, took 4.1 GB at its peak.
    expect(result.peakGrowth).toBeLessThan(200 * MB);
  }, 60_000);
});

describe('WAV files through a handle', () => {
  it('readWavFile and readClipFile give exactly what decodeWav gives', async () => {
    const bytes = concat(header(48000 * 2 * 2 * 3, { rate: 48000, channels: 2 }), pcm(48000 * 3, 2));
    const path = join(dir, 'stereo.wav');
    await writeFile(path, bytes);
    const expected = decodeWav(bytes);
    for (const got of [await readWavFile(path), await readClipFile(path)]) {
      expect({ ...got, samples: null }).toEqual({ ...expected, samples: null });
      expect(sameBits(got.samples, expected.samples)).toBe(true);
    }
    expect(await readWavFileLayout(path)).toMatchObject({ sampleRate: 48000, channels: 2, frames: 144000, dataStart: 44 });
  });

  it('streams a file longer than a clip in blocks, resampled, bit for bit the whole-file result', async () => {
    const seconds = MAX_CLIP_SECONDS + 10; // 40 s at 44.1 kHz stereo: 7 MB, several 1 MiB blocks
    const frames = 44100 * seconds;
    const bytes = concat(header(frames * 4, { rate: 44100, channels: 2 }), pcm(frames, 2));
    const path = join(dir, 'long.wav');
    await writeFile(path, bytes);
    await expect(readClipFile(path)).rejects.toMatchObject({ code: 'clip-too-long' });
    const stream = await openWavStream(path, { sampleRate: 16000 });
    const blocks: Float32Array[] = [];
    try {
      for await (const block of stream.blocks()) blocks.push(block);
    } finally {
      await stream.close();
    }
    expect(blocks.length).toBeGreaterThan(5);
    const joined = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
    blocks.reduce((at, b) => { joined.set(b, at); return at + b.length; }, 0);
    expect(sameBits(joined, resample(decodeWav(bytes).samples, 44100, 16000))).toBe(true);
  });

  it('refuses what decodeWav refuses, with the same codes', async () => {
    const good = encodeWav(new Float32Array(800).fill(0.25), 8000);
    const cases: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['text', new TextEncoder().encode('this is text, not audio')],
      ['rifx', Uint8Array.from(good, (b, i) => (i === 3 ? 'X'.charCodeAt(0) : b))],
      ['truncated', good.subarray(0, 30)],
      ['no data', good.subarray(0, 36)],
      ['partial frame', good.subarray(0, good.length - 1)],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, `${name}.wav`);
      await writeFile(path, bytes);
      let expected = '';
      try { decodeWav(bytes); } catch (err) { expected = (err as WavError).code; }
      expect(expected, name).not.toBe('');
      await expect(readWavFile(path), name).rejects.toMatchObject({ code: expected });
    }
  });

  it('agrees with decodeWav on 300 seeded mutations of valid files: the same refusal or the same samples', async () => {
    const rng = new Random(14);
    const seeds = [encodeWav(new Float32Array(300).map((_, i) => Math.sin(i / 7)), 8000), concat(header(400 * 6, { channels: 3 }), pcm(400, 3))];
    const summary = (r: DecodedWav): string => `${r.sampleRate} Hz ${r.channels} ch ${Buffer.from(r.samples.buffer, r.samples.byteOffset, r.samples.byteLength).toString('base64')}`;
    const outcome = async (read: () => DecodedWav | Promise<DecodedWav>): Promise<string> => {
      try {
        return summary(await read());
      } catch (err) {
        if (!(err instanceof WavError)) throw err;
        return err.code;
      }
    };
    const path = join(dir, 'mutant.wav');
    const codes = new Set<string>();
    for (let n = 0; n < 300; n++) {
      const bytes = seeds[n % seeds.length].slice();
      for (let e = 1 + rng.int(4); e > 0; e--) bytes[rng.int(Math.min(bytes.length, 64))] = rng.int(256); // mostly the header
      const mutant = rng.next() < 0.3 ? bytes.subarray(0, rng.int(bytes.length)) : bytes;
      await writeFile(path, mutant);
      const expected = await outcome(() => decodeWav(mutant));
      expect(await outcome(() => readWavFile(path)), `mutation ${n}`).toBe(expected);
      codes.add(expected.includes(' Hz ') ? 'decoded' : expected);
    }
    expect(codes.size).toBeGreaterThan(5); // the mutations reached many different refusals
  });
});
