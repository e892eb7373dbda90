// decodeWav against sox 14.4.2, the reference reader: "valid files of every supported format
// decode to within 1 LSB of sox". Each file is written by this test's own small writer
// (copied from wav.test.ts, independent of core/audio/wav.ts) into a temp dir, decoded by
// core, and decoded by `sox -D <file> -t f64 -e floating-point -` (all channels interleaved);
// the mono mean of sox's per-channel values is computed here and compared with core's.
//
// sox's conventions (checked against sox 14.4.2's source and behaviour): every input is
// converted to 32-bit signed integers internally — 8-bit PCM is unsigned with a 128 offset,
// n-bit PCM is shifted left by 32-n, float is scaled by 2^31, rounded and clipped to
// [-2^31, 2^31-1] (so +1.0 float reads as 1 - 2^-31) — and the output conversion divides
// by 2^31. So PCM scales by 2^(bits-1), as core does. We ask sox for f64 (not f32) output so
// that sox's own float32 rounding does not enter the comparison; -D turns off sox's
// automatic dither, which would otherwise add noise.
//
// Tolerance, |core − sox| per frame:
//   PCM 8/16/24:  1 LSB = 2^-(bits-1). (Observed: 0 mono; float32 rounding of the mean else.)
//   PCM 32:       core returns a Float32Array, which cannot hold 32-bit PCM to 1 LSB
//                 (2^-31 ≈ 4.7e-10); the bound is 1 LSB plus half a float32 ulp at full
//                 scale, 2^-31 + 2^-25 ≈ 3.0e-8 (the float32 rounding of the output).
//   float 32/64:  sox holds them as 32-bit integers, an absolute error of at most 2^-32
//                 (and 2^-31 at +1.0, clipped), so the bound is that plus the float32
//                 rounding of core's output: 2^-31 + 2^-25 ≈ 3.0e-8 ("1e-7 of full scale"
//                 would also hold; this is tighter).
// Mono files are also compared with sox's values rounded to float32: equal for PCM, within
// 2^-31 for float32. The observed maxima are printed after the suite.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '../../../core/audio/wav.js';
import { FSDD } from '../../../scripts/shared-data.js';

// sox is a required test tool (README; .ci/run installs it): without it this file fails
// rather than skipping, so a missing install cannot pass as green.

// ---- a minimal WAV writer, independent of core/audio/wav.ts (from wav.test.ts) ----
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function chunk(id: string, body: number[]): number[] {
  const out = [...ascii(id), ...u32(body.length), ...body];
  if (body.length % 2 === 1) out.push(0);
  return out;
}
function riff(chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  return new Uint8Array([...ascii('RIFF'), ...u32(body.length + 4), ...ascii('WAVE'), ...body]);
}
type Kind = 'pcm' | 'float';
function fmt(kind: Kind, bits: number, channels: number, rate: number, extensible: boolean): number[] {
  const align = channels * bits / 8;
  const head = [...u16(extensible ? 0xfffe : kind === 'pcm' ? 1 : 3), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits)];
  if (!extensible) return head;
  return [...head, ...u16(22), ...u16(bits), ...u32((1 << Math.min(channels, 31)) - 1), ...u16(kind === 'pcm' ? 1 : 3), ...GUID_TAIL];
}
/** frames × channels values → bytes; PCM values are quantised (round, clip to the integer range). */
function encodeFrames(kind: Kind, bits: number, frames: number[][]): number[] {
  const bytes: number[] = [];
  const b = new DataView(new ArrayBuffer(8));
  for (const frame of frames) {
    for (const v of frame) {
      if (kind === 'float') {
        if (bits === 32) { b.setFloat32(0, v, true); bytes.push(...new Uint8Array(b.buffer, 0, 4)); } else { b.setFloat64(0, v, true); bytes.push(...new Uint8Array(b.buffer, 0, 8)); }
        continue;
      }
      const scale = 2 ** (bits - 1);
      const q = Math.max(-scale, Math.min(scale - 1, Math.round(v * scale)));
      if (bits === 8) bytes.push(q + 128);
      else { b.setInt32(0, q, true); bytes.push(...new Uint8Array(b.buffer, 0, bits / 8)); }
    }
  }
  return bytes;
}

/**
 * A deterministic signal over the full range: a linear chirp 20 Hz → Nyquist at full scale
 * (each channel with its own phase and sign), then frames of extremes in every channel
 * (-1, the largest positive value, +1, 0, ±1 LSB, ±tiny) and mixed extremes across channels.
 */
