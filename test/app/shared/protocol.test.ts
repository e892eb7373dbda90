// What the protocol accepts for the background recordings and clip thumbnails: paths as
// the engine lists them, nothing path-like beyond them, and bounded batches.
import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_CLIPS, methodSchemas } from '../../../app/shared/protocol.js';

const ok = (method: keyof typeof methodSchemas, params: unknown): boolean => methodSchemas[method].safeParse(params).success;

describe('background recording methods', () => {
  it('take a background path as dataset.backgrounds lists it', () => {
    for (const path of ['_background_noise_/room-2025-01-01T10-00-00-000Z.wav', '_background_noise_/HUM.WAV', '_background_noise_/kitchen noise.wav']) {
      expect(ok('dataset.readBackground', { path }), path).toBe(true);
      expect(ok('dataset.deleteBackground', { path }), path).toBe(true);
    }
    expect(ok('dataset.backgrounds', undefined)).toBe(true);
    expect(ok('dataset.backgrounds', {})).toBe(false);
  });

  it('refuse anything else: clips, other folders, traversal, hidden files, extra keys', () => {
    for (const path of [
      'yes/me_nohash_0.wav', '_background_noise_/../yes/me_nohash_0.wav', '_background_noise_/sub/x.wav', '_background_noise_/.x.wav',
      '/etc/passwd', '_background_noise_/x.txt', '_background_noise_\\x.wav', `_background_noise_/${'a'.repeat(300)}.wav`, '', 7,
    ]) {
      expect(ok('dataset.readBackground', { path }), String(path)).toBe(false);
      expect(ok('dataset.deleteBackground', { path }), String(path)).toBe(false);
    }
    expect(ok('dataset.deleteBackground', { path: '_background_noise_/x.wav', force: true })).toBe(false);
  });

  it('restore only what dataset.deleteBackground returns', () => {
    expect(ok('dataset.restoreBackground', { trashed: '.hark-trash/_background_noise_/hum.wav' })).toBe(true);
    expect(ok('dataset.restoreBackground', { trashed: '.hark-trash/_background_noise_/hum.wav.2' })).toBe(true);
    for (const trashed of ['_background_noise_/hum.wav', '.hark-trash/yes/me_nohash_0.wav', '.hark-trash/_background_noise_/../../x.wav', '.hark-trash/_background_noise_/hum.wav.x']) {
      expect(ok('dataset.restoreBackground', { trashed }), trashed).toBe(false);
    }
  });
});

describe('dataset.clipEnvelopes', () => {
  it(`takes 1 to ${MAX_ENVELOPE_CLIPS} clip paths`, () => {
    expect(ok('dataset.clipEnvelopes', { paths: ['yes/me_nohash_0.wav'] })).toBe(true);
    expect(ok('dataset.clipEnvelopes', { paths: Array.from({ length: MAX_ENVELOPE_CLIPS }, (_, i) => `yes/me_nohash_${i}.wav`) })).toBe(true);
    expect(ok('dataset.clipEnvelopes', { paths: [] })).toBe(false);
    expect(ok('dataset.clipEnvelopes', { paths: Array.from({ length: MAX_ENVELOPE_CLIPS + 1 }, (_, i) => `yes/me_nohash_${i}.wav`) })).toBe(false);
    expect(ok('dataset.clipEnvelopes', { paths: ['../etc/passwd.wav'] })).toBe(false);
    expect(ok('dataset.clipEnvelopes', { paths: ['_background_noise_/hum.wav/x'] })).toBe(false);
  });
});
