// A corpus of malformed and hostile WAV files, generated here, each either refused by
// decodeWav with a WavError carrying one expected code, or — where reading it is the right
// behaviour — decoded to an exactly asserted result. Never another error type, never a hang
// (a flat chunk walk: 10,000-deep LIST nesting and huge declared counts are skipped by size),
// never an allocation larger than the input. Then a seeded fuzz loop of byte mutations of
// valid files, asserting only WavError or a well-formed result.
import { describe, expect, it } from 'vitest';
import { decodeWav, WavError, type DecodedWav, type WavLimits } from '../../../core/audio/wav.js';
import { Random } from '../../../core/tensor/random.js';

// ---- a minimal WAV writer, independent of core/audio/wav.ts ----
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const f32 = (v: number): number[] => { const b = new DataView(new ArrayBuffer(4)); b.setFloat32(0, v, true); return [...new Uint8Array(b.buffer)]; };
const f64 = (v: number): number[] => { const b = new DataView(new ArrayBuffer(8)); b.setFloat64(0, v, true); return [...new Uint8Array(b.buffer)]; };
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function chunk(id: string, body: ArrayLike<number>, size = body.length, pad = true): number[] {
  const out = [...ascii(id), ...u32(size), ...Array.from(body)];
  if (pad && body.length % 2 === 1) out.push(0);
  return out;
}
function riff(chunks: number[][], riffSize?: number, magic = 'RIFF', form = 'WAVE'): Uint8Array {
  const body = chunks.flat();
  return new Uint8Array([...ascii(magic), ...u32(riffSize ?? body.length + 4), ...ascii(form), ...body]);
}
interface Fmt { tag?: number; channels?: number; rate?: number; bits?: number; align?: number; byteRate?: number; sub?: number; guid?: number[]; cb?: number; valid?: number; size?: number }
/** A 'fmt ' body: PCM 16-bit stereo 8 kHz unless told otherwise; derived fields follow the given ones. */
function fmtBody(o: Fmt = {}): number[] {
  const channels = o.channels ?? 2, rate = o.rate ?? 8000, bits = o.bits ?? 16;
  const align = o.align ?? (channels * bits / 8);
  const tag = o.tag ?? (o.sub !== undefined ? 0xfffe : 1);
  let body = [...u16(tag), ...u16(channels), ...u32(rate), ...u32(o.byteRate ?? rate * align), ...u16(align), ...u16(bits)];
  if (tag === 0xfffe) body.push(...u16(o.cb ?? 22), ...u16(o.valid ?? bits), ...u32(3), ...u16(o.sub ?? 1), ...(o.guid ?? GUID_TAIL));
  if (o.size !== undefined) body = body.slice(0, o.size);
  return body;
}
const fmtChunk = (o: Fmt = {}): number[] => chunk('fmt ', fmtBody(o));

// The valid file most cases start from: PCM 16-bit stereo 8 kHz, 100 frames, 444 bytes.
const FRAMES = 100;
const pcm16 = Array.from({ length: FRAMES * 2 }, (_, i) => Math.round(20000 * Math.sin(i * 0.1 + (i % 2))));
const dataBytes = pcm16.flatMap((v) => u16(v & 0xffff));
const expectedMono = Array.from({ length: FRAMES }, (_, f) => Math.fround((pcm16[2 * f] + pcm16[2 * f + 1]) / 2 / 32768));
const BASE = riff([fmtChunk(), chunk('data', dataBytes)]);
const good = (frames = FRAMES) => (r: DecodedWav) => {
  expect(r).toMatchObject({ sampleRate: 8000, channels: 2, bitsPerSample: 16, format: 'pcm', durationSeconds: frames / 8000 });
  expect(Array.from(r.samples)).toEqual(expectedMono.slice(0, frames));
};
const withData = (data: number[], o: Fmt = {}, before: number[][] = [], size?: number): Uint8Array => riff([...before, fmtChunk(o), chunk('data', data, size)]);

interface Case { name: string; bytes: () => Uint8Array; code?: string; check?: (r: DecodedWav) => void; limits?: WavLimits }
const cases: Case[] = [];
const refuse = (name: string, code: string, bytes: () => Uint8Array, limits?: WavLimits) => cases.push({ name, code, bytes, limits });
const accept = (name: string, check: (r: DecodedWav) => void, bytes: () => Uint8Array, limits?: WavLimits) => cases.push({ name, check, bytes, limits });

