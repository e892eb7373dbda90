// Live recognition: the active model behind a KeywordDetector, fed feature frames (the
// renderer computes them with core's FeatureStream and the model's feature settings) or
// 16 kHz audio. Smoothed posteriors go out as 'live.posteriors' events for the bars (while
// the screen wants them: setPosteriors), detections as 'live.detection' events and in the
// push call's answer.
//
// Pushes are chained: the detector keeps state across chunks, so they must run in the
// order they arrived even though each handler is async.

import { checkLiveBudget } from '../../core/features/budget.js';
import { TypeScriptEngine, type InferenceEngine } from '../../core/inference/engine.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import { DEFAULT_HOP_MS, KeywordDetector, type DetectorOptions } from '../../core/kws/detector.js';
import { createOnnxEngine } from '../node/onnx-engine.js';
import { EngineServiceError } from './service-error.js';
import type { OpenProject } from './projects.js';
import { ERROR_CODES, type Detection, type EngineEvent, type LiveSession as LiveInfo } from '../shared/protocol.js';

interface Running {
  engine: InferenceEngine;
  detector: KeywordDetector;
  labels: string[];
  /** The steps of the push in progress that the interval held back: the one that fires a detection is sent with it. */
  held: Array<{ values: Float32Array; time: number }>;
  /** The model's calibrated thresholds (core/kws/calibrate.ts), or null. */
  calibrated: Readonly<Record<string, number>> | null;
  /** The network's shape, for the live budget. */
  config: SequenceClassifier['config'];
  /** Whether 'live.posteriors' events are wanted (setPosteriors). */
  posteriors: boolean;
}

/** The options with the model's calibrated thresholds, unless they give a threshold of their own. */
function withCalibration(options: DetectorOptions, calibrated: Readonly<Record<string, number>> | null): DetectorOptions {
  // A word's own threshold in the options overrides its calibrated one; the others keep theirs.
  return calibrated && options.threshold === undefined ? { ...options, thresholds: { ...calibrated, ...options.thresholds } } : options;
}

/** Least stream time between two 'live.posteriors' events (decisions still run every hop). */
export const POSTERIOR_EVENT_INTERVAL_S = 0.1;

export class LiveSession {
  private running: Running | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly project: () => OpenProject,
    private readonly emit: (event: EngineEvent) => void,
    /** Makes the inference engine for a session (tests pass a scripted one). */
    private readonly createEngine: (kind: 'typescript' | 'onnxruntime', model: SequenceClassifier) => Promise<InferenceEngine> =
      async (kind, model) => (kind === 'onnxruntime' ? createOnnxEngine(model) : new TypeScriptEngine(model)),
  ) {}

  async start({ engine: kind = 'typescript', options = {} }: { engine?: 'typescript' | 'onnxruntime'; options?: DetectorOptions }): Promise<LiveInfo> {
    const { models } = this.project();
    const activeId = await models.activeId();
    if (activeId === null) throw new EngineServiceError(ERROR_CODES.noModel, 'no active model: train or import one and activate it');
    const { model } = await models.load(activeId);
    // Loading checked the model at the default engine and hop; this run's may cost more.
    checkLiveBudget(model.features, model.model.config, { engine: kind, hopMs: options.hopMs ?? DEFAULT_HOP_MS });
    await this.stop();
    const engine = await this.createEngine(kind, model.model);
    const labels = [...model.labels];
    const calibrated = model.calibration?.thresholds ?? null;
    let detector: KeywordDetector;
    let lastSent = -Infinity;
    const held: Running['held'] = [];
    let running: Running | null = null;
    try {
      detector = new KeywordDetector(engine, model, {
        ...withCalibration(options, calibrated),
        // The bars need ~10 updates a second, not one per decision: every event costs the
        // renderer a paint and both processes a message. A step held back is still sent,
        // just before its detection, if it fires one (enqueue), so the bars show every
        // crossing.
        onPosteriors: (step) => {
          if (!running?.posteriors) return;
          if (step.time - lastSent < POSTERIOR_EVENT_INTERVAL_S - 1e-9) { held.push({ values: step.smoothed, time: step.time }); return; }
          lastSent = step.time;
          this.emit({ type: 'live.posteriors', labels, values: step.smoothed, time: step.time });
        },
      });
    } catch (err) {
      await engine.dispose();
      throw err;
    }
    running = { engine, detector, labels, held, calibrated, config: model.model.config, posteriors: true };
    this.running = running;
    return { labels, features: model.features, engine: engine.kind, description: engine.description, thresholds: calibrated ? { ...calibrated } : null };
  }

  pushFrames(frames: Float32Array, count: number): Promise<{ detections: Detection[] }> {
    return this.enqueue((detector) => detector.pushFrames(frames, count));
  }

  pushAudio(samples: Float32Array): Promise<{ detections: Detection[] }> {
    return this.enqueue((detector) => detector.pushAudio(samples));
  }

  async setOptions(options: DetectorOptions): Promise<void> {
    const { detector, calibrated, engine, config } = this.require();
    // A shorter hop costs more: the same check as at start.
    if (options.hopMs !== undefined) checkLiveBudget(detector.features, config, { engine: engine.kind, hopMs: options.hopMs });
    detector.setOptions(withCalibration(options, calibrated));
  }

  async setPosteriors(enabled: boolean): Promise<void> {
    this.require().posteriors = enabled;
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = null;
    await this.queue.catch(() => undefined);
    await running?.engine.dispose();
  }

  private require(): Running {
    if (!this.running) throw new EngineServiceError(ERROR_CODES.notListening, 'not listening (call live.start first)');
    return this.running;
  }

  private enqueue(push: (detector: KeywordDetector) => Promise<Detection[]>): Promise<{ detections: Detection[] }> {
    const running = this.require();
    const { detector, labels, held } = running;
    const result = this.queue.then(async () => {
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
    this.queue = result.catch(() => undefined);
    return result;
  }
}
