// The end-to-end scenarios the integration tests run over each transport (the forked
// engine here, the WebSocket host in test/app/host/serve.test.ts): a small dataset of
// three tone "words", training with progress events, the report, ONNX export and import,
// streamed audio turned into detections by both inference engines, and a cancelled and
// resumed run.
import { expect } from 'vitest';
import type { EngineClient } from '../../../app/shared/client.js';
import type { Detection, EngineEvent } from '../../../app/shared/protocol.js';
import { addToneWords, toneWord, TONE_WORDS, waitForEvent } from './tone-words.js';
import { featureCount, parseFeatureConfig } from '../../../core/features/config.js';
import { FeatureStream } from '../../../core/features/mfcc.js';
import { whichSet } from '../../../app/node/dataset/split.js';

export const SMALL = { cell: 'gru' as const, hiddenSize: 32, layers: 1, epochs: 40, seed: 1, augment: true };
/** Cancel and resume only need a run long enough to stop after its first epoch: a short
 * one keeps the scenario within its timeout on a loaded CI machine (40 epochs did not). */
const SHORT = { ...SMALL, epochs: 10 };

function collect(client: EngineClient): EngineEvent[] {
  const events: EngineEvent[] = [];
  client.onAny((e) => events.push(e));
  return events;
}

export async function trainExportImportListen(client: EngineClient): Promise<void> {
  await client.call('project.open', { name: 'tones', create: true });
  await addToneWords(client, 10);
  const events = collect(client);

  const done = waitForEvent(client, 'training.done');
  const job = await client.call('training.start', { name: 'first', recipe: SMALL });
  expect(job).toMatchObject({ state: 'running' });
  const { model, report, notMeasured } = await done;
  // Ten speakers: the dataset's own split by speaker serves, and the report is on speakers it never heard.
  if (!report) throw new Error(`no report: ${notMeasured}`);
  expect(notMeasured).toBeNull();
  expect(report.measuredOn).toMatchObject({ basis: 'speaker', heardSpeakers: 0 });
  expect(report.measuredOn?.clips).toBe(report.perClass.reduce((n, c) => n + c.support, 0));

  const progress = events.filter((e) => e.type === 'training.progress').map((e) => (e as { event: { type: string } }).event.type);
  expect(progress).toContain('prepare');
  expect(progress).toContain('start');
  expect(progress).toContain('epoch');
  expect(model).toMatchObject({ name: 'first', source: 'trained', active: true, cell: 'gru', hiddenSize: 32 });
  expect(model.labels).toEqual(expect.arrayContaining([...TONE_WORDS, '_background_']));
  expect(report.labels).toEqual(model.labels);
  expect(report.perClass.map((c) => c.label)).toEqual(model.labels);
  expect(report.confusion).toHaveLength(model.labels.length);
  for (const m of report.misclassified) expect(m.path).toMatch(/^(low|mid|high)\/.+\.wav$/);
  expect(report.accuracy).toBeGreaterThan(0.8);
  expect(await client.call('models.report', { id: model.id })).toEqual(report);
  expect((await client.call('training.list'))[0]).toMatchObject({ jobId: job.jobId, state: 'done', modelId: model.id });

  // Export → import gives a second model with the same labels.
  const exported = await client.call('models.exportOnnx', { id: model.id });
  const imported = await client.call('models.import', { name: 'reimported', bytes: exported.bytes });
  expect(imported).toMatchObject({ labels: model.labels, source: 'imported', active: false });

  // Live: a tone word between silences, pushed in 100 ms chunks, with each engine.
  for (const engine of ['typescript', 'onnxruntime'] as const) {
    const session = await client.call('live.start', { engine, options: { threshold: 0.6 } });
    expect(session).toMatchObject({ labels: model.labels, engine });
    const heard: string[] = [];
    const audio = new Float32Array(16000 * 3);
    audio.set(toneWord('high', 99), 16000);
    let posteriors = 0, highest = 0;
    const high = model.labels.indexOf('high');
    const events: Array<{ type: string; time: number; high?: number }> = [];
    const offs = [
      client.on('live.posteriors', (e) => {
        posteriors++;
        highest = Math.max(highest, e.values[high]);
        events.push({ type: 'posteriors', time: e.time, high: e.values[high] });
        expect(e.values).toBeInstanceOf(Float32Array);
        expect(e.values.length).toBe(model.labels.length);
      }),
      client.on('live.detection', (e) => { events.push({ type: 'detection', time: e.detection.time }); }),
    ];
    for (let i = 0; i < audio.length; i += 1600) {
      const { detections } = await client.call('live.pushAudio', { samples: audio.subarray(i, i + 1600) });
      heard.push(...detections.map((d) => d.label));
    }
    for (const off of offs) off();
    // The step that fired the detection reached the bars before the detection, even if the
    // 100 ms interval had held it back.
    const fired = events.findIndex((e) => e.type === 'detection');
    const step = events.slice(0, fired).find((e) => e.type === 'posteriors' && e.time === events[fired].time);
    expect(step?.high).toBeGreaterThanOrEqual(0.6);
    // decisions every 50 ms, posterior events at most every 100 ms of the 3 s (+ one sent
    // with the detection), and the bars saw the word cross its threshold
    expect(posteriors).toBeGreaterThan(10);
    expect(posteriors).toBeLessThanOrEqual(31);
    expect(highest).toBeGreaterThanOrEqual(0.6);
    expect(heard).toEqual(['high']);
    await client.call('live.stop');
  }

  // The renderer's way: feature frames computed with the model's settings, sent without
  // waiting for answers; detections come back as events.
  const session = await client.call('live.start', { options: { threshold: 0.6 } });
  const features = parseFeatureConfig(session.features);
  const stream = new FeatureStream(features);
  const F = featureCount(features);
  const detected: string[] = [];
  client.on('live.detection', (e) => detected.push(e.detection.label));
  const audio = new Float32Array(16000 * 3);
  audio.set(toneWord('low', 7), 16000);
  for (let i = 0; i < audio.length; i += 1600) {
    const frames = stream.push(audio.subarray(i, i + 1600));
    client.send('live.pushFrames', { session: session.session, frames, count: frames.length / F });
  }
  await client.call('live.stop'); // answered after every push before it
  expect(detected).toEqual(['low']);
  await expect(client.call('live.pushAudio', { samples: new Float32Array(160) })).rejects.toMatchObject({ code: 'not-listening' });
}