// -- Truncated at many offsets, each with its own expectation.
function truncationExpectation(n: number): Pick<Case, 'code' | 'check'> {
  if (n === 0) return { code: 'empty' };
  if (n < 12) return { code: 'truncated' };                // inside the RIFF header
  if (n === 12) return { code: 'missing-fmt' };            // a header and nothing else
  if (n < 36) return { code: 'truncated' };                // inside the fmt chunk's header or body
  if (n === 36) return { code: 'missing-data' };           // a whole fmt chunk, then the end
  if (n < 44) return { code: 'truncated' };                // inside the data chunk's header
  if ((n - 44) % 4 === 0) return { check: good((n - 44) / 4) }; // a cut at a frame boundary: the frames that are there
  return { code: 'partial-frame' };
}
const offsets = new Set<number>();
for (let n = 0; n <= 60; n++) offsets.add(n);
for (let n = 61; n < BASE.length; n += 23) offsets.add(n);
for (const n of [BASE.length - 4, BASE.length - 3, BASE.length - 2, BASE.length - 1, BASE.length]) offsets.add(n);
for (const n of offsets) cases.push({ name: `truncated to ${n} bytes`, bytes: () => BASE.slice(0, n), ...truncationExpectation(n) });

// -- Header.
refuse('a single byte that is not R', 'not-wav', () => new Uint8Array([0x49]));
refuse('ID3 tag', 'not-wav', () => new Uint8Array(ascii('ID3\x04\0\0\0\0\0\0\0\0\0\0')));
refuse('Ogg file', 'not-wav', () => new Uint8Array([...ascii('OggS'), ...new Array(40).fill(0)]));
refuse('RIFF AVI', 'not-wav', () => riff([fmtChunk(), chunk('data', dataBytes)], undefined, 'RIFF', 'AVI '));
refuse('lower-case riff', 'not-wav', () => riff([fmtChunk(), chunk('data', dataBytes)], undefined, 'riff'));
refuse('RIFX (big-endian)', 'rifx', () => riff([fmtChunk(), chunk('data', dataBytes)], undefined, 'RIFX'));
refuse('RF64', 'rf64', () => riff([chunk('ds64', new Array(28).fill(0)), fmtChunk(), chunk('data', dataBytes)], 0xffffffff, 'RF64'));
refuse('BW64', 'rf64', () => riff([fmtChunk(), chunk('data', dataBytes)], 0xffffffff, 'BW64'));
refuse('RIFX, 4 bytes only', 'rifx', () => new Uint8Array(ascii('RIFX')));
refuse('twelve zero bytes', 'not-wav', () => new Uint8Array(12));
accept('RIFF size 0 (not trusted)', good(), () => riff([fmtChunk(), chunk('data', dataBytes)], 0));
accept('RIFF size 0xFFFFFFFF (not trusted)', good(), () => riff([fmtChunk(), chunk('data', dataBytes)], 0xffffffff));
accept('RIFF size smaller than the file', good(), () => riff([fmtChunk(), chunk('data', dataBytes)], 20));

