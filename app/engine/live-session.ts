// Live recognition: the active model behind a KeywordDetector, fed feature frames (the
// renderer computes them with core's FeatureStream and the model's feature settings) or
// 16 kHz audio. Smoothed posteriors go out as 'live.posteriors' events for the bars (while
// the screen wants them: setPosteriors), detections as 'live.detection' events and in the
// push call's answer.
//
// Pushes are chained: the detector keeps state across chunks, so they must run in the
// order they arrived even though each handler is async.
//
// A running session follows the active model (followActiveModel, called on every
// 'models.changed'): when a training run finishes, or another model is activated, while
// listening, the session switches to it between two pushes, with the same engine kind and
// options, and says so with a 'live.switched' event carrying the new session (or
// 'live.switchFailed', and goes on with the model it had). Each model a session listens
// with is numbered (LiveInfo.session) and 'live.pushFrames' names the number its frames
// were computed for: frames sent before the page heard of a switch have the old model's
// feature settings, and are dropped rather than fed to the new one.

import { checkLiveBudget } from '../../core/features/budget.js';
import type { FeatureConfig } from '../../core/features/config.js';
import { TypeScriptEngine, type InferenceEngine } from '../../core/inference/engine.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import type { KwsModel } from '../../core/kws/recipe.js';
import { DEFAULT_HOP_MS, KeywordDetector, type DetectorOptions } from '../../core/kws/detector.js';
import { createOnnxEngine } from '../node/onnx-engine.js';
import { toWireError } from '../shared/engine-error.js';
import { EngineServiceError } from './service-error.js';
import type { OpenProject } from './projects.js';
import { ERROR_CODES, type Detection, type EngineEvent, type LiveSession as LiveInfo } from '../shared/protocol.js';

type EngineKind = LiveInfo['engine'];

/** One model a session listens with: from live.start, or from a switch to the newly active model. */
interface Detecting {
  /** Its number (LiveInfo.session): frames pushed for another are dropped. */
  session: number;
  modelId: string;
  engine: InferenceEngine;
  detector: KeywordDetector;
  labels: string[];
  features: FeatureConfig;
  /** The steps of the push in progress that the interval held back: the one that fires a detection is sent with it. */
  held: Array<{ values: Float32Array; time: number }>;
  /** The model's calibrated thresholds (core/kws/calibrate.ts), or null. */
  calibrated: Readonly<Record<string, number>> | null;
  /** The network's shape, for the live budget. */
  config: SequenceClassifier['config'];
}

/** A listening session, from live.start to live.stop, whatever models it switches between. */
interface Running {
  kind: EngineKind;
  /** The options as last given (live.start or live.setOptions), before calibration: a switch applies them to the new model. */
  options: DetectorOptions;
  /** Whether 'live.posteriors' events are wanted (setPosteriors). */
  posteriors: boolean;
  current: Detecting;
}

/** The options with the model's calibrated thresholds, unless they give a threshold of their own. */
function withCalibration(options: DetectorOptions, calibrated: Readonly<Record<string, number>> | null): DetectorOptions {
  // A word's own threshold in the options overrides its calibrated one; the others keep theirs.
  return calibrated && options.threshold === undefined ? { ...options, thresholds: { ...calibrated, ...options.thresholds } } : options;
}

/**
 * The options for the model a session switches to, with `labels`: a threshold of a word it
 * does not have (given for the model before the switch) cannot apply. Only a switch drops
 * them: given at start or with setOptions, such a threshold is refused (bad-detector-option).
 */
function forLabels(options: DetectorOptions, labels: readonly string[]): DetectorOptions {
  if (!options.thresholds) return options;
  return { ...options, thresholds: Object.fromEntries(Object.entries(options.thresholds).filter(([word]) => labels.includes(word))) };
}

const infoOf = (d: Detecting): LiveInfo => ({
  session: d.session,
  modelId: d.modelId,
  labels: [...d.labels],
  features: d.features,
  engine: d.engine.kind,
  description: d.engine.description,
  thresholds: d.calibrated ? { ...d.calibrated } : null,
});