/** `seconds` of silence with the tone word in its second second. */
function wordBetweenSilences(word: (typeof TONE_WORDS)[number], seconds: number): Float32Array {
  const audio = new Float32Array(16000 * seconds);
  audio.set(toneWord(word, 99), 16000);
  return audio;
}

export async function cancelAndResume(client: EngineClient): Promise<void> {
  await client.call('project.open', { name: 'cancel', create: true });
  await addToneWords(client, 10);

  // A run cancelled after its first epoch, then resumed, ends with exactly the model an
  // uninterrupted run gives. (The end-of-epoch event, not a step: step events are
  // throttled, so a short epoch may send none.)
  const firstEpochDone = waitForEvent(client, 'training.progress', (e) => e.event.type === 'epoch' && (e.event as { epoch?: number }).epoch === 1);
  const job = await client.call('training.start', { name: 'resumed', recipe: SHORT });
  await firstEpochDone;
  await expect(client.call('training.start', { recipe: SHORT })).rejects.toMatchObject({ code: 'busy' });
  const cancelled = waitForEvent(client, 'training.cancelled');
  expect(await client.call('training.cancel', { jobId: job.jobId })).toMatchObject({ state: 'cancelled', resumable: true });
  expect(await cancelled).toMatchObject({ jobId: job.jobId, resumable: true });
  expect(await client.call('models.list')).toEqual([]);

  const resumedStart = waitForEvent(client, 'training.progress', (e) => e.jobId === job.jobId && e.event.type === 'start');
  const resumedDone = waitForEvent(client, 'training.done', (e) => e.jobId === job.jobId);
  expect(await client.call('training.resume', { jobId: job.jobId })).toMatchObject({ jobId: job.jobId, state: 'running' });
  expect(((await resumedStart).event as unknown as { resumedAtEpoch: number }).resumedAtEpoch).toBeGreaterThanOrEqual(1);
  const resumed = (await resumedDone).model;

  const freshDone = waitForEvent(client, 'training.done', (e) => e.jobId !== job.jobId);
  await client.call('training.start', { name: 'uninterrupted', recipe: SHORT });
  const fresh = (await freshDone).model;
  const bytes = async (id: string) => [...(await client.call('models.exportOnnx', { id })).bytes];
  expect(await bytes(resumed.id)).toEqual(await bytes(fresh.id));

  // Resuming after the clips changed is refused: the run could not be the same.
  const again = waitForEvent(client, 'training.progress', (e) => e.event.type === 'step');
  const second = await client.call('training.start', { recipe: { ...SHORT, epochs: 400 } });
  await again;
  await client.call('training.cancel', { jobId: second.jobId });
  const [first] = await client.call('dataset.clips');
  await client.call('dataset.deleteClip', { path: first.path });
  const failed = new Promise((resolve) => client.on('training.failed', resolve));
  await client.call('training.resume', { jobId: second.jobId });
  expect(await failed).toMatchObject({ jobId: second.jobId, error: { code: 'dataset-changed' } });
  await expect(client.call('training.cancel', { jobId: 'j-nope' })).rejects.toMatchObject({ code: 'not-found' });
}