// -- Declared sizes up to 4 GB, odd and oversized chunks.
for (const size of [0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 1000, 17]) {
  refuse(`fmt chunk declaring ${size} bytes`, 'truncated', () => riff([chunk('fmt ', fmtBody(), size), chunk('data', dataBytes)]));
  refuse(`LIST chunk declaring ${size} bytes before fmt`, 'truncated', () => riff([chunk('LIST', ascii('INFO'), size), fmtChunk(), chunk('data', dataBytes)]));
}
refuse('LIST chunk declaring 4 GB after the data', 'truncated', () => riff([fmtChunk(), chunk('data', dataBytes), chunk('LIST', ascii('INFO'), 0xffffffff)]));
refuse('last chunk declaring one byte more than remains', 'truncated', () => riff([fmtChunk(), chunk('data', dataBytes), chunk('junk', [1, 2, 3, 4], 5)]));
refuse('chunk before fmt declaring one byte more than remains', 'truncated', () => riff([chunk('junk', [1, 2, 3, 4], 5)]));
for (const size of [0xffffffff, 0xfffffffe, 0x80000000, 401 * 4, 404]) {
  accept(`data declaring ${size} bytes (more than the file): the whole frames present`, good(), () => withData(dataBytes, {}, [], size));
}
refuse('data declaring 0xFFFFFFFF over a partial frame', 'partial-frame', () => withData([...dataBytes, 1, 2], {}, [], 0xffffffff));
refuse('data declaring 0xFFFFFFFE over a partial frame', 'partial-frame', () => withData([...dataBytes, 1], {}, [], 0xfffffffe));
accept('odd-sized chunk with its pad byte', good(), () => riff([chunk('junk', [1, 2, 3]), fmtChunk(), chunk('data', dataBytes)]));
refuse('odd-sized chunk without its pad byte (the walk lands inside fmt)', 'truncated', () => riff([chunk('junk', [1, 2, 3], 3, false), fmtChunk(), chunk('data', dataBytes)]));
accept('a zero-sized chunk', good(), () => riff([chunk('zero', []), fmtChunk(), chunk('data', dataBytes)]));
accept('a missing pad byte after odd data at the end of the file', (r) => expect(Array.from(r.samples)).toEqual([0, 0.5, -0.5]),
  () => riff([fmtChunk({ channels: 1, bits: 8 }), chunk('data', [128, 192, 64], 3, false)]));
refuse('trailing 7 bytes before any data', 'truncated', () => riff([fmtChunk(), [1, 2, 3, 4, 5, 6, 7]]));
accept('trailing 7 bytes after the data', good(), () => riff([fmtChunk(), chunk('data', dataBytes), [1, 2, 3, 4, 5, 6, 7]]));

// -- Unsupported codecs.
for (const [tag, name] of <[number, string][]>[[2, 'ADPCM'], [7, 'µ-law'], [6, 'A-law'], [0x55, 'MP3'], [0x11, 'IMA ADPCM'], [0, 'unknown 0'], [0x50, 'MPEG'], [0xffff, '0xFFFF'], [0x2000, 'AC-3']]) {
  refuse(`${name} (format ${tag})`, 'unsupported-format', () => withData(dataBytes, { tag, bits: tag === 2 || tag === 0x11 ? 4 : 8, align: 4 }));
}
refuse('extensible with the ADPCM SubFormat', 'unsupported-format', () => withData(dataBytes, { sub: 2 }));
refuse('extensible with the µ-law SubFormat', 'unsupported-format', () => withData(dataBytes, { sub: 7 }));

// -- Bad format fields.
refuse('0 channels', 'bad-channels', () => withData(dataBytes, { channels: 0, align: 4 }));
refuse('0 sample rate', 'bad-sample-rate', () => withData(dataBytes, { rate: 0 }));
refuse('384001 Hz', 'bad-sample-rate', () => withData(dataBytes, { rate: 384001 }));
refuse('0xFFFFFFFF Hz', 'bad-sample-rate', () => withData(dataBytes, { rate: 0xffffffff, byteRate: 0 }));
accept('384000 Hz', (r) => expect(r).toMatchObject({ sampleRate: 384000, durationSeconds: FRAMES / 384000 }), () => withData(dataBytes, { rate: 384000 }));
for (const bits of [12, 0, 128, 4, 20, 48, 64, 1, 0xffff]) {
  refuse(`PCM ${bits}-bit`, 'unsupported-bits', () => withData(dataBytes, { bits, align: 4, byteRate: 32000 }));
}
for (const bits of [16, 24, 8, 0, 128]) refuse(`float ${bits}-bit`, 'unsupported-bits', () => withData(dataBytes, { tag: 3, bits, align: 4, byteRate: 32000 }));
refuse('extensible PCM 12-bit', 'unsupported-bits', () => withData(dataBytes, { sub: 1, bits: 12, align: 4, byteRate: 32000 }));
for (const align of [0, 2, 3, 5, 8, 0xffff]) refuse(`blockAlign ${align} for 16-bit stereo`, 'bad-block-align', () => withData(dataBytes, { align, byteRate: 32000 }));
for (const byteRate of [0, 31999, 16000, 0xffffffff]) refuse(`byteRate ${byteRate}`, 'bad-byte-rate', () => withData(dataBytes, { byteRate }));
for (const size of [0, 2, 14, 15]) refuse(`fmt chunk of ${size} bytes`, 'bad-fmt', () => withData(dataBytes, { size }));
accept('fmt chunk of 18 bytes (cbSize 0)', good(), () => riff([chunk('fmt ', [...fmtBody(), 0, 0]), chunk('data', dataBytes)]));
for (const size of [16, 18, 24, 39]) refuse(`extensible fmt chunk of ${size} bytes`, 'bad-fmt', () => withData(dataBytes, { sub: 1, size }));
refuse('extensible with cbSize 0', 'bad-fmt', () => withData(dataBytes, { sub: 1, cb: 0 }));
refuse('extensible with 17 valid bits in 16', 'bad-fmt', () => withData(dataBytes, { sub: 1, valid: 17 }));
accept('extensible PCM with 0 valid bits (unset)', good(), () => withData(dataBytes, { sub: 1, valid: 0 }));
for (let i = 0; i < GUID_TAIL.length; i++) {
  refuse(`extensible with GUID byte ${i + 2} changed`, 'bad-guid', () => withData(dataBytes, { sub: 1, guid: GUID_TAIL.map((b, j) => (j === i ? b ^ 0x01 : b)) }));
}
refuse('extensible whose SubFormat is 0xFFFE', 'bad-guid', () => withData(dataBytes, { sub: 0xfffe }));

