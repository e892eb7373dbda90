// loadFolder (what `hark train`, `eval` and `compare` read) reads each WAV through a file
// handle (app/node/wav-file.ts): a ~2 GiB file in the folder is refused from its header
// — a clip too long for one keyword clip, a background recording longer than one may be —
// in kilobytes, with a warning, and the rest of the folder is read.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { loadFolder } from '../../../app/cli/load-folder.js';
import { MAX_BACKGROUND_SECONDS } from '../../../app/node/wav-file.js';
import { NEAR_2_GIB, writeSparseWav } from '../node/huge-wav.js';
import { removeAll, tempDir } from './helpers.js';

const run = promisify(execFile);
const CHILD = join(import.meta.dirname, '..', 'node', 'import-memory-child.ts');
const MB = 1024 * 1024;
const dirs: string[] = [];
afterAll(() => removeAll(dirs));
const tone = (n: number): Uint8Array => encodeWav(Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000)), 16000);

describe('loadFolder and huge files', () => {
  it('skips a ~2 GiB clip and a ~2 GiB background recording from their headers, with peak memory growth under 200 MB', async () => {
    const root = await tempDir('hark-load-memory-', dirs);
    for (const d of ['yes', '_background_noise_']) await mkdir(join(root, d));
    await writeSparseWav(join(root, 'yes', 'huge_nohash_0.wav'), NEAR_2_GIB);
    await writeSparseWav(join(root, '_background_noise_', 'huge.wav'), NEAR_2_GIB);
    await writeFile(join(root, 'yes', 'bob_nohash_0.wav'), tone(16000));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, 'load-folder', root], { cwd: join(import.meta.dirname, '../../..') });
    const result = JSON.parse(stdout) as { clips: string[]; background: string[]; warnings: string[]; peakGrowth: number };
    console.log(`two ~2 GiB files skipped by loadFolder; peak memory growth ${(result.peakGrowth / MB).toFixed(1)} MB`);
    expect(result.clips).toEqual(['yes/bob_nohash_0.wav']);
    expect(result.background).toEqual([]);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(/^skipped _background_noise_\/huge\.wav: .*67108\.9 s long, too long for background noise \(at most 10 minutes\)/);
    expect(result.warnings[1]).toMatch(/^skipped yes\/huge_nohash_0\.wav: .*67108\.9 s long, too long for one keyword clip \(at most 30 s\)/);
    // Reading each file whole, as before, took over 2 GB at the peak.
    expect(result.peakGrowth).toBeLessThan(200 * MB);
  }, 120_000);

  it('reads background recordings up to MAX_BACKGROUND_SECONDS and skips longer ones', async () => {
    const root = await tempDir('hark-load-bg-', dirs);
    for (const d of ['yes', '_background_noise_']) await mkdir(join(root, d));
    await writeFile(join(root, 'yes', 'bob_nohash_0.wav'), tone(16000));
    const at = (seconds: number): number => 44 + seconds * 32000; // 16 kHz 16-bit mono; sparse zeros
    await writeSparseWav(join(root, '_background_noise_', 'a-at-limit.wav'), at(MAX_BACKGROUND_SECONDS));
    await writeSparseWav(join(root, '_background_noise_', 'b-over.wav'), at(MAX_BACKGROUND_SECONDS) + 2);
    const f = await loadFolder(root, { background: true });
    expect(f.background.map((b) => [b.path, b.samples.length])).toEqual([['_background_noise_/a-at-limit.wav', MAX_BACKGROUND_SECONDS * 16000]]);
    expect(f.warnings).toEqual([expect.stringMatching(/^skipped _background_noise_\/b-over\.wav: .*600\.0 s long, too long for background noise/)]);
  }, 60_000);
});
