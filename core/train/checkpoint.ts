// The checkpoint file: one versioned binary holding the model configuration, weights,
// input normalisation, class labels, and (optionally) the trainer's state — optimizer
// moments, RNG, history, best weights — so training can resume exactly.
//
//   offset 0   8 bytes  magic "HARKCKPT"
//          8   u32 LE   format version (CHECKPOINT_VERSION)
//         12   u32 LE   header length L in bytes
//         16   L bytes  header, UTF-8 JSON (CheckpointHeader)
//              0-3      zero padding to a multiple of 4
//              4·n      float32 LE tensor data; the header's table gives each tensor's
//                       element offset and length within it
//        end-4 u32 LE   CRC-32 of every byte before it
//
// Every size read is bounded by the file's length before anything is allocated, and the
// CRC is checked before the header is trusted, so a damaged file fails with a
// CheckpointError naming what is wrong rather than building a half-broken model.

import { CheckpointError, NonFiniteError } from '../errors.js';
import { SequenceClassifier, validateClassifierConfig, type ClassifierConfig } from '../nn/classifier.js';
import { crc32 } from '../util/crc32.js';
import type { EpochProgress, EpochRecord, TrainerState } from './trainer.js';

export const CHECKPOINT_MAGIC = 'HARKCKPT';
export const CHECKPOINT_VERSION = 1;
const PREFIX_BYTES = 16;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

interface TensorEntry { name: string; offset: number; length: number }

interface CheckpointHeader {
  model: ClassifierConfig;
  labels: string[] | null;
  normalization: { mean: number[]; std: number[] } | null;
  /** Opaque, JSON-serialisable settings of later stages (e.g. the feature configuration). */
  extra: Record<string, unknown>;
  trainer: {
    epoch: number; step: number; rng: number[]; learningRateScale: number; optimizerStep: number;
    history: EpochRecord[]; best: { epoch: number; metric: number } | null; epochsWithoutImprovement: number;
    progress: EpochProgress | null;
  } | null;
  tensors: TensorEntry[];
}

export interface Checkpoint {
  model: SequenceClassifier;
  labels: string[] | null;
  extra: Record<string, unknown>;
  trainer: TrainerState | null;
}

export function saveCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const { model, trainer } = checkpoint;
  const arrays: { name: string; data: ArrayLike<number> }[] = [{ name: 'params', data: model.params }];
  if (trainer) {
    arrays.push({ name: 'optimizer.m', data: trainer.optimizer.m }, { name: 'optimizer.v', data: trainer.optimizer.v });
    if (trainer.best) arrays.push({ name: 'best.params', data: trainer.best.params });
  }
  for (const a of arrays) {
    for (let i = 0; i < a.data.length; i++) {
      if (!Number.isFinite(a.data[i])) throw new NonFiniteError('non-finite', `refusing to save a checkpoint: ${a.name}[${i}] is not finite`);
    }
  }
  if (checkpoint.labels && checkpoint.labels.length !== model.config.classes) {
    throw new CheckpointError('bad-labels', `${checkpoint.labels.length} labels for a model with ${model.config.classes} classes`);
  }
  let offset = 0;
  const tensors: TensorEntry[] = arrays.map((a) => {
    const entry = { name: a.name, offset, length: a.data.length };
    offset += a.data.length;
    return entry;
  });
  const header: CheckpointHeader = {
    model: model.config,
    labels: checkpoint.labels,
    normalization: model.getNormalization(),
    extra: checkpoint.extra,
    trainer: trainer ? {
      epoch: trainer.epoch, step: trainer.step, rng: [...trainer.rng], learningRateScale: trainer.learningRateScale,
      optimizerStep: trainer.optimizer.step, history: trainer.history,
      best: trainer.best ? { epoch: trainer.best.epoch, metric: trainer.best.metric } : null,
      epochsWithoutImprovement: trainer.epochsWithoutImprovement, progress: trainer.progress,
    } : null,
    tensors,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREFIX_BYTES + headerBytes.length);
  const total = dataStart + offset * 4 + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 8; i++) bytes[i] = CHECKPOINT_MAGIC.charCodeAt(i);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  bytes.set(headerBytes, PREFIX_BYTES);
  for (const [k, a] of arrays.entries()) {
    const base = dataStart + tensors[k].offset * 4;
    for (let i = 0; i < a.data.length; i++) view.setFloat32(base + i * 4, a.data[i], true);
  }
  view.setUint32(total - 4, crc32(bytes, 0, total - 4), true);
  return bytes;
}

