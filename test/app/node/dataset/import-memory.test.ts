// Dataset.importFolder reads each WAV through a file handle (app/node/wav-file.ts): a
// file's header decides before its audio is read, so a ~2 GiB file in an import folder is
// refused in kilobytes — as a keyword clip it is too long for one, as background noise it
// is longer than a background recording may be — and the rest of the folder is imported.
import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../../../core/audio/wav.js';
import { MAX_BACKGROUND_SECONDS } from '../../../../app/node/wav-file.js';
import type { Rejection } from '../../../../app/node/dataset/store.js';
import { NEAR_2_GIB, writeSparseWav } from '../huge-wav.js';
import { datasetScratch } from './fixtures.js';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, '..', 'import-memory-child.ts');
const MB = 1024 * 1024;
const { tempDir, openDs } = datasetScratch('hark-import-memory-');
const tone = (n: number, rate = 16000): Float32Array => Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate));

describe('importFolder and huge files', () => {
  it('refuses a ~2 GiB clip and a ~2 GiB background recording from their headers, with peak memory growth under 200 MB', async () => {
    const src = await tempDir();
    await mkdir(join(src, 'yes'));
    await mkdir(join(src, '_background_noise_'));
    await writeSparseWav(join(src, 'yes', 'huge_nohash_0.wav'), NEAR_2_GIB);
    await writeSparseWav(join(src, '_background_noise_', 'huge.wav'), NEAR_2_GIB);
    expect((await stat(join(src, 'yes', 'huge_nohash_0.wav'))).size).toBe(NEAR_2_GIB);
    await writeFile(join(src, 'yes', 'bob_nohash_0.wav'), encodeWav(tone(16000), 16000));
    const dataset = join(await tempDir(), 'dataset');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, 'import', src, dataset], { cwd: join(import.meta.dirname, '../../../..') });
    const result = JSON.parse(stdout) as { imported: string[]; background: string[]; rejected: Rejection[]; peakGrowth: number };
    console.log(`two ~2 GiB files refused on import; peak memory growth ${(result.peakGrowth / MB).toFixed(1)} MB`);
    expect(result.imported).toEqual(['yes/bob_nohash_0.wav']);
    expect(result.background).toEqual([]);
    expect(result.rejected.map((r) => [r.file, r.code])).toEqual([
      ['_background_noise_/huge.wav', 'background-too-long'], ['yes/huge_nohash_0.wav', 'clip-too-long'],
    ]);
    expect(result.rejected[0].message).toMatch(/67108\.9 s long, too long for background noise \(at most 10 minutes\)/);
    expect(result.rejected[1].message).toMatch(/67108\.9 s long, too long for one keyword clip \(at most 30 s\)/);
    // Reading each file whole, as before, took over 2 GB at the peak.
    expect(result.peakGrowth).toBeLessThan(200 * MB);
  }, 120_000);

  it('takes background recordings up to MAX_BACKGROUND_SECONDS and refuses longer ones with the reason', async () => {
    expect(MAX_BACKGROUND_SECONDS).toBe(600);
    const src = await tempDir();
    await mkdir(join(src, '_background_noise_'));
    // Exactly the limit is taken (sparse zeros: no disk); one frame more is not.
    const at = (seconds: number): number => 44 + seconds * 32000;
    await writeSparseWav(join(src, '_background_noise_', 'a-at-limit.wav'), at(MAX_BACKGROUND_SECONDS));
    await writeSparseWav(join(src, '_background_noise_', 'b-over.wav'), at(MAX_BACKGROUND_SECONDS) + 2);
    const ds = await openDs(await tempDir());
    const r = await ds.importFolder(src);
    expect(r.background).toEqual(['_background_noise_/a-at-limit.wav']);
    expect(r.rejected.map((x) => [x.file, x.code])).toEqual([['_background_noise_/b-over.wav', 'background-too-long']]);
    expect(r.rejected[0].message).toMatch(/600\.0 s long, too long for background noise \(at most 10 minutes\): cut out/);
  }, 60_000);
});
