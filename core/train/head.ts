// Training only a classifier's head, on encodings its frozen recurrent layers computed once:
// transfer learning from a pretrained encoder (core/kws/pretrained.ts) as Teachable Machine
// does it from its base model. The encoder runs over every example once (encodeDataset);
// the head, a dense softmax layer, then trains in well under a millisecond an epoch, so a
// personal model's training time is its examples' features and one forward pass.
//
// Dimensions: N examples, T steps, F features, H hidden (an encoding), C classes, B batch.
// Parameter layout (local, flat): head W (C, H) | head b (C), the classifier's own order.

import { ConfigError, NonFiniteError, TrainingAbortedError } from '../errors.js';
import type { SequenceClassifier } from '../nn/classifier.js';
import { denseBackward, denseForward } from '../nn/dense.js';
import { softmaxCrossEntropy } from '../nn/loss.js';
import { Random } from '../tensor/random.js';
import { AdamW } from './adamw.js';
import { gatherBatch, type SequenceDataset } from './dataset.js';
import { learningRateFactor } from './schedule.js';
import type { EpochRecord, TrainEvent, TrainOptions, TrainResult } from './trainer.js';

/** What the head reads for every example of a dataset. */
export interface Encodings {
  z: Float32Array;      // (N, H)
  labels: Int32Array;   // (N)
  size: number;         // H
}

const ENCODE_BATCH = 64;

/** Runs `model`'s recurrent layers (inference: no dropout) over every example of `data`. */
export function encodeDataset(model: SequenceClassifier, data: SequenceDataset): Encodings {
  const { steps: T, features: F } = data, H = model.config.hiddenSize, N = data.labels.length;
  const z = new Float32Array(N * H); // (N, H)
  const x = new Float32Array(T * ENCODE_BATCH * F); // (T, B, F)
  const labels = new Int32Array(ENCODE_BATCH); // (B), unused: gatherBatch fills it
  const order = Int32Array.from({ length: N }, (_, i) => i);
  for (let start = 0; start < N; start += ENCODE_BATCH) {
    const B = Math.min(ENCODE_BATCH, N - start);
    gatherBatch(x, labels, data, order, start, B);
    z.set(model.encode(x, T, B), start * H);
  }
  return { z, labels: Int32Array.from(data.labels), size: H };
}

/** The Trainer's options that a head's training follows (the same object serves both). */
export type HeadTrainOptions = Required<Pick<TrainOptions, 'epochs' | 'batchSize' | 'learningRate' | 'weightDecay' | 'labelSmoothing' | 'seed'>>
  & Pick<TrainOptions, 'signal'> & { earlyStopping: { patience: number; minEpochs?: number } };

/**
 * Trains `model`'s head (C, H) and bias (C) on fixed encodings with AdamW (weight decay on
 * W only), a cosine schedule and label smoothing; with a validation set, the epoch of the
 * lowest validation loss is kept and patience stops the run. Yields the Trainer's events,
 * so a screen charting a run charts this one too; writes the kept head into the model.
 */
