// The engine over a real child process: projects, the dataset, the model library.
import { describe, expect, it } from 'vitest';
import { SequenceClassifier } from '../../../core/nn/classifier.js';
import { exportOnnx } from '../../../core/onnx/export.js';
import { importOnnx } from '../../../core/onnx/import.js';
import { encodeWav } from '../../../core/audio/wav.js';
import { EngineError } from '../../../app/shared/engine-error.js';
import { PROTOCOL_VERSION } from '../../../app/shared/protocol.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { engineScratch, tone } from './engine-harness.js';

const scratch = engineScratch();

describe('engine over child_process.fork', () => {
  it('reports itself', async () => {
    const { client, supervisor } = await scratch.start();
    const info = await client.call('engine.info');
    expect(info).toMatchObject({ protocol: PROTOCOL_VERSION, version: '0.0.0-test', host: 'node', engines: ['typescript', 'onnxruntime'] });
    expect(info.pid).toBe(supervisor.pid);
  });

  it('creates a project and edits its dataset: add, relabel, delete, restore, read back', async () => {
    const { client } = await scratch.start();
    await expect(client.call('dataset.clips')).rejects.toMatchObject({ code: 'no-project' });
    await expect(client.call('project.open', { name: 'words' })).rejects.toBeInstanceOf(EngineError);

    const opened = await client.call('project.open', { name: 'words', create: true });
    expect(opened).toMatchObject({ name: 'words', clips: [], labels: [] });
    expect(await client.call('project.list')).toEqual([{ name: 'words' }]);

    const samples = tone(0.5, 440);
    const yes = await client.call('dataset.addClip', { label: 'yes', speaker: 'alice', samples });
    expect(yes).toMatchObject({ path: 'yes/alice_nohash_0.wav', label: 'yes', speaker: 'alice', durationSeconds: 0.5 });
    await client.call('dataset.addClip', { label: 'no', speaker: 'bob', samples: tone(0.25, 220) });
    expect(await client.call('dataset.labels')).toEqual(['no', 'yes']);

    const audio = await client.call('dataset.readClip', { path: yes.path });
    expect(audio.samples).toBeInstanceOf(Float32Array);
    expect(audio.samples.length).toBe(samples.length);
    // 16-bit WAV on disk: equal to one quantisation step.
    expect(Math.max(...audio.samples.map((v, i) => Math.abs(v - samples[i])))).toBeLessThan(1 / 32767);

    const moved = await client.call('dataset.relabel', { path: yes.path, label: 'no' });
    expect(moved.path).toBe('no/alice_nohash_0.wav');
    const { trashed } = await client.call('dataset.deleteClip', { path: moved.path });
    expect((await client.call('dataset.clips')).map((c) => c.path)).toEqual(['no/bob_nohash_0.wav']);
    const restored = await client.call('dataset.restoreClip', { trashed });
    expect(restored).toMatchObject({ label: 'no', speaker: 'alice' });
    expect((await client.call('dataset.clips')).length).toBe(2);

    const bg = await client.call('dataset.addBackground', { name: 'kitchen', samples: tone(1, 50, 0.05) });
    expect(bg.path).toBe('_background_noise_/kitchen.wav');

    // Unknown clip, path tricks: typed errors.
    await expect(client.call('dataset.readClip', { path: 'yes/nobody_nohash_9.wav' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(client.call('dataset.readClip', { path: '../../etc/passwd.wav' })).rejects.toMatchObject({ code: 'bad-arguments' });
    await expect(client.call('project.open', { name: '../escape' })).rejects.toMatchObject({ code: 'bad-arguments' });
  });

  it('imports picked WAV files (bytes, not paths) and reports the bad ones', async () => {
    const { client } = await scratch.start();
    await client.call('project.open', { name: 'imports', create: true });
    const wav = encodeWav(tone(0.3, 300), 16000);
    const result = await client.call('dataset.importWavs', {
      files: [
        { name: 'go/carol_nohash_0.wav', bytes: wav },
        { name: '../../go/../dave_nohash_1.wav', bytes: wav }, // no folder left: needs a label
        { name: 'stop/broken.wav', bytes: new Uint8Array([1, 2, 3, 4]) },
        { name: '_background_noise_/hum.wav', bytes: wav },
      ],
    });
    expect(result.imported.map((c) => c.path)).toEqual(['go/carol_nohash_0.wav', 'go/dave_nohash_0.wav']);
    expect(result.background).toEqual(['_background_noise_/hum.wav']);
    expect(result.rejected.map((r) => r.file)).toEqual(['stop/broken.wav']);

    // A folder import needs a grant from the host; a made-up one is refused.
    await expect(client.call('dataset.importFolder', { grant: 'abcdefabcdef' })).rejects.toMatchObject({ code: 'not-allowed' });
  });

  it('imports, lists, activates, renames, exports and deletes models', async () => {
    const { client } = await scratch.start();
    await client.call('project.open', { name: 'models', create: true });
    const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 6, layers: 1, classes: 3, dropout: 0, pooling: 'last' }, { seed: 3 });
    const bytes = exportOnnx(model, { labels: ['a', 'b', 'c'], features: { ...DEFAULT_FEATURE_CONFIG } });

    const info = await client.call('models.import', { name: 'mine', bytes });
    expect(info).toMatchObject({ name: 'mine', labels: ['a', 'b', 'c'], cell: 'gru', hiddenSize: 6, layers: 1, source: 'imported', active: false, accuracy: null });
    expect((await client.call('models.activate', { id: info.id })).active).toBe(true);
    expect((await client.call('models.rename', { id: info.id, name: 'renamed' })).name).toBe('renamed');
    expect(await client.call('models.list')).toEqual([expect.objectContaining({ id: info.id, name: 'renamed', active: true })]);

    const exported = await client.call('models.exportOnnx', { id: info.id });
    expect(exported.fileName).toBe('renamed.onnx');
    expect(importOnnx(exported.bytes).labels).toEqual(['a', 'b', 'c']);
    // The library keeps models as .hark files; its ONNX export computes what the imported file did.
    const back = importOnnx(exported.bytes).model;
    const F = featureCount(DEFAULT_FEATURE_CONFIG), T = 20;
    const x = Float32Array.from({ length: T * F }, (_, i) => Math.sin(i));
    const [ours, theirs] = [model.forward(x, T, 1), back.forward(x, T, 1)];
    for (let c = 0; c < 3; c++) expect(theirs[c]).toBeCloseTo(ours[c], 6);

    await expect(client.call('models.import', { name: 'junk', bytes: new Uint8Array(100).fill(7) })).rejects.toBeInstanceOf(EngineError);
    // An ONNX model that does not say which features it takes cannot be fed audio: refused.
    const noFeatures = exportOnnx(model, { labels: ['a', 'b', 'c'] });
    await expect(client.call('models.import', { name: 'blind', bytes: noFeatures })).rejects.toMatchObject({ code: 'no-feature-settings' });
    await client.call('models.delete', { id: info.id });
    expect(await client.call('models.list')).toEqual([]);
    await expect(client.call('models.activate', { id: info.id })).rejects.toMatchObject({ code: 'not-found' });
  });
});