/** Least stream time between two 'live.posteriors' events (decisions still run every hop). */
export const POSTERIOR_EVENT_INTERVAL_S = 0.1;

export class LiveSession {
  private running: Running | null = null;
  /** Pushes and switches, in the order they came. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Starts and switches to the active model, one at a time: a start never loads a model a switch is replacing. */
  private control: Promise<unknown> = Promise.resolve();
  /** The last session number given (LiveInfo.session). */
  private sessions = 0;

  constructor(
    private readonly project: () => OpenProject,
    private readonly emit: (event: EngineEvent) => void,
    /** Makes the inference engine for a session (tests pass a scripted one). */
    private readonly createEngine: (kind: EngineKind, model: SequenceClassifier) => Promise<InferenceEngine> =
      async (kind, model) => (kind === 'onnxruntime' ? createOnnxEngine(model) : new TypeScriptEngine(model)),
  ) {}

  start({ engine: kind = 'typescript', options = {} }: { engine?: EngineKind; options?: DetectorOptions }): Promise<LiveInfo> {
    return this.inTurn(async () => {
      const activeId = await this.project().models.activeId();
      if (activeId === null) throw new EngineServiceError(ERROR_CODES.noModel, 'no active model: train or import one and activate it');
      // A start refused here (the model, the budget) leaves a running session as it was.
      const model = await this.load(activeId, kind, options);
      await this.stop();
      let running: Running | null = null;
      const current = await this.detecting(activeId, model, kind, options, () => running?.posteriors ?? true);
      running = { kind, options, posteriors: true, current };
      this.running = running;
      return infoOf(current);
    });
  }

  /** `session`: the LiveInfo.session the frames were computed for (with its feature settings). */
  pushFrames(frames: Float32Array, count: number, session: number): Promise<{ detections: Detection[] }> {
    return this.enqueue(session, (detector) => detector.pushFrames(frames, count));
  }

  /** Audio is the same for every model: it goes to whichever the session listens with. */
  pushAudio(samples: Float32Array): Promise<{ detections: Detection[] }> {
    return this.enqueue(null, (detector) => detector.pushAudio(samples));
  }

  async setOptions(options: DetectorOptions): Promise<void> {
    const running = this.require();
    const { detector, calibrated, engine, config } = running.current;
    // A shorter hop costs more: the same check as at start.
    if (options.hopMs !== undefined) checkLiveBudget(detector.features, config, { engine: engine.kind, hopMs: options.hopMs });
    detector.setOptions(withCalibration(options, calibrated));
    running.options = options;
  }

  async setPosteriors(enabled: boolean): Promise<void> {
    this.require().posteriors = enabled;
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    await this.queue.catch(() => undefined);
    await running?.current.engine.dispose();
  }

  /**
   * The active model may have changed ('models.changed'): a running session switches to it,
   * between two pushes, and emits 'live.switched' with the new session, or
   * 'live.switchFailed' and goes on with the model it had. Nothing happens when not
   * listening, when the session already listens with the active model, or when none is
   * active (the model it has stays loaded: deleting it does not stop listening).
   */
  followActiveModel(): Promise<void> {
    return this.inTurn(async () => {
      const running = this.running;
      if (!running) return;
      let activeId: string | null;
      try {
        activeId = await this.project().models.activeId();
      } catch {
        return; // the project is closing, and the session with it
      }
      if (activeId === null || activeId === running.current.modelId) return;
      let next: Detecting;
      try {
        const model = await this.load(activeId, running.kind, running.options);
        next = await this.detecting(activeId, model, running.kind, forLabels(running.options, model.labels), () => running.posteriors);
      } catch (err) {
        if (this.running === running) this.emit({ type: 'live.switchFailed', modelId: activeId, error: toWireError(err) });
        return;
      }
      // In the push queue: pushes that came before run on the old model, those after on the new.
      await this.serial(async () => {
        if (this.running !== running) { await next.engine.dispose(); return; } // stopped or started again meanwhile
        try {
          // The options may have changed while the model loaded: its hop is checked again.
          checkLiveBudget(next.features, next.config, { engine: running.kind, hopMs: running.options.hopMs ?? DEFAULT_HOP_MS });
          next.detector.setOptions(withCalibration(forLabels(running.options, next.labels), next.calibrated));
        } catch (err) {
          await next.engine.dispose();
          this.emit({ type: 'live.switchFailed', modelId: activeId, error: toWireError(err) });
          return;
        }
        const old = running.current;
        running.current = next;
        // Said before the old engine closes: the switch has happened whether or not it closes
        // cleanly, and a page not told would send frames for the old session, all dropped.
        this.emit({ type: 'live.switched', session: infoOf(next) });
        await old.engine.dispose().catch(() => undefined);
      });
    });
  }