export function* trainHead(model: SequenceClassifier, train: Encodings, validation: Encodings | null, o: HeadTrainOptions): Generator<TrainEvent, TrainResult> {
  const { hiddenSize: H, classes: C } = model.config;
  if (train.size !== H || (validation && validation.size !== H)) throw new ConfigError('bad-dataset', `the encodings hold ${train.size} values each, the head reads ${H}`);
  const N = train.labels.length;
  if (N === 0) throw new ConfigError('bad-dataset', 'there are no training examples');
  const tensors = model.tensors();
  const headW = tensors.find((t) => t.name === 'head.W')!.data; // (C, H), the model's own
  const headB = tensors.find((t) => t.name === 'head.b')!.data; // (C)
  const P = C * H + C;
  const params = new Float32Array(P); // (C·H + C)
  const grads = new Float32Array(P);  // (C·H + C)
  params.set(headW, 0); params.set(headB, C * H);
  const W = params.subarray(0, C * H), b = params.subarray(C * H), dW = grads.subarray(0, C * H), db = grads.subarray(C * H);
  const decayMask = new Uint8Array(P).fill(1, 0, C * H);
  const optimizer = new AdamW(P, { weightDecay: o.weightDecay }, decayMask);
  const best = Float32Array.from(params); // (C·H + C)
  const batch = Math.min(o.batchSize, N);
  const zb = new Float32Array(batch * H);      // (B, H)
  const yb = new Int32Array(batch);             // (B)
  const logits = new Float32Array(batch * C);   // (B, C)
  const probs = new Float32Array(batch * C);    // (B, C)
  const dLogits = new Float32Array(batch * C);  // (B, C)
  const stepsPerEpoch = Math.ceil(N / batch), totalSteps = o.epochs * stepsPerEpoch;
  const rng = new Random(o.seed);
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const history: EpochRecord[] = [];
  const { patience, minEpochs = 0 } = o.earlyStopping;
  let bestLoss = Infinity, bestEpoch = 0, since = 0, step = 0;
  yield { type: 'start', epochs: o.epochs, stepsPerEpoch, examples: N, paramCount: P, resumedAtEpoch: 0 };
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    if (o.signal?.aborted) throw new TrainingAbortedError();
    const began = Date.now();
    for (let i = N - 1; i > 0; i--) { const j = rng.int(i + 1); const t = order[i]; order[i] = order[j]; order[j] = t; }
    let lossSum = 0, correct = 0, lr = 0;
    for (let start = 0; start < N; start += batch) {
      const B = Math.min(batch, N - start);
      for (let r = 0; r < B; r++) { const n = order[start + r]; zb.set(train.z.subarray(n * H, (n + 1) * H), r * H); yb[r] = train.labels[n]; }
      denseForward(logits, zb, 0, W, b, B, H, C);
      const result = softmaxCrossEntropy(logits, yb, probs, dLogits, B, C, { labelSmoothing: o.labelSmoothing });
      grads.fill(0);
      denseBackward(dLogits, zb, 0, W, dW, db, null, 0, B, H, C);
      lr = o.learningRate * learningRateFactor({ kind: 'cosine', minFactor: 0.05 }, step++, totalSteps);
      optimizer.update(params, grads, lr);
      lossSum += result.loss * B; correct += result.correct;
    }
    const val = validation && validation.labels.length > 0 ? evaluate(validation, W, b, H, C) : null;
    const record: EpochRecord = {
      epoch, trainLoss: lossSum / N, trainAccuracy: correct / N, valLoss: val?.loss ?? null, valAccuracy: val?.accuracy ?? null,
      learningRate: lr, seconds: (Date.now() - began) / 1000,
    };
    if (!Number.isFinite(record.trainLoss)) throw new NonFiniteError('non-finite', `training diverged: the head's loss became ${record.trainLoss} at epoch ${epoch}`);
    history.push(record);
    const monitored = val ? val.loss : record.trainLoss;
    const improved = epoch >= minEpochs && monitored < bestLoss;
    if (improved) { bestLoss = monitored; bestEpoch = epoch; since = 0; best.set(params); } else if (epoch >= minEpochs) since++;
    yield { type: 'epoch', improved, examplesPerSecond: record.seconds > 0 ? N / record.seconds : 0, ...record };
    if (val && since >= patience) {
      yield { type: 'early-stop', epoch, bestEpoch };
      headW.set(best.subarray(0, C * H)); headB.set(best.subarray(C * H));
      return { reason: 'early-stopped', epochs: epoch, bestEpoch, history };
    }
  }
  if (bestEpoch === 0) { best.set(params); bestEpoch = o.epochs; }
  headW.set(best.subarray(0, C * H)); headB.set(best.subarray(C * H));
  return { reason: 'completed', epochs: o.epochs, bestEpoch, history };
}

/** Mean loss and accuracy of the head (W, b) on encodings, in batches of up to 256 rows. */
function evaluate(data: Encodings, W: Float32Array, b: Float32Array, H: number, C: number): { loss: number; accuracy: number } {
  const N = data.labels.length, batch = Math.min(256, N);
  const logits = new Float32Array(batch * C), probs = new Float32Array(batch * C); // (B, C)
  let loss = 0, correct = 0;
  for (let start = 0; start < N; start += batch) {
    const B = Math.min(batch, N - start);
    denseForward(logits, data.z, start * H, W, b, B, H, C);
    const r = softmaxCrossEntropy(logits, data.labels.subarray(start, start + B), probs, null, B, C);
    loss += r.loss * B; correct += r.correct;
  }
  return { loss: loss / N, accuracy: correct / N };
}