// -- Chunk order.
refuse('no fmt chunk, only LIST', 'missing-fmt', () => riff([chunk('LIST', ascii('INFO'))]));
refuse('no fmt chunk, data only', 'data-before-fmt', () => riff([chunk('data', dataBytes)]));
refuse('no data chunk', 'missing-data', () => riff([fmtChunk(), chunk('LIST', ascii('INFO'))]));
refuse('data before fmt', 'data-before-fmt', () => riff([chunk('data', dataBytes), fmtChunk()]));
refuse('two fmt chunks', 'duplicate-fmt', () => riff([fmtChunk(), fmtChunk(), chunk('data', dataBytes)]));
refuse('fmt after data', 'duplicate-fmt', () => riff([fmtChunk(), chunk('data', dataBytes), fmtChunk()]));
refuse('two data chunks', 'duplicate-data', () => riff([fmtChunk(), chunk('data', dataBytes), chunk('data', dataBytes)]));

// -- Structures that crash or hang other readers.
/** LIST(INFO, LIST(INFO, ... LIST(INFO))), depth levels, built flat (each level is 12 bytes of header). */
function nestedList(depth: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < depth; i++) out.push(...ascii('LIST'), ...u32(4 + 12 * (depth - 1 - i)), ...ascii('INFO'));
  return out;
}
accept('LIST nested 10,000 deep (skipped, not parsed)', good(), () => riff([nestedList(10_000), fmtChunk(), chunk('data', dataBytes)]));
accept('LIST nested 10,000 deep after the data', good(), () => riff([fmtChunk(), chunk('data', dataBytes), nestedList(10_000)]));
accept('10,000 empty chunks before fmt', good(), () => riff([...Array.from({ length: 10_000 }, () => chunk('pad ', [])), fmtChunk(), chunk('data', dataBytes)]));
accept("'cue ' chunk with a count of 0xFFFFFFFF", good(), () => riff([fmtChunk(), chunk('cue ', [...u32(0xffffffff), ...new Array(24).fill(0)]), chunk('data', dataBytes)]));
accept("'smpl' chunk with 0x7FFFFFFF loops", good(), () => riff([fmtChunk(), chunk('data', dataBytes), chunk('smpl', [...new Array(28).fill(0), ...u32(0x7fffffff), ...u32(0xffffffff)])]));
refuse("'cue ' chunk declaring 4 GB", 'truncated', () => riff([fmtChunk(), chunk('cue ', u32(0xffffffff), 0xffffffff)]));

