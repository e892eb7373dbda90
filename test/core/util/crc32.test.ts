// CRC-32 (IEEE 802.3): the standard check value, edge cases, start/end ranges, and
// agreement with Node's zlib.crc32 (Node ≥ 20.15) and with a bitwise reference written here.
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../core/util/crc32.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Bit-at-a-time CRC-32 straight from the definition (reflected, poly 0xEDB88320, init/xorout ~0). */
function bitwiseCrc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Deterministic pseudo-random bytes (an LCG of the test's own). */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; out[i] = s >>> 24; }
  return out;
}

const nodeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

describe('crc32', () => {
  it('gives the standard check value 0xCBF43926 for "123456789"', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
  });

  it('gives 0 for empty input (and for an empty range)', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('abc'), 2, 2)).toBe(0);
  });

  it('matches other published values', () => {
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(Uint8Array.of(0))).toBe(0xd202ef8d);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it('always returns an unsigned 32-bit integer', () => {
    for (let n = 0; n < 64; n++) {
      const c = crc32(randomBytes(n, n + 1));
      expect(Number.isInteger(c) && c >= 0 && c <= 0xffffffff).toBe(true);
    }
  });

  it('honours start and end: crc32(b, s, e) = crc32(b.subarray(s, e))', () => {
    const b = randomBytes(300, 7);
    for (const [s, e] of [[0, 300], [0, 299], [1, 300], [17, 18], [100, 250]]) {
      expect(crc32(b, s, e)).toBe(bitwiseCrc32(b.subarray(s, e)));
    }
    expect(crc32(b, 5)).toBe(bitwiseCrc32(b.subarray(5)));
  });

  it('works on a view at a non-zero byte offset', () => {
    const b = randomBytes(100, 9);
    expect(crc32(b.subarray(13, 77))).toBe(bitwiseCrc32(b.slice(13, 77)));
  });

  it('agrees with a bitwise reference on random buffers', () => {
    for (let i = 0; i < 50; i++) {
      const b = randomBytes(i * 37 + (i % 5), 1000 + i);
      expect(crc32(b)).toBe(bitwiseCrc32(b));
    }
  });

  it('detects every single-bit error in a buffer', () => {
    const b = randomBytes(64, 3);
    const base = crc32(b);
    for (let i = 0; i < b.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        b[i] ^= 1 << bit;
        expect(crc32(b)).not.toBe(base);
        b[i] ^= 1 << bit;
      }
    }
    expect(crc32(b)).toBe(base);
  });

  it.runIf(typeof nodeCrc32 === 'function')('agrees with Node\'s zlib.crc32 on random buffers', () => {
    const z = nodeCrc32 as (data: Uint8Array) => number;
    expect(z(ascii('123456789'))).toBe(0xcbf43926); // sanity of the peer itself
    for (let i = 0; i < 100; i++) {
      const b = randomBytes((i * 97) % 5000, i + 1);
      expect(crc32(b), `buffer ${i} of ${b.length} bytes`).toBe(z(b));
    }
    const big = randomBytes(1 << 20, 42);
    expect(crc32(big)).toBe(z(big));
  });
});
