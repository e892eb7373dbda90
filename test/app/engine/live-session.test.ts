// LiveSession's posterior events: at most one per 100 ms of stream time, and the step that
// fires a detection is sent before it even when the interval held it back. The inference
// engine is scripted (a crossing on a chosen decision), the detector and its rule are real.
import { describe, expect, it, vi } from 'vitest';
import { LiveSession } from '../../../app/engine/live-session.js';
import { EngineServiceError } from '../../../app/engine/service-error.js';
import type { OpenProject } from '../../../app/engine/projects.js';
import type { EngineEvent } from '../../../app/shared/protocol.js';
import type { InferenceEngine } from '../../../core/inference/engine.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import { liveBudgetProblem } from '../../../core/features/budget.js';
import type { SequenceClassifier } from '../../../core/nn/classifier.js';
import type { KwsModel } from '../../../core/kws/recipe.js';
import { DEFAULT_THRESHOLD } from '../../../core/kws/decision.js';

const LABELS = ['_background_', '_unknown_', 'yes'];
const F = featureCount(DEFAULT_FEATURE_CONFIG);

/** An engine whose decision number `fireAt` (from 0) says "yes" with 0.96 (over the default threshold), every other one background. */
function scripted(fireAt: number): InferenceEngine {
  let runs = 0;
  return {
    kind: 'typescript', description: 'scripted', features: F, classes: LABELS.length,
    run: async () => Float32Array.from(runs++ === fireAt ? [0.04, 0, 0.96] : [1, 0, 0]),
    createStream: () => { throw new Error('not used'); },
    dispose: async () => undefined,
  };
}

function session(fireAt: number, calibration: KwsModel['calibration'] = null): { live: LiveSession; events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  const model = { model: { config: { cell: 'lstm', inputSize: F, hiddenSize: 8, layers: 1, classes: LABELS.length } } as SequenceClassifier, labels: LABELS, features: DEFAULT_FEATURE_CONFIG, calibration };
  const project = { models: { activeId: async () => 'm', load: async () => ({ model }) } } as unknown as OpenProject;
  return { live: new LiveSession(() => project, (e) => events.push(e), async () => scripted(fireAt)), events };
}

const times = (events: EngineEvent[], type: string): number[] => events.filter((e) => e.type === type).map((e) => (e as { time?: number; detection?: { time: number } }).time ?? (e as { detection: { time: number } }).detection.time);

