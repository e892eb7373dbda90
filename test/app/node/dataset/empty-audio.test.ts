// Audio with no samples is refused wherever it would enter the dataset: a WAV file that is
// only a header (a valid RIFF/WAVE header, a data chunk of zero bytes), imported as a
// background recording (from `_background_noise_/` or `_silence_/`) or as a clip, and empty
// samples given to addBackground or addClip. Each is refused with DatasetError
// 'empty-audio', the rest of the import goes in, and nothing already stored is lost.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../../core/audio/wav.js';
import { DatasetError } from '../../../../app/node/dataset/atomic.js';
import { datasetScratch } from './fixtures.js';

const { tempDir, openDs } = datasetScratch('hark-empty-audio-');

/** A valid WAV header with no audio after it, at `rate` with `channels` (16-bit). */
function headerOnly(rate = 16000, channels = 1): Uint8Array {
  const bytes = new Uint8Array(44);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => { for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i); };
  ascii(0, 'RIFF'); view.setUint32(4, 36, true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, channels, true);
  view.setUint32(24, rate, true); view.setUint32(28, rate * channels * 2, true); view.setUint16(32, channels * 2, true); view.setUint16(34, 16, true);
  ascii(36, 'data'); view.setUint32(40, 0, true);
  return bytes;
}

const tone = (n: number) => Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin(i / 5));

async function withStored() {
  const ds = await openDs(join(await tempDir(), 'ds'), { create: true });
  const clip = await ds.addClip('yes', 'ann', tone(8000));
  const background = await ds.addBackground('kitchen', tone(16000));
  const stored = async () => ({
    clips: ds.clips().map((c) => c.path),
    backgrounds: await ds.backgrounds(),
    files: await readdir(join(ds.root, '_background_noise_')),
    background: await readFile(join(ds.root, background)),
  });
  return { ds, clip, background, before: await stored(), stored };
}

describe('audio with no samples', () => {
  it('is a header-only WAV that core reads as zero samples (the case refused below)', async () => {
    const { decodeWav } = await import('../../../../core/audio/wav.js');
    expect(decodeWav(headerOnly()).samples.length).toBe(0);
    expect(decodeWav(headerOnly(44100, 2)).samples.length).toBe(0);
  });

  it('is refused as a background recording on import, from either background folder, while the rest goes in and nothing stored is lost', async () => {
    const { ds, before, stored } = await withStored();
    const src = await tempDir();
    for (const folder of ['_background_noise_', '_silence_', 'no']) await mkdir(join(src, folder));
    await writeFile(join(src, '_background_noise_', 'kitchen.wav'), headerOnly()); // the name of the one stored
    await writeFile(join(src, '_silence_', 'quiet.wav'), headerOnly(44100, 2));
    await writeFile(join(src, '_background_noise_', 'street.wav'), encodeWav(tone(16000), 16000));
    await writeFile(join(src, 'no', 'bob_nohash_0.wav'), headerOnly());

    const result = await ds.importFolder(src);
    expect(result.background).toEqual(['_background_noise_/street.wav']);
    expect(result.imported).toEqual([]);
    expect(result.rejected.map((r) => [r.file, r.code])).toEqual([
      ['_background_noise_/kitchen.wav', 'empty-audio'],
      ['_silence_/quiet.wav', 'empty-audio'],
      ['no/bob_nohash_0.wav', 'empty-audio'],
    ]);
    expect(result.rejected[0].message).toBe('the background recording has no audio (not one sample): nothing to learn from');
    expect(result.rejected[2].message).toBe('the clip has no audio (not one sample): nothing to learn from');

    const after = await stored();
    expect(after.clips).toEqual(before.clips);
    expect(after.background).toEqual(before.background);
    expect(after.backgrounds).toEqual([...before.backgrounds, { path: '_background_noise_/street.wav', name: 'street.wav', durationSeconds: 1 }]);
    expect(after.files).toEqual(['kitchen.wav', 'street.wav']); // no empty file, no temp file left
  });

  it('is refused by addBackground and addClip with the same typed error, writing nothing', async () => {
    const { ds, before, stored } = await withStored();
    const refusal = { code: 'empty-audio' };
    await expect(ds.addBackground('kitchen', new Float32Array(0))).rejects.toBeInstanceOf(DatasetError);
    await expect(ds.addBackground('hall', new Float32Array(0))).rejects.toMatchObject(refusal);
    await expect(ds.addClip('yes', 'ann', new Float32Array(0))).rejects.toMatchObject(refusal);
    expect(await stored()).toEqual(before);
  });
});
