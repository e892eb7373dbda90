// dataset.importWavs and the length of one keyword clip: a legal 10-minute WAV offered as a
// clip is refused from its header with what to do instead; the same recording under
// _background_noise_ is background, and short clips beside it are imported.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { openDataset } from '../../../app/node/dataset/store.js';
import { MAX_CLIP_SECONDS } from '../../../app/node/wav-file.js';
import { importUploadedWavs } from '../../../app/engine/wav-upload.js';
import { MAX_WAV_BYTES } from '../../../app/shared/protocol.js';

const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

function noise(seconds: number, rate: number): Float32Array {
  const x = new Float32Array(Math.round(seconds * rate));
  let s = 7;
  for (let i = 0; i < x.length; i++) { s = (s * 1103515245 + 12345) >>> 0; x[i] = (s / 2 ** 32 - 0.5) * 0.01; }
  return x;
}

describe('importUploadedWavs and the clip limit', () => {
  it('refuses a 10-minute WAV offered as a keyword clip, saying it can be background; imports the rest', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hark-upload-'));
    dirs.push(root);
    const dataset = await openDataset(join(root, 'project', 'dataset'), { create: true });
    try {
      const tenMinutes = encodeWav(noise(600, 8000), 8000); // 9.6 MB: within what the protocol accepts
      expect(tenMinutes.length).toBeLessThanOrEqual(MAX_WAV_BYTES);
      const result = await importUploadedWavs(dataset, [
        { name: 'yes/alice_nohash_0.wav', bytes: encodeWav(noise(1, 16000), 16000) },
        { name: 'yes/alice_nohash_1.wav', bytes: tenMinutes },
        { name: '_background_noise_/kitchen.wav', bytes: encodeWav(noise(MAX_CLIP_SECONDS + 30, 8000), 8000) },
      ], {});
      expect(result.imported.map((e) => e.path)).toEqual(['yes/alice_nohash_0.wav']);
      expect(result.background).toHaveLength(1);
      expect(result.rejected).toHaveLength(1);
      const [rejection] = result.rejected;
      expect(rejection.file).toBe('yes/alice_nohash_1.wav');
      expect(rejection.code).toBe('clip-too-long');
      expect(rejection.message).toMatch(/600\.0 s long, too long for one keyword clip \(at most 30 s\)/);
      expect(rejection.message).toMatch(/background noise \(put it in a _background_noise_ folder\)/);
      expect(dataset.clips()).toHaveLength(1);
      // Nothing of the upload is left behind.
      expect((await readdir(join(root, 'project'))).filter((n) => n.startsWith('.upload-'))).toEqual([]);
    } finally {
      await dataset.close();
    }
  });
});
