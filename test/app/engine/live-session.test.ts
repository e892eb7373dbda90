// LiveSession's posterior events: at most one per 100 ms of stream time, and the step that
// fires a detection is sent before it even when the interval held it back. The inference
// engine is scripted (a crossing on a chosen decision), the detector and its rule are real.
import { describe, expect, it } from 'vitest';
import { LiveSession } from '../../../app/engine/live-session.js';
import type { OpenProject } from '../../../app/engine/projects.js';
import type { EngineEvent } from '../../../app/shared/protocol.js';
import type { InferenceEngine } from '../../../core/inference/engine.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../../core/features/config.js';
import type { SequenceClassifier } from '../../../core/nn/classifier.js';
import type { KwsModel } from '../../../core/kws/recipe.js';

const LABELS = ['_background_', '_unknown_', 'yes'];
const F = featureCount(DEFAULT_FEATURE_CONFIG);

/** An engine whose decision number `fireAt` (from 0) says "yes" with 0.95, every other one background. */
function scripted(fireAt: number): InferenceEngine {
  let runs = 0;
  return {
    kind: 'typescript', description: 'scripted', features: F, classes: LABELS.length,
    run: async () => Float32Array.from(runs++ === fireAt ? [0.05, 0, 0.95] : [1, 0, 0]),
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
      await live.start({ options: { threshold: 0.6, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
      const frames = new Float32Array(10 * F); // 100 ms a push: two decisions, the second held back
      for (let i = 0; i < 20; i++) await live.pushFrames(frames, 10);
      await live.stop();

      const detections = times(events, 'live.detection');
      expect(detections).toHaveLength(1);
      const fired = events.findIndex((e) => e.type === 'live.detection');
      const before = events[fired - 1];
      expect(before.type).toBe('live.posteriors');
      expect((before as { time: number }).time).toBe(detections[0]);
      expect(Array.from((before as { values: Float32Array }).values)).toEqual([0.05, 0, 0.95].map(Math.fround));

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
    await live.start({ options: { threshold: 0.6, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    await live.setPosteriors(false);
    const frames = new Float32Array(10 * F);
    for (let i = 0; i < 20; i++) await live.pushFrames(frames, 10);
    expect(events.map((e) => e.type)).toEqual(['live.detection']);

    await live.setPosteriors(true);
    for (let i = 0; i < 10; i++) await live.pushFrames(frames, 10);
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
    for (let i = 0; i < 20; i++) await live.pushFrames(frames, 10);
    await live.stop();
    return times(events, 'live.detection').length;
  };

  it('are the model\'s calibrated ones unless the options give one: "yes" at 0.95 stays under its 0.97', async () => {
    const calibrated = session(3, calibration);
    const info = await calibrated.live.start({ options: { smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    expect(info.thresholds).toEqual({ yes: 0.97 });
    expect(await run(calibrated.live, calibrated.events)).toBe(0);

    const own = session(3, calibration);
    await own.live.start({ options: { threshold: 0.9, smoothingMs: 50, maxTrailingSilenceMs: 1000 } });
    expect(await run(own.live, own.events)).toBe(1);

    // Without a calibration, the detector's default (0.9) applies: 0.95 fires.
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