export function loadCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < PREFIX_BYTES + 4) throw new CheckpointError('truncated', `not a Hark checkpoint: only ${bytes.length} bytes`);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== CHECKPOINT_MAGIC.charCodeAt(i)) throw new CheckpointError('bad-magic', 'not a Hark checkpoint (wrong magic bytes)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError('unsupported-version', `checkpoint format version ${version} is not supported (this Hark reads version ${CHECKPOINT_VERSION})`);
  }
  const headerLength = view.getUint32(12, true);
  if (headerLength > MAX_HEADER_BYTES || PREFIX_BYTES + headerLength + 4 > bytes.length) {
    throw new CheckpointError('truncated', `checkpoint header declares ${headerLength} bytes, the file holds ${bytes.length}`);
  }
  const stored = view.getUint32(bytes.length - 4, true);
  if (crc32(bytes, 0, bytes.length - 4) !== stored) throw new CheckpointError('checksum', 'checkpoint is damaged (checksum mismatch)');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch (cause) {
    throw new CheckpointError('bad-header', 'checkpoint header is not valid JSON', { cause });
  }
  if (typeof header !== 'object' || header === null || !Array.isArray(header.tensors)) throw new CheckpointError('bad-header', 'checkpoint header lacks its tensor table');
  let config: ClassifierConfig;
  try {
    config = validateClassifierConfig(header.model);
  } catch (cause) {
    throw new CheckpointError('bad-header', `checkpoint model configuration is invalid: ${(cause as Error).message}`, { cause });
  }
  const dataStart = align4(PREFIX_BYTES + headerLength);
  const floatCount = (bytes.length - 4 - dataStart) / 4;
  if (!Number.isInteger(floatCount) || floatCount < 0) throw new CheckpointError('truncated', 'checkpoint tensor data is truncated');
  const read = (name: string): Float32Array | null => {
    const entry = header.tensors.find((t) => t?.name === name);
    if (!entry) return null;
    if (!Number.isInteger(entry.offset) || !Number.isInteger(entry.length) || entry.offset < 0 || entry.length < 0 || entry.offset + entry.length > floatCount) {
      throw new CheckpointError('truncated', `checkpoint tensor ${name} lies outside the file`);
    }
    const out = new Float32Array(entry.length);
    const base = dataStart + entry.offset * 4;
    for (let i = 0; i < entry.length; i++) {
      const v = view.getFloat32(base + i * 4, true);
      if (!Number.isFinite(v)) throw new CheckpointError('non-finite', `checkpoint tensor ${name} holds a non-finite value`);
      out[i] = v;
    }
    return out;
  };
  const params = read('params');
  if (!params) throw new CheckpointError('bad-header', 'checkpoint holds no parameters');
  let model: SequenceClassifier;
  try {
    model = new SequenceClassifier(config, { params });
    model.setNormalization(header.normalization ?? null);
  } catch (cause) {
    throw new CheckpointError('shape-mismatch', `checkpoint weights do not fit its configuration: ${(cause as Error).message}`, { cause });
  }
  const labels = header.labels ?? null;
  if (labels !== null && (!Array.isArray(labels) || labels.length !== config.classes || labels.some((l) => typeof l !== 'string'))) {
    throw new CheckpointError('bad-labels', 'checkpoint labels do not match its class count');
  }
  let trainer: TrainerState | null = null;
  if (header.trainer) {
    const t = header.trainer;
    if (!isRandomState(t.rng)) throw new CheckpointError('bad-header', 'checkpoint RNG state is malformed');
    const p = t.progress ?? null;
    if (p !== null && (typeof p !== 'object' || ![p.stepInEpoch, p.examples, p.batchSize].every((v) => Number.isInteger(v) && v >= 0) || !isRandomState(p.rngAtEpochStart)
      || ![p.lossSum, p.correct, p.seen, p.seconds].every((v) => typeof v === 'number' && Number.isFinite(v)))) {
      throw new CheckpointError('bad-header', 'checkpoint epoch progress is malformed');
    }
    if (p !== null && (p.batchSize < 1 || p.stepInEpoch > Math.ceil(p.examples / p.batchSize))) {
      throw new CheckpointError('bad-header', 'checkpoint epoch progress lies beyond its epoch');
    }
    const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    const finiteOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
    const historyOk = Array.isArray(t.history) && t.history.every((r) => typeof r === 'object' && r !== null
      && count(r.epoch) && finiteOrNull(r.trainLoss) && finiteOrNull(r.trainAccuracy)
      && finiteOrNull(r.valLoss) && finiteOrNull(r.valAccuracy) && typeof r.learningRate === 'number' && typeof r.seconds === 'number');
    if (!count(t.epoch) || !count(t.step) || !count(t.optimizerStep) || !count(t.epochsWithoutImprovement)
      || typeof t.learningRateScale !== 'number' || !(t.learningRateScale > 0) || !historyOk
      || (t.best !== null && (typeof t.best !== 'object' || !count(t.best.epoch) || typeof t.best.metric !== 'number'))) {
      throw new CheckpointError('bad-header', 'checkpoint trainer state is malformed');
    }
    const m = read('optimizer.m'), v = read('optimizer.v');
    if (!m || !v || m.length !== params.length || v.length !== params.length) throw new CheckpointError('shape-mismatch', 'checkpoint optimizer state does not fit the model');
    const bestParams = t.best ? read('best.params') : null;
    if (t.best && (!bestParams || bestParams.length !== params.length)) throw new CheckpointError('shape-mismatch', 'checkpoint best weights do not fit the model');
    trainer = {
      epoch: t.epoch, step: t.step, rng: t.rng as TrainerState['rng'], learningRateScale: t.learningRateScale,
      optimizer: { step: t.optimizerStep, m, v }, history: t.history,
      best: t.best && bestParams ? { epoch: t.best.epoch, metric: t.best.metric, params: bestParams } : null,
      epochsWithoutImprovement: t.epochsWithoutImprovement, progress: p,
    };
  }
  const extra = header.extra ?? {};
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) throw new CheckpointError('bad-header', 'checkpoint extra settings are not an object');
  return { model, labels, extra, trainer };
}

/** Four unsigned 32-bit words, not all zero (xoshiro128**'s valid states). */
function isRandomState(v: unknown): v is [number, number, number, number] {
  return Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && v.some((w) => w !== 0);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
