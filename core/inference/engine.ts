// What the detector, the CLI and the app run a trained model through: either our own
// TypeScript network (this file) or onnxruntime (app/node/onnx-engine.ts, Node side,
// since core stays free of runtime-specific modules). Both serve whole windows and
// streaming, and give the same numbers to 1e-5.
//
// Dimensions: T frames, B windows or streams, F features, C classes.

import type { SequenceClassifier, StreamState } from '../nn/classifier.js';
import { allocVec } from '../tensor/vec.js';

export type EngineKind = 'typescript' | 'onnxruntime';

export interface InferenceEngine {
  readonly kind: EngineKind;
  /** Human-readable: which implementation and, for onnxruntime, which execution provider. */
  readonly description: string;
  readonly features: number; // F
  readonly classes: number;  // C
  /** Class probabilities (B, C) for B windows x (T, B, F), sequence-major. */
  run(x: Float32Array, T: number, B: number): Promise<Float32Array>;
  /** A stream of B parallel inputs, fed a few frames at a time. */
  createStream(B?: number): InferenceStream;
  dispose(): Promise<void>;
}

export interface InferenceStream {
  readonly batch: number;
  /** Feed frames (T, B, F); returns the probabilities (B, C) after the last of them. */
  push(frames: Float32Array, T: number): Promise<Float32Array>;
  /** Forget everything fed so far (a new window or utterance). */
  reset(): void;
}

/** The TypeScript network as an engine. */
export class TypeScriptEngine implements InferenceEngine {
  readonly kind = 'typescript' as const;
  readonly description = 'Hark TypeScript engine';
  readonly features: number;
  readonly classes: number;

  constructor(readonly model: SequenceClassifier) {
    this.features = model.config.inputSize;
    this.classes = model.config.classes;
  }

  async run(x: Float32Array, T: number, B: number): Promise<Float32Array> {
    return Float32Array.from(this.model.forward(x, T, B));
  }

  createStream(B = 1): InferenceStream {
    const model = this.model, F = this.features;
    const state: StreamState = model.createStreamState(B);
    const frame = allocVec('float32', B * F); // (B, F)
    return {
      batch: B,
      async push(frames: Float32Array, T: number): Promise<Float32Array> {
        for (let t = 0; t < T; t++) {
          frame.set(frames.subarray(t * B * F, (t + 1) * B * F));
          model.step(frame, state);
        }
        return Float32Array.from(state.probs);
      },
      reset() {
        model.resetStreamState(state);
      },
    };
  }

  async dispose(): Promise<void> {}
}