function signal(kind: Kind, bits: number, channels: number, rate: number): number[][] {
  const lsb = kind === 'pcm' ? 2 ** -(bits - 1) : 2 ** -31;
  const frames: number[][] = [];
  const n = 2000;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f1 = rate / 2;
    const phase = 2 * Math.PI * (20 * t + (f1 - 20) * t * t / (2 * n / rate));
    frames.push(Array.from({ length: channels }, (_, c) => (c % 2 ? -1 : 1) * Math.sin(phase + c * 0.7)));
  }
  const extremes = [-1, 1 - lsb, 1, 0, lsb, -lsb, 0.5, -0.5, 1e-12, -1e-12, 2 ** -24, 1 - 2 ** -24];
  if (kind === 'float') extremes.push(1e-30, -1e-30, 1 - 2 ** -53, Math.fround(0.1), 0.1);
  for (const v of extremes) frames.push(new Array<number>(channels).fill(v));
  for (const v of extremes) frames.push(Array.from({ length: channels }, (_, c) => (c % 2 ? -v : v)));
  frames.push(Array.from({ length: channels }, (_, c) => (c % 2 ? 1 : -1)));
  return frames;
}

const dir = mkdtempSync(join(tmpdir(), 'hark-wav-sox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** sox's decoding of a file: the per-frame mean (float64) of its per-channel values. */
function soxMono(path: string, channels: number): Float64Array {
  const out = execFileSync('sox', ['-D', path, '-t', 'f64', '-e', 'floating-point', '-'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const all = new Float64Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
  expect(all.length % channels).toBe(0);
  const mono = new Float64Array(all.length / channels);
  for (let f = 0; f < mono.length; f++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += all[f * channels + c];
    mono[f] = s / channels;
  }
  return mono;
}
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const FLOAT32_OUTPUT = 2 ** -25; // half a float32 ulp just below full scale
const observed: Record<string, number> = {};

describe('decodeWav matches sox', () => {
  const formats: { kind: Kind; bits: number; extensible: boolean }[] = [
    ...[8, 16, 24, 32].map((bits) => ({ kind: 'pcm' as Kind, bits, extensible: false })),
    ...[32, 64].map((bits) => ({ kind: 'float' as Kind, bits, extensible: false })),
    ...[16, 24].map((bits) => ({ kind: 'pcm' as Kind, bits, extensible: true })),
    { kind: 'float' as Kind, bits: 32, extensible: true },
  ];
  const rates = [8000, 16000, 22050, 44100, 48000];
  let r = 0;
  for (const { kind, bits, extensible } of formats) {
    const channelCounts = extensible && kind === 'pcm' && bits === 24 ? [1, 2, 6] : [1, 2];
    for (const channels of channelCounts) {
      const rate = rates[r++ % rates.length];
      const name = `${extensible ? 'extensible ' : ''}${kind} ${bits}-bit, ${channels} ch`;
      it(`${name}, ${rate} Hz`, () => {
        const frames = signal(kind, bits, channels, rate);
        const file = riff([chunk('fmt ', fmt(kind, bits, channels, rate, extensible)), chunk('data', encodeFrames(kind, bits, frames))]);
        const path = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.wav`);
        writeFileSync(path, file);
        const ours = decodeWav(file);
        expect(ours).toMatchObject({ sampleRate: rate, channels, bitsPerSample: bits, format: kind });
        const sox = soxMono(path, channels);
        expect(sox.length).toBe(frames.length);
        const d = maxDiff(ours.samples, sox);
        observed[name] = d;
        const lsb = kind === 'pcm' ? 2 ** -(bits - 1) : 2 ** -31;
        const tol = kind === 'pcm' && bits <= 24 ? lsb : lsb + FLOAT32_OUTPUT;
        expect(d).toBeLessThanOrEqual(tol);
        if (kind === 'pcm' && bits <= 24 && channels === 1) expect(d).toBe(0);
        // Mono has no mean to round: core's value is sox's rounded to float32, to within sox's
        // own 32-bit quantisation (exactly equal for PCM, 2^-31 for float32). Not for float64:
        // sox's 2^-32 quantisation can cross a float32 rounding boundary there.
        if (channels === 1 && bits !== 64) expect(maxDiff(ours.samples, Array.from(sox, Math.fround))).toBeLessThanOrEqual(kind === 'pcm' ? 0 : 2 ** -31);
      });
    }
  }

  it('a real FSDD recording (jackson_nohash_0.wav, CC BY-SA 4.0) decodes as sox decodes it', () => {
    const path = join(FSDD, 'zero/jackson_nohash_0.wav');
    const ours = decodeWav(readFileSync(path));
    const sox = soxMono(path, ours.channels);
    expect(ours.samples.length).toBeGreaterThan(1000);
    const d = maxDiff(ours.samples, sox);
    observed[`FSDD jackson_nohash_0 (${ours.format} ${ours.bitsPerSample}-bit, ${ours.channels} ch, ${ours.sampleRate} Hz)`] = d;
    expect(d).toBeLessThanOrEqual(ours.bitsPerSample <= 24 ? 2 ** -(ours.bitsPerSample - 1) : 2 ** -31 + FLOAT32_OUTPUT);
  });

  afterAll(() => {
    console.log(`max |decodeWav − sox| per format:\n${Object.entries(observed).map(([k, v]) => `  ${k}: ${v.toExponential(3)}`).join('\n')}`);
  });
});