/**
 * One person under the Record screen's default name: `me` hashes into the testing split, so
 * the speaker rule would leave nothing to train on. The run splits by take and reports on
 * held-out takes of the one voice; with too few takes it trains and says it is not measured.
 */
export async function onePersonTrains(client: EngineClient): Promise<void> {
  await client.call('project.open', { name: 'me-only', create: true });
  await addToneWords(client, 6, 'me');
  // The rule by speaker would put every clip in testing; the list shows the split a run uses instead.
  expect(whichSet('low/me_nohash_0.wav')).toBe('testing');
  const clips = await client.call('dataset.clips');
  for (const word of TONE_WORDS) {
    expect(clips.filter((c) => c.label === word).map((c) => c.split).sort()).toEqual(['testing', 'training', 'training', 'training', 'training', 'validation']);
  }
  const done = waitForEvent(client, 'training.done');
  await client.call('training.start', { name: 'mine', recipe: SHORT });
  const { report, notMeasured } = await done;
  if (!report) throw new Error(`no report: ${notMeasured}`);
  expect(report.measuredOn).toEqual({ basis: 'take', split: 'testing', clips: 3, speakers: 1, heardSpeakers: 1 });
  expect(report.perClass.filter((c) => c.support > 0).map((c) => c.label).sort()).toEqual([...TONE_WORDS].sort());

  await client.call('project.open', { name: 'two-takes', create: true });
  await addToneWords(client, 2, 'me');
  const second = waitForEvent(client, 'training.done');
  await client.call('training.start', { name: 'too few', recipe: SHORT });
  const few = await second;
  expect(few.report).toBeNull();
  expect(few.notMeasured).toMatch(/^Not measured: .*at least 3 takes/);
  expect(few.model.accuracy).toBeNull();
}

/**
 * Each finished run becomes the active model (issue 15: a second model used to stay
 * inactive, so Listen kept the first): after two runs with different words, the second is
 * the one active and the one live.start listens with. Its description says how the run went.
 * A session listening while the second run finishes switches to it ('live.switched'):
 * frames computed for the first model's session are dropped, the new session's are heard.
 */
export async function newestModelIsActive(client: EngineClient): Promise<void> {
  await client.call('project.open', { name: 'two-runs', create: true });
  await addToneWords(client, 10);
  const quick = { ...SHORT, epochs: 5 };
  const trainOn = async (name: string, words: string[]) => {
    const done = waitForEvent(client, 'training.done');
    await client.call('training.start', { name, words, recipe: quick });
    return (await done).model;
  };
  const first = await trainOn('two words', ['low', 'mid']);
  expect(first.active).toBe(true);
  const listening = await client.call('live.start', {});
  expect(listening).toMatchObject({ modelId: first.id, labels: first.labels });
  const switched = waitForEvent(client, 'live.switched');
  const second = await trainOn('three words', ['low', 'mid', 'high']);
  expect(second.active).toBe(true);
  const { session: now } = await switched;
  expect(now).toMatchObject({ modelId: second.id, labels: second.labels });
  expect(now.session).not.toBe(listening.session);
  // The new model decides on the new session's frames (its probabilities come, of its
  // words); the same frames sent for the old session are dropped.
  const features = parseFeatureConfig(now.features);
  const stream = new FeatureStream(features);
  const audio = wordBetweenSilences('high', 3);
  const blocks: Float32Array[] = [];
  for (let i = 0; i < audio.length; i += 1600) blocks.push(stream.push(audio.subarray(i, i + 1600)));
  const pushAll = async (session: number): Promise<Detection[]> => {
    const heard: Detection[] = [];
    for (const frames of blocks) heard.push(...(await client.call('live.pushFrames', { session, frames, count: frames.length / featureCount(features) })).detections);
    return heard;
  };
  const decided: string[][] = [];
  const off = client.on('live.posteriors', (e) => decided.push(e.labels));
  expect(await pushAll(listening.session)).toEqual([]);
  expect(decided).toEqual([]);
  await pushAll(now.session);
  off();
  expect(decided.length).toBeGreaterThan(5);
  expect(decided.every((labels) => labels.join() === second.labels.join())).toBe(true);
  await client.call('live.stop');
  const listed = await client.call('models.list');
  expect(listed.filter((m) => m.active).map((m) => m.name)).toEqual(['three words']);
  expect(second.training).toEqual({ epochs: expect.any(Number), maxEpochs: 5, keptEpoch: expect.any(Number) });
  expect(second.training!.keptEpoch).toBeLessThanOrEqual(second.training!.epochs);

  const session = await client.call('live.start', {});
  expect(session.labels).toEqual(second.labels);
  expect(session.labels).not.toEqual(first.labels);
  await client.call('live.stop');
}