  /** Loads a model and checks that it can run live with this engine and hop. */
  private async load(id: string, kind: EngineKind, options: DetectorOptions): Promise<KwsModel> {
    const { model } = await this.project().models.load(id);
    // Loading checked the model at the default engine and hop; this run's may cost more.
    checkLiveBudget(model.features, model.model.config, { engine: kind, hopMs: options.hopMs ?? DEFAULT_HOP_MS });
    return model;
  }

  /** The detector for `model`, with a new session number; `posteriors` says whether the bars want its steps. */
  private async detecting(modelId: string, model: KwsModel, kind: EngineKind, options: DetectorOptions, posteriors: () => boolean): Promise<Detecting> {
    const engine = await this.createEngine(kind, model.model);
    const labels = [...model.labels];
    const calibrated = model.calibration?.thresholds ?? null;
    const held: Detecting['held'] = [];
    let lastSent = -Infinity;
    try {
      const detector = new KeywordDetector(engine, model, {
        ...withCalibration(options, calibrated),
        // The bars need ~10 updates a second, not one per decision: every event costs the
        // renderer a paint and both processes a message. A step held back is still sent,
        // just before its detection, if it fires one (enqueue), so the bars show every
        // crossing.
        onPosteriors: (step) => {
          if (!posteriors()) return;
          if (step.time - lastSent < POSTERIOR_EVENT_INTERVAL_S - 1e-9) { held.push({ values: step.smoothed, time: step.time }); return; }
          lastSent = step.time;
          this.emit({ type: 'live.posteriors', labels, values: step.smoothed, time: step.time });
        },
      });
      return { session: ++this.sessions, modelId, engine, detector, labels, features: model.features, held, calibrated, config: model.model.config };
    } catch (err) {
      await engine.dispose();
      throw err;
    }
  }

  private require(): Running {
    if (!this.running) throw new EngineServiceError(ERROR_CODES.notListening, 'not listening (call live.start first)');
    return this.running;
  }

  private inTurn<T>(task: () => Promise<T>): Promise<T> {
    const result = this.control.then(task);
    this.control = result.catch(() => undefined);
    return result;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** `session`: the session the input was made for, or null when it suits any (audio). */
  private enqueue(session: number | null, push: (detector: KeywordDetector) => Promise<Detection[]>): Promise<{ detections: Detection[] }> {
    const running = this.require();
    return this.serial(async () => {
      // Read when its turn comes: a switch queued before this push has happened by now.
      const { detector, labels, held, session: current } = running.current;
      if (session !== null && session !== current) return { detections: [] }; // computed for the model before a switch
      held.length = 0;
      try {
        const detections = await push(detector);
        for (const detection of detections) {
          // The step that decided it (a detection is dated at its step's time), if held back.
          const step = held.find((s) => s.time === detection.time);
          if (step && running.posteriors) this.emit({ type: 'live.posteriors', labels, ...step });
          this.emit({ type: 'live.detection', detection: { ...detection } });
        }
        return { detections: detections.map((d) => ({ ...d })) };
      } finally {
        held.length = 0;
      }
    });
  }
}
