// Huge WAV files that take no disk: a 44-byte header declaring the audio, the rest of the
// file made by extending it (truncate), so sparse zeros. For tests of what reading one costs.
import { open, writeFile } from 'node:fs/promises';

/** A file of just under 2 GiB: the largest fs.readFile reads whole (it refuses 2 GiB and more without reading), so the worst case for code that does. */
export const NEAR_2_GIB = 2 ** 31 - 4;

/** Writes a 16 kHz mono 16-bit PCM WAV file of `size` bytes whose header declares all of it as audio. */
export async function writeSparseWav(path: string, size: number): Promise<void> {
  const dataBytes = size - 44;
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  const ascii = (at: number, s: string): void => { for (let i = 0; i < 4; i++) h[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF'); v.setUint32(4, Math.min(0xffffffff, 36 + dataBytes), true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, 16000, true); v.setUint32(28, 32000, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
  ascii(36, 'data'); v.setUint32(40, dataBytes, true);
  await writeFile(path, h);
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}