// -- Sample values and frames.
refuse('float32 NaN', 'non-finite', () => withData([...f32(0.5), ...f32(NaN)], { tag: 3, bits: 32, channels: 1 }));
refuse('float32 +Infinity', 'non-finite', () => withData([...f32(Infinity)], { tag: 3, bits: 32, channels: 1 }));
refuse('float32 -Infinity', 'non-finite', () => withData([...f32(0), ...f32(-Infinity)], { tag: 3, bits: 32, channels: 2 }));
refuse('float64 NaN', 'non-finite', () => withData([...f64(NaN)], { tag: 3, bits: 64, channels: 1 }));
refuse('float64 Infinity in channel 2', 'non-finite', () => withData([...f64(0.1), ...f64(Infinity)], { tag: 3, bits: 64, channels: 2 }));
refuse('extensible float32 NaN', 'non-finite', () => withData([...f32(NaN)], { sub: 3, bits: 32, channels: 1 }));
accept('float64 1e300 (finite) is clipped', (r) => expect(Array.from(r.samples)).toEqual([1, -1]), () => withData([...f64(1e300), ...f64(-1e300)], { tag: 3, bits: 64, channels: 1 }));
for (const extra of [1, 2, 3]) refuse(`data of 100 frames + ${extra} byte(s)`, 'partial-frame', () => withData([...dataBytes, ...new Array(extra).fill(0)]));
refuse('24-bit stereo data of 5 bytes', 'partial-frame', () => withData([1, 2, 3, 4, 5], { bits: 24 }));
refuse('6-channel float64 data of 40 bytes', 'partial-frame', () => withData(new Array(40).fill(0), { tag: 3, bits: 64, channels: 6 }));

// -- Limits.
refuse('33 channels (default limit 32)', 'too-many-channels', () => withData(new Array(66).fill(0), { channels: 33 }));
refuse('65535 channels', 'too-many-channels', () => withData([], { channels: 65535, bits: 8, align: 65535, rate: 8000, byteRate: 8000 * 65535 }));
refuse('3 channels with maxChannels 2', 'too-many-channels', () => withData(new Array(6).fill(0), { channels: 3 }), { maxChannels: 2 });
accept('32 channels', (r) => expect(r.channels).toBe(32), () => withData(new Array(64).fill(0), { channels: 32 }));
refuse('601 s at 1 Hz (default limit 600 s)', 'too-long', () => withData(new Array(601).fill(128), { channels: 1, bits: 8, rate: 1 }));
accept('600 s at 1 Hz', (r) => expect(r.durationSeconds).toBe(600), () => withData(new Array(600).fill(128), { channels: 1, bits: 8, rate: 1 }));
refuse('12.5 ms with maxSeconds 0.01', 'too-long', () => BASE, { maxSeconds: 0.01 });
refuse('0xFFFFFFFF data longer than maxSeconds', 'too-long', () => withData(dataBytes, {}, [], 0xffffffff), { maxSeconds: 0.001 });
refuse('444 bytes with maxBytes 443', 'too-large', () => BASE, { maxBytes: 443 });
accept('444 bytes with maxBytes 444', good(), () => BASE, { maxBytes: 444 });
refuse('maxChannels 0', 'bad-limits', () => BASE, { maxChannels: 0 });
refuse('maxSeconds NaN', 'bad-limits', () => BASE, { maxSeconds: NaN });
refuse('maxBytes -1', 'bad-limits', () => BASE, { maxBytes: -1 });

const CODES = new Set(['empty', 'not-wav', 'rifx', 'rf64', 'truncated', 'too-large', 'missing-fmt', 'duplicate-fmt', 'data-before-fmt',
  'missing-data', 'duplicate-data', 'bad-fmt', 'unsupported-format', 'bad-guid', 'bad-channels', 'too-many-channels', 'bad-sample-rate',
  'unsupported-bits', 'bad-block-align', 'bad-byte-rate', 'partial-frame', 'non-finite', 'too-long', 'bad-limits']);

function attempt(bytes: Uint8Array, limits?: WavLimits): { result?: DecodedWav; error?: unknown } {
  try { return { result: decodeWav(bytes, limits) }; } catch (error) { return { error }; }
}
function wellFormed(r: DecodedWav, bytes: Uint8Array): void {
  expect(r.samples).toBeInstanceOf(Float32Array);
  // never more output than the input could hold: one float per frame of at least one byte
  expect(r.samples.length * r.channels * (r.bitsPerSample / 8)).toBeLessThanOrEqual(bytes.length);
  for (const v of r.samples) if (!(v >= -1 && v <= 1)) throw new Error(`sample ${v} outside [-1, 1]`);
}