describe('LiveSession posterior events', () => {
  for (const [fireAt, what] of [[3, 'held back by the interval'], [4, 'sent anyway']] as const) {
    it(`sends the step that fires a detection before it (a step ${what}), and at most one step per 100 ms otherwise`, async () => {
      const { live, events } = session(fireAt);
      // Word end off: the scripted posteriors come with silent frames.
      const { session: id } = await live.start({ options: { threshold: 0.6, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
      const frames = new Float32Array(10 * F); // 100 ms a push: two decisions, the second held back
      for (let i = 0; i < 20; i++) await live.pushFrames(frames, 10, id);
      await live.stop();

      const detections = times(events, 'live.detection');
      expect(detections).toHaveLength(1);
      const fired = events.findIndex((e) => e.type === 'live.detection');
      const before = events[fired - 1];
      expect(before.type).toBe('live.posteriors');
      expect((before as { time: number }).time).toBe(detections[0]);
      expect(Array.from((before as { values: Float32Array }).values)).toEqual([0.04, 0, 0.96].map(Math.fround));

      // Apart from the one sent with the detection, consecutive events are ≥ 100 ms apart.
      const sent = events.filter((e, i) => e.type === 'live.posteriors' && !(fireAt === 3 && i === fired - 1)).map((e) => (e as { time: number }).time);
      for (let i = 1; i < sent.length; i++) expect(sent[i] - sent[i - 1]).toBeGreaterThanOrEqual(0.1 - 1e-9);
      expect(sent.length).toBeGreaterThan(5);
    });
  }
});

describe('LiveSession with posteriors turned off (the window hidden)', () => {
  it('sends no posterior event, not even the one that fires, but every detection; turned on, they come again', async () => {
    const { live, events } = session(3);
    const { session: id } = await live.start({ options: { threshold: 0.6, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    await live.setPosteriors(false);
    const frames = new Float32Array(10 * F);
    for (let i = 0; i < 20; i++) await live.pushFrames(frames, 10, id);
    expect(events.map((e) => e.type)).toEqual(['live.detection']);

    await live.setPosteriors(true);
    for (let i = 0; i < 10; i++) await live.pushFrames(frames, 10, id);
    await live.stop();
    expect(events.filter((e) => e.type === 'live.posteriors').length).toBeGreaterThan(5);
  });

  it('is refused with a typed error when not listening', async () => {
    const { live } = session(3);
    await expect(live.setPosteriors(false)).rejects.toMatchObject({ code: 'not-listening' });
  });
});

describe('LiveSession thresholds', () => {
  const calibration = { thresholds: { yes: 0.97 }, words: [{ label: 'yes', threshold: 0.97, falseActivations: 0, reached: true }], seconds: 200, targetPerHour: 1 };
  const run = async (live: LiveSession, events: EngineEvent[]): Promise<number> => {
    const frames = new Float32Array(10 * F);
    for (let i = 0; i < 20; i++) await live.pushFrames(frames, 10, 1); // each test's session is its LiveSession's first
    await live.stop();
    return times(events, 'live.detection').length;
  };

  it('are the model\'s calibrated ones unless the options give one: "yes" at 0.96 stays under its 0.97', async () => {
    const calibrated = session(3, calibration);
    const info = await calibrated.live.start({ options: { smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    expect(info.thresholds).toEqual({ yes: 0.97 });
    expect(await run(calibrated.live, calibrated.events)).toBe(0);

    const own = session(3, calibration);
    await own.live.start({ options: { threshold: 0.9, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    expect(await run(own.live, own.events)).toBe(1);

    // Without a calibration, the detector's default (DEFAULT_THRESHOLD, under 0.96) applies: 0.96 fires.
    expect(DEFAULT_THRESHOLD).toBeLessThan(0.96);
    const none = session(3);
    expect((await none.live.start({ options: { smoothingMs: 50, maxTrailingSilenceMs: 1000 } })).thresholds).toBeNull();
    expect(await run(none.live, none.events)).toBe(1);
  });

  it('switch between the user\'s and the calibrated ones while listening', async () => {
    const { live, events } = session(6, calibration);
    await live.start({ options: { threshold: 0.9, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    await live.setOptions({ smoothingMs: 50, maxTrailingSilenceMs: 1000 }); // back to calibrated before decision 6
    expect(await run(live, events)).toBe(0);
  });
});

/** Two models of different words and feature settings (B's frames have no deltas: half A's values). */
const A = { labels: ['_background_', '_unknown_', 'yes'], features: { ...DEFAULT_FEATURE_CONFIG } };
const B = { labels: ['_background_', '_unknown_', 'no', 'go'], features: { ...DEFAULT_FEATURE_CONFIG, deltas: false } };
const models: Record<string, typeof A> = { a: A, b: B };

/** An engine for `m` that says its last word with 0.96 at every decision, and counts its runs and whether it was disposed. */
function word(m: typeof A) {
  const engine = {
    runs: 0, disposed: false,
    kind: 'typescript' as const, description: `${m.labels.length} classes`, features: featureCount(m.features), classes: m.labels.length,
    run: async () => { engine.runs++; return Float32Array.from(m.labels, (_, i) => (i === m.labels.length - 1 ? 0.96 : 0.04 / (m.labels.length - 1))); },
    createStream: () => { throw new Error('not used'); },
    dispose: async () => { engine.disposed = true; },
  };
  return engine;
}

/**
 * A project whose active model is `active.id` ('c' cannot be loaded), and the engines made
 * for it, in order. `hiddenSize`: a model's units (default 8: cheap at any hop); `loaded`:
 * loading a model other than a waits for it. `loads`: the models asked for, in order.
 */
function following({ hiddenSize = {}, loaded }: { hiddenSize?: Record<string, number>; loaded?: Promise<void> } = {}) {
  const events: EngineEvent[] = [];
  const active = { id: 'a' as string | null };
  const engines: Array<ReturnType<typeof word> & { model: string }> = [];
  const loads: string[] = [];
  const project = {
    models: {
      activeId: async () => active.id,
      load: async (id: string) => {
        loads.push(id);
        if (id !== 'a') await loaded;
        const m = models[id];
        if (!m) throw new EngineServiceError('not-found', `no model ${JSON.stringify(id)}`);
        const model = { model: { config: { cell: 'lstm', inputSize: featureCount(m.features), hiddenSize: hiddenSize[id] ?? 8, layers: 1, classes: m.labels.length } } as SequenceClassifier, labels: m.labels, features: m.features, calibration: null };
        return { model };
      },
    },
  } as unknown as OpenProject;
  const live = new LiveSession(() => project, (e) => events.push(e), async (_, model) => {
    const id = model.config.classes === A.labels.length ? 'a' : 'b';
    const engine = Object.assign(word(models[id]), { model: id });
    engines.push(engine);
    return engine;
  });
  return { live, events, active, engines, loads };
}

const OPTIONS = { threshold: 0.6, smoothingMs: 50, maxTrailingSilenceMs: 1000, refractoryMs: 0 };
/** Pushes a second of frames of `m`'s layout (100 frames: the window fills, one decision) under `session`. */
const second = (live: LiveSession, m: typeof A, session: number) => live.pushFrames(new Float32Array(100 * featureCount(m.features)), 100, session);
const switched = (events: EngineEvent[]) => events.filter((e): e is Extract<EngineEvent, { type: 'live.switched' }> => e.type === 'live.switched');

describe('LiveSession follows the active model', () => {
  it('switches a running session to a newly active model, with the same engine and options, and says so with the new session', async () => {
    const { live, events, active, engines } = following();
    const started = await live.start({ options: OPTIONS });
    expect(started).toMatchObject({ modelId: 'a', labels: A.labels, features: A.features });
    expect((await second(live, A, started.session)).detections.map((d) => d.label)).toEqual(['yes']);

    active.id = 'b'; // a training run finished (or the user activated b) while listening
    await live.followActiveModel();
    const [event] = switched(events);
    expect(event.session).toMatchObject({ modelId: 'b', labels: B.labels, features: B.features, engine: 'typescript', thresholds: null });
    expect(event.session.session).not.toBe(started.session);
    expect(engines.map((e) => [e.model, e.disposed])).toEqual([['a', true], ['b', false]]);

    // Frames still on their way for the old session (A's layout) are dropped, not fed to B.
    expect(await second(live, A, started.session)).toEqual({ detections: [] });
    expect(engines[1].runs).toBe(0);
    // Frames for the new one are B's, and B decides: its word, at the threshold the session was started with.
    expect((await second(live, B, event.session.session)).detections.map((d) => d.label)).toEqual(['go']);
    // Audio suits any model: it goes to B.
    const { detections } = await live.pushAudio(new Float32Array(16000));
    expect(detections.every((d) => B.labels.includes(d.label))).toBe(true);
    await live.stop();
    expect(engines[1].disposed).toBe(true);
  });

  it('runs the pushes that came before the switch on the old model and those after on the new', async () => {
    const { live, events, active, engines } = following();
    const { session } = await live.start({ options: OPTIONS });
    const before = second(live, A, session); // not awaited: queued ahead of the switch
    active.id = 'b';
    const pending = live.followActiveModel();
    expect((await before).detections.map((d) => d.label)).toEqual(['yes']);
    await pending;
    const next = switched(events)[0].session.session;
    expect((await second(live, B, next)).detections.map((d) => d.label)).toEqual(['go']);
    expect(engines.map((e) => [e.model, e.runs])).toEqual([['a', 1], ['b', 1]]);
    await live.stop();
  });

  it('keeps the options set while listening, and is told each later switch', async () => {
    const { live, events, active } = following();
    await live.start({ options: OPTIONS });
    await live.setOptions({ ...OPTIONS, threshold: 0.99 }); // over every word's 0.96
    active.id = 'b';
    await live.followActiveModel();
    expect((await second(live, B, switched(events)[0].session.session)).detections).toEqual([]);
    active.id = 'a';
    await live.followActiveModel();
    expect(switched(events).map((e) => e.session.modelId)).toEqual(['b', 'a']);
    await live.stop();
  });

  it('does nothing when not listening, when the active model is the session\'s, or when none is active', async () => {
    const { live, events, active, engines } = following();
    active.id = 'b';
    await live.followActiveModel(); // not listening
    active.id = 'a';
    const { session } = await live.start({ options: OPTIONS });
    await live.followActiveModel(); // already a's (a rename, an import)
    active.id = null; // the active model was deleted: the session keeps the one it has
    await live.followActiveModel();
    expect(events).toEqual([]);
    expect((await second(live, A, session)).detections.map((d) => d.label)).toEqual(['yes']);
    expect(engines.map((e) => e.model)).toEqual(['a']);
    await live.stop();
  });

  it('goes on with the model it has, and says why, when the new one cannot be loaded', async () => {
    const { live, events, active } = following();
    const { session } = await live.start({ options: OPTIONS });
    active.id = 'c';
    await live.followActiveModel();
    expect(events).toEqual([{ type: 'live.switchFailed', modelId: 'c', error: { code: 'not-found', message: 'no model "c"' } }]);
    expect((await second(live, A, session)).detections.map((d) => d.label)).toEqual(['yes']);
    await live.stop();
  });
});

describe('LiveSession follows the active model, racing the page and the engine', () => {
  it('checks the new model\'s cost at the hop set while it loaded, and goes on with the old one when it is too slow', async () => {
    let load = (): void => undefined;
    const { live, events, active, engines, loads } = following({ hiddenSize: { b: 96 }, loaded: new Promise((resolve) => { load = resolve; }) });
    const B96 = { cell: 'lstm' as const, inputSize: featureCount(B.features), hiddenSize: 96, layers: 1, classes: B.labels.length };
    // B can listen at a decision every 50 ms, not every 20 (A, 8 units, can at either).
    expect(liveBudgetProblem(B.features, B96, { engine: 'typescript', hopMs: 50 })).toBeNull();
    expect(liveBudgetProblem(B.features, B96, { engine: 'typescript', hopMs: 20 })).not.toBeNull();
    const { session } = await live.start({ options: { ...OPTIONS, hopMs: 50 } });
    active.id = 'b';
    const pending = live.followActiveModel();
    await vi.waitFor(() => expect(loads).toEqual(['a', 'b'])); // B loads, to be checked at 50 ms…
    await live.setOptions({ ...OPTIONS, hopMs: 20 }); // …while the user asks for 20
    load();
    await pending;
    expect(events).toEqual([{ type: 'live.switchFailed', modelId: 'b', error: expect.objectContaining({ code: 'too-slow' }) }]);
    expect(engines.map((e) => [e.model, e.disposed])).toEqual([['a', false], ['b', true]]);
    expect((await second(live, A, session)).detections.map((d) => d.label)).toEqual(['yes']);
    await live.stop();
  });

  it('has switched, and says so, even when the old model\'s engine fails to close', async () => {
    const { live, events, active, engines } = following();
    const { session } = await live.start({ options: OPTIONS });
    engines[0].dispose = async () => { throw new Error('release failed'); };
    active.id = 'b';
    await live.followActiveModel();
    const [event] = switched(events);
    expect(event?.session).toMatchObject({ modelId: 'b' });
    // Frames for the new session are heard: the page that followed the event is not left sending into nothing.
    expect((await second(live, B, event.session.session)).detections.map((d) => d.label)).toEqual(['go']);
    expect(await second(live, A, session)).toEqual({ detections: [] });
    await live.stop();
  });

  it('refuses, at start and while listening, a threshold for a word the model does not have', async () => {
    const { live } = following();
    const typo = { ...OPTIONS, thresholds: { yse: 0.5 } };
    await expect(live.start({ options: typo })).rejects.toMatchObject({ code: 'bad-detector-option', message: expect.stringContaining('"yse" is not a word of this model') });
    await live.start({ options: OPTIONS });
    await expect(live.setOptions(typo)).rejects.toMatchObject({ code: 'bad-detector-option' });
    await live.stop();
  });

  it('applies thresholds given for the model before a switch only to the words the new one has', async () => {
    const { live, events, active } = following();
    await live.start({ options: { ...OPTIONS, thresholds: { yes: 0.99 } } });
    active.id = 'b';
    await live.followActiveModel();
    const [event] = switched(events);
    expect((await second(live, B, event.session.session)).detections.map((d) => d.label)).toEqual(['go']);
    active.id = 'a'; // back: a's own threshold applies again (0.95 stays under 0.99)
    await live.followActiveModel();
    expect((await second(live, A, switched(events)[1].session.session)).detections).toEqual([]);
    await live.stop();
  });

  it('does not switch a session stopped while the new model loaded', async () => {
    let load = (): void => undefined;
    const { live, events, active, engines, loads } = following({ loaded: new Promise((resolve) => { load = resolve; }) });
    await live.start({ options: OPTIONS });
    active.id = 'b';
    const pending = live.followActiveModel();
    await vi.waitFor(() => expect(loads).toEqual(['a', 'b'])); // b is loading
    await live.stop();
    load();
    await pending;
    expect(events).toEqual([]);
    expect(engines.map((e) => [e.model, e.disposed])).toEqual([['a', true], ['b', true]]); // b was made, and closed unused
    await expect(async () => live.pushAudio(new Float32Array(160))).rejects.toMatchObject({ code: 'not-listening' });
  });
});
