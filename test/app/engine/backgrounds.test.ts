// The engine's handlers for background recordings and clip thumbnails, over a real
// channel to an in-process EngineService: list, play, delete and undo background
// recordings; envelopes of the clips asked for, leaving out what is gone.
import { afterEach, describe, expect, it } from 'vitest';
import { ENVELOPE_POINTS } from '../../../app/shared/envelope.js';
import { encodeWav } from '../../../core/audio/wav.js';
import { inProcessEngine, tone } from './engine-harness.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function connected() {
  const { client } = await inProcessEngine(cleanup);
  await client.call('project.open', { name: 'words', create: true });
  return client;
}

describe('background recordings through the engine', () => {
  it('lists, reads, deletes and restores them', async () => {
    const client = await connected();
    expect(await client.call('dataset.backgrounds')).toEqual([]);
    const samples = tone(1.5, 60, 0.05);
    const { path } = await client.call('dataset.addBackground', { name: 'kitchen', samples });
    expect(await client.call('dataset.backgrounds')).toEqual([{ path, name: 'kitchen.wav', durationSeconds: 1.5 }]);

    const audio = await client.call('dataset.readBackground', { path });
    expect(audio.sampleRate).toBe(16000);
    expect(audio.samples.length).toBe(samples.length);
    expect(Math.max(...audio.samples.map((v, i) => Math.abs(v - samples[i])))).toBeLessThan(1 / 32767);

    const { trashed } = await client.call('dataset.deleteBackground', { path });
    expect(trashed).toBe('.hark-trash/_background_noise_/kitchen.wav');
    expect(await client.call('dataset.backgrounds')).toEqual([]);
    await expect(client.call('dataset.readBackground', { path })).rejects.toMatchObject({ code: 'not-found' });
    await expect(client.call('dataset.deleteBackground', { path })).rejects.toMatchObject({ code: 'not-found' });

    expect(await client.call('dataset.restoreBackground', { trashed })).toEqual({ path, name: 'kitchen.wav', durationSeconds: 1.5 });
    expect((await client.call('dataset.backgrounds')).map((b) => b.path)).toEqual([path]);
    await expect(client.call('dataset.restoreBackground', { trashed })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses paths that are not background recordings before the store sees them', async () => {
    const client = await connected();
    const clip = await client.call('dataset.addClip', { label: 'yes', speaker: 'alice', samples: tone(0.5, 440) });
    for (const path of [clip.path, '_background_noise_/../yes/alice_nohash_0.wav', '../../etc/passwd.wav']) {
      await expect(client.call('dataset.deleteBackground', { path } as never)).rejects.toMatchObject({ code: 'bad-arguments' });
      await expect(client.call('dataset.readBackground', { path } as never)).rejects.toMatchObject({ code: 'bad-arguments' });
    }
    const { trashed } = await client.call('dataset.deleteClip', { path: clip.path });
    await expect(client.call('dataset.restoreBackground', { trashed } as never)).rejects.toMatchObject({ code: 'bad-arguments' });
    // And a trashed background is not a clip to restore.
    await client.call('dataset.addBackground', { name: 'hum', samples: tone(0.5, 50, 0.05) });
    const bg = await client.call('dataset.deleteBackground', { path: '_background_noise_/hum.wav' });
    await expect(client.call('dataset.restoreClip', { trashed: bg.trashed })).rejects.toMatchObject({ code: 'bad-name' });
    expect(await client.call('dataset.clips')).toEqual([]);
  });
});

describe('a background recording with no audio', () => {
  it('is refused when uploaded as a WAV that is only a header, and the recordings stored stay as they were', async () => {
    const client = await connected();
    const { path } = await client.call('dataset.addBackground', { name: 'kitchen', samples: tone(1, 60, 0.05) });
    const stored = await client.call('dataset.backgrounds');
    const headerOnly = encodeWav(new Float32Array(0), 16000);
    const result = await client.call('dataset.importWavs', { files: [{ name: '_background_noise_/kitchen.wav', bytes: headerOnly }, { name: '_silence_/quiet.wav', bytes: headerOnly }] });
    expect(result.background).toEqual([]);
    expect(result.rejected.map((r) => [r.file, r.code])).toEqual([['_background_noise_/kitchen.wav', 'empty-audio'], ['_silence_/quiet.wav', 'empty-audio']]);
    expect(await client.call('dataset.backgrounds')).toEqual(stored);
    expect((await client.call('dataset.readBackground', { path })).samples.length).toBe(16000);
  });
});

describe('dataset.clipEnvelopes', () => {
  it('gives each clip asked for its (min, max) pairs, leaving out clips that are gone', async () => {
    const client = await connected();
    const loud = await client.call('dataset.addClip', { label: 'yes', speaker: 'alice', samples: tone(1, 440, 0.5) });
    const quiet = await client.call('dataset.addClip', { label: 'yes', speaker: 'bob', samples: tone(1, 440, 0.1) });
    const envelopes = await client.call('dataset.clipEnvelopes', { paths: [quiet.path, 'yes/nobody_nohash_0.wav', loud.path] });
    expect(envelopes.map((e) => e.path)).toEqual([quiet.path, loud.path]);
    for (const [e, amplitude] of [[envelopes[0], 0.1], [envelopes[1], 0.5]] as const) {
      expect(e.peaks).toBeInstanceOf(Float32Array);
      expect(e.peaks.length).toBe(2 * ENVELOPE_POINTS);
      expect(Math.max(...e.peaks)).toBeCloseTo(amplitude, 2);
      expect(Math.min(...e.peaks)).toBeCloseTo(-amplitude, 2);
    }
    await expect(client.call('dataset.clipEnvelopes', { paths: [] })).rejects.toMatchObject({ code: 'bad-arguments' });
  });
});