describe('decodeWav: hostile corpus', () => {
  it('holds at least 100 cases with distinct names, and the base file is valid', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    good()(decodeWav(BASE));
  });
  for (const c of cases) {
    it(c.code ? `${c.name} → ${c.code}` : `${c.name} → decodes`, () => {
      const bytes = c.bytes();
      const { result, error } = attempt(bytes, c.limits);
      if (c.code) {
        expect(error, `expected ${c.code}, decoded instead`).toBeInstanceOf(WavError);
        expect((error as WavError).code).toBe(c.code);
        expect((error as WavError).message.length).toBeGreaterThan(10);
        expect(CODES.has(c.code)).toBe(true);
      } else {
        if (error) throw error;
        wellFormed(result!, bytes);
        c.check!(result!);
      }
    });
  }
});

describe('decodeWav: fuzz', () => {
  const seeds: Uint8Array[] = [
    BASE,
    riff([chunk('LIST', [...ascii('INFO'), ...chunk('INAM', ascii('x'))]), fmtChunk({ sub: 1, bits: 24, channels: 6, rate: 48000 }), chunk('data', new Array(6 * 3 * 20).fill(0x55)), chunk('cue ', [...u32(1), ...new Array(24).fill(0)])]),
    riff([fmtChunk({ tag: 3, bits: 32, channels: 1, rate: 16000 }), chunk('data', Array.from({ length: 50 }, (_, i) => f32(Math.sin(i))).flat(), 0xffffffff)]),
    riff([fmtChunk({ sub: 3, bits: 64, channels: 2, rate: 44100 }), chunk('data', Array.from({ length: 40 }, (_, i) => f64(Math.cos(i) * 0.9)).flat())]),
    riff([chunk('junk', [1, 2, 3]), fmtChunk({ bits: 8, channels: 1 }), chunk('data', Array.from({ length: 33 }, (_, i) => (i * 7) & 0xff))]),
  ];
  it('turns 4,000 seeded random mutations into WavError or a well-formed result', () => {
    const rng = new Random(20261126);
    const counts = new Map<string, number>();
    for (let iter = 0; iter < 4000; iter++) {
      const base = seeds[iter % seeds.length];
      let bytes = base.slice();
      const edits = 1 + rng.int(4);
      for (let e = 0; e < edits; e++) {
        const kind = rng.int(6);
        const at = rng.int(Math.max(1, bytes.length));
        if (kind === 0) bytes[at] = rng.int(256);                                   // one random byte
        else if (kind === 1) bytes[at] ^= 1 << rng.int(8);                         // one bit
        else if (kind === 2 && at + 4 <= bytes.length) {                           // a 32-bit size-like value
          const v = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, rng.nextUint32(), bytes.length, at][rng.int(8)] >>> 0;
          new DataView(bytes.buffer).setUint32(at, v, true);
        } else if (kind === 3) bytes = bytes.slice(0, rng.int(bytes.length + 1));   // truncation
        else if (kind === 4) {                                                       // insertion of random bytes
          const ins = new Uint8Array(rng.int(16));
          for (let i = 0; i < ins.length; i++) ins[i] = rng.int(256);
          const out = new Uint8Array(bytes.length + ins.length);
          out.set(bytes.subarray(0, at)); out.set(ins, at); out.set(bytes.subarray(at), at + ins.length);
          bytes = out;
        } else if (kind === 5 && at + 2 <= bytes.length) {                          // a 16-bit field
          new DataView(bytes.buffer).setUint16(at, [0, 1, 3, 0xfffe, 0xffff, rng.int(65536)][rng.int(6)], true);
        }
      }
      const { result, error } = attempt(bytes);
      if (error !== undefined) {
        if (!(error instanceof WavError) || !CODES.has(error.code)) throw new Error(`iteration ${iter}: ${String(error)}`, { cause: error });
        counts.set(error.code, (counts.get(error.code) ?? 0) + 1);
      } else {
        wellFormed(result!, bytes);
        counts.set('ok', (counts.get('ok') ?? 0) + 1);
      }
    }
    // the mutations reach both outcomes and several refusals
    expect(counts.get('ok') ?? 0).toBeGreaterThan(100);
    expect(counts.size).toBeGreaterThan(8);
  });
});
