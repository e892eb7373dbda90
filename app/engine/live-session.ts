// Live recognition: the active model behind a KeywordDetector, fed feature frames (the
// renderer computes them with core's FeatureStream and the model's feature settings) or
// 16 kHz audio. Smoothed posteriors go out as 'live.posteriors' events for the bars,
// detections as 'live.detection' events and in the push call's answer.
//
// Pushes are chained: the detector keeps state across chunks, so they must run in the
// order they arrived even though each handler is async.

import { TypeScriptEngine, type InferenceEngine } from '../../core/inference/engine.js';
import { KeywordDetector, type DetectorOptions } from '../../core/kws/detector.js';
import { createOnnxEngine } from './onnx-engine.js';
import { EngineServiceError } from './service-error.js';
import type { OpenProject } from './service.js';
import { ERROR_CODES, type Detection, type EngineEvent, type LiveSession as LiveInfo } from '../shared/protocol.js';

interface Running {
  engine: InferenceEngine;
  detector: KeywordDetector;
  labels: string[];
  /** The latest posteriors not sent (held back by the interval): sent before a detection. */
  unsent: { step: { values: Float32Array; time: number } | null };
}

/** Least stream time between two 'live.posteriors' events (decisions still run every hop). */
export const POSTERIOR_EVENT_INTERVAL_S = 0.1;

export class LiveSession {
  private running: Running | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly project: () => OpenProject,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  async start({ engine: kind = 'typescript', options = {} }: { engine?: 'typescript' | 'onnxruntime'; options?: DetectorOptions }): Promise<LiveInfo> {
    const { models } = this.project();
    const activeId = await models.activeId();
    if (activeId === null) throw new EngineServiceError(ERROR_CODES.noModel, 'no active model: train or import one and activate it');
    const { model } = await models.load(activeId);
    await this.stop();
    const engine = kind === 'onnxruntime' ? await createOnnxEngine(model.model) : new TypeScriptEngine(model.model);
    const labels = [...model.labels];
    let detector: KeywordDetector;
    let lastSent = -Infinity;
    const unsent: Running['unsent'] = { step: null };
    try {
      detector = new KeywordDetector(engine, model, {
        ...options,
        // The bars need ~10 updates a second, not one per decision: every event costs the
        // renderer a re-render and both processes a message. A step held back is still sent
        // if it fires a detection (enqueue), so the bars show every crossing.
        onPosteriors: (step) => {
          if (step.time - lastSent < POSTERIOR_EVENT_INTERVAL_S - 1e-9) { unsent.step = { values: step.smoothed, time: step.time }; return; }
          lastSent = step.time;
          unsent.step = null;
          this.emit({ type: 'live.posteriors', labels, values: step.smoothed, time: step.time });
        },
      });
    } catch (err) {
      await engine.dispose();
      throw err;
    }
    this.running = { engine, detector, labels, unsent };
    return { labels, features: model.features, engine: engine.kind, description: engine.description };
  }

  pushFrames(frames: Float32Array, count: number): Promise<{ detections: Detection[] }> {
    return this.enqueue((detector) => detector.pushFrames(frames, count));
  }

  pushAudio(samples: Float32Array): Promise<{ detections: Detection[] }> {
    return this.enqueue((detector) => detector.pushAudio(samples));
  }

  async setOptions(options: DetectorOptions): Promise<void> {
    this.require().detector.setOptions(options);
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
    const { detector, labels, unsent } = this.require();
    const result = this.queue.then(async () => {
      const detections = await push(detector);
      if (detections.length > 0 && unsent.step) {
        this.emit({ type: 'live.posteriors', labels, ...unsent.step });
        unsent.step = null;
      }
      for (const detection of detections) this.emit({ type: 'live.detection', detection: { ...detection } });
      return { detections: detections.map((d) => ({ ...d })) };
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}
