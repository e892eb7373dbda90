// The engine's protocol: every method the UI may call, with a zod schema for its one
// parameter object, what it answers, and the events the engine sends back. Shared by the
// engine (Node) and the renderer (browser), so it imports neither Node nor DOM modules.
//
// Transport: birpc messages ({ t: 'q', i?, m, a } requests, { t: 's', i, r | e } answers)
// over a MessagePort-like channel (see ./channel.ts). Each method takes exactly one
// argument, an object (or nothing for methods without parameters). A request without an
// id (`i`) is fire-and-forget; errors from it come back as a 'protocol.error' event.
//
// Errors are plain { code, message } objects on the wire (structured clone drops custom
// properties of Error), turned back into EngineError by the client.

import type { Detection as CoreDetection } from '../../core/kws/detector.js';
import type { FeatureConfig } from '../../core/features/config.js';
import { SAMPLE_RATE } from '../../core/audio/sample-rate.js';
import { MAX_MODEL_BYTES } from '../../core/onnx/limits.js';
import { BACKGROUND_DIR, UNKNOWN_LABEL } from '../../core/kws/labels.js';
import { DETECTOR_OPTIONS, RECIPE_OPTIONS, type NumericOption } from '../../core/kws/options.js';
import { CELL_KINDS, type CellKind } from '../../core/nn/layer.js';
import { z } from 'zod';

/** Changes whenever a message changes shape (2: live.pushFrames names its session; live.switched). */
export const PROTOCOL_VERSION = 2;

/** 16 kHz mono throughout the protocol: core's one sample rate, re-exported for the UI. */
export { SAMPLE_RATE };
/** Longest clip or audio chunk accepted: 30 s. */
export const MAX_CLIP_SAMPLES = 30 * SAMPLE_RATE;
/** Most feature frames in one 'live.pushFrames' message. */
export const MAX_FRAMES_PER_PUSH = 200;
/** Largest feature-frame block per live push (frames × features). */
export const MAX_FRAME_VALUES = MAX_FRAMES_PER_PUSH * 256;
/** Largest model file accepted for import (bytes). */
export { MAX_MODEL_BYTES };
/** Largest WAV file accepted by dataset.importWavs, and most files per call. */
export const MAX_WAV_BYTES = 16 * 1024 * 1024;
export const MAX_WAV_FILES = 200;
/** Most clips per dataset.clipEnvelopes call (a screenful of rows is a few dozen). */
export const MAX_ENVELOPE_CLIPS = 200;

// ---------------------------------------------------------------------------------------
// Building blocks

/** Names a person gives (projects, models, labels, speakers): never path-like. */
const nameString = z
  .string()
  .min(1)
  .max(64)
  .refine((s) => s.trim() === s, 'no leading or trailing spaces')
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .refine((s) => !/[/\\:*?"<>|\u0000-\u001f\u007f]/.test(s), 'no path or control characters')
  .refine((s) => !s.startsWith('.') && !s.startsWith('_'), "no leading '.' or '_'")
  // They become folder names, and Windows cannot create these.
  .refine((s) => !/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s) && !s.endsWith('.'), 'not a name Windows reserves');

export const ProjectName = nameString;
/** A word the user names (also a speaker's name). */
export const Word = nameString.refine((s) => !s.includes('_nohash_'), "no '_nohash_'");
/** A clip's label: a word, or other speech (`_unknown_`, as Speech Commands names it; never a word). */
export const Label = z.union([z.literal(UNKNOWN_LABEL), Word]);
export const Speaker = Word;

/** A clip as the dataset names it: `<label>/<speaker>_nohash_<n>.wav`, as listed by dataset.clips. */
export const ClipPath = z
  .string()
  .max(300)
  .regex(/^[^/\\.][^/\\]*\/[^/\\]+\.wav$/, 'a clip path as listed by dataset.clips');
/** Where the store moves deleted clips and background recordings, so a delete can be undone. */
export const TRASH_DIR = '.hark-trash';
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TRASH = escapeRegExp(TRASH_DIR);
const BACKGROUND = escapeRegExp(BACKGROUND_DIR);
/** What dataset.deleteClip returned. */
export const TrashedPath = z
  .string()
  .max(320)
  .regex(new RegExp(`^${TRASH}/[^/\\\\.][^/\\\\]*/[^/\\\\]+\\.wav(\\.\\d+)?$`), 'a trashed clip as returned by dataset.deleteClip');
/** A background recording as dataset.backgrounds lists it: `<BACKGROUND_DIR>/<file>.wav`. */
export const BackgroundPath = z
  .string()
  .max(300)
  .regex(new RegExp(`^${BACKGROUND}/[^/\\\\.][^/\\\\]*\\.wav$`, 'i'), 'a background recording as listed by dataset.backgrounds');
/** What dataset.deleteBackground returned. */
export const TrashedBackgroundPath = z
  .string()
  .max(320)
  .regex(new RegExp(`^${TRASH}/${BACKGROUND}/[^/\\\\.][^/\\\\]*\\.wav(\\.\\d+)?$`, 'i'), 'a trashed background recording as returned by dataset.deleteBackground');
export const ModelId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a model id as listed by models.list');
export const JobId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a job id as returned by training.start');

// z.instanceof would narrow to Float32Array<ArrayBuffer>; any backing buffer is fine.
const float32Array = () => z.custom<Float32Array>((v) => v instanceof Float32Array, 'a Float32Array');
const uint8Array = () => z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'a Uint8Array');

function finite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** 16 kHz mono samples: a non-empty Float32Array of finite values, at most 30 s. */
export const Samples = float32Array()
  .refine((a) => a.length > 0, 'no samples')
  .refine((a) => a.length <= MAX_CLIP_SAMPLES, `at most ${MAX_CLIP_SAMPLES} samples (30 s at 16 kHz)`)
  .refine(finite, 'every sample must be a finite number');

export const Bytes = (max: number) =>
  uint8Array()
    .refine((b) => b.length > 0, 'empty')
    .refine((b) => b.length <= max, `at most ${max} bytes`);

export const EngineKind = z.enum(['typescript', 'onnxruntime']);

/** A number in an option's declared range (core/kws/options.ts). */
const ranged = (option: NumericOption) => {
  const n = z.number().min(option.min).max(option.max);
  return option.integer ? n.int() : n;
};
const threshold = ranged(DETECTOR_OPTIONS.threshold);
export const DetectorOptions = z
  .object({
    hopMs: ranged(DETECTOR_OPTIONS.hopMs).optional(),
    smoothingMs: ranged(DETECTOR_OPTIONS.smoothingMs).optional(),
    threshold: threshold.optional(),
    thresholds: z.record(Word, threshold).optional(),
    refractoryMs: ranged(DETECTOR_OPTIONS.refractoryMs).optional(),
    maxTrailingSilenceMs: ranged(DETECTOR_OPTIONS.maxTrailingSilenceMs).optional(),
  })
  .strict();

/** The parts of a training recipe the UI may set; the engine fills in the rest. */
export const RecipeOptions = z
  .object({
    cell: z.enum(CELL_KINDS as [CellKind, ...CellKind[]]).optional(),
    hiddenSize: ranged(RECIPE_OPTIONS.hiddenSize).optional(),
    layers: ranged(RECIPE_OPTIONS.layers).optional(),
    epochs: ranged(RECIPE_OPTIONS.epochs).optional(),
    seed: ranged(RECIPE_OPTIONS.seed).optional(),
    augment: z.boolean().optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------
// Methods: name → schema of the one parameter object

const none = z.undefined();
const strictObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();

export const methodSchemas = {
  'engine.info': none,

  'project.list': none,
  'project.open': strictObject({ name: ProjectName, create: z.boolean().optional() }),
  'project.close': none,

  'dataset.clips': none,
  'dataset.labels': none,
  'dataset.addClip': strictObject({ label: Label, speaker: Speaker, samples: Samples }),
  'dataset.relabel': strictObject({ path: ClipPath, label: Label }),
  'dataset.deleteClip': strictObject({ path: ClipPath }),
  'dataset.restoreClip': strictObject({ trashed: TrashedPath }),
  'dataset.addBackground': strictObject({ name: nameString, samples: Samples }),
  'dataset.readClip': strictObject({ path: ClipPath }),
  /** Each clip's peak envelope (app/shared/envelope.ts), for waveform thumbnails; a clip not in the dataset or unreadable is left out. */
  'dataset.clipEnvelopes': strictObject({ paths: z.array(ClipPath).min(1).max(MAX_ENVELOPE_CLIPS) }),
  'dataset.backgrounds': none,
  'dataset.readBackground': strictObject({ path: BackgroundPath }),
  /** Moves the recording to the trash; dataset.restoreBackground undoes it. */
  'dataset.deleteBackground': strictObject({ path: BackgroundPath }),
  'dataset.restoreBackground': strictObject({ trashed: TrashedBackgroundPath }),
  /** WAV files the user picked (bytes, so no path crosses the boundary); each file's folder name is not known, so a label is given. */
  'dataset.importWavs': strictObject({
    label: Label.optional(),
    speaker: Speaker.optional(),
    files: z
      .array(strictObject({ name: z.string().min(1).max(200), bytes: Bytes(MAX_WAV_BYTES) }))
      .min(1)
      .max(MAX_WAV_FILES),
  }),
  /** A folder the host granted (Electron: main's folder dialog); never a renderer path. */
  'dataset.importFolder': strictObject({ grant: z.string().regex(/^[a-z0-9-]{8,64}$/) }),

  'training.start': strictObject({
    name: nameString.optional(),
    // Each word once: a model with two classes of one name could not be imported again once exported.
    words: z.array(Word).min(1).max(100).superRefine((words, ctx) => {
      const twice = words.find((w, i) => words.indexOf(w) !== i);
      if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `each word once: ${JSON.stringify(twice)} is listed twice` });
    }).optional(),
    recipe: RecipeOptions.optional(),
    /** Start from the pretrained encoder when it fits the recipe (default true); false: from scratch. */
    pretrained: z.boolean().optional(),
  }),
  'training.cancel': strictObject({ jobId: JobId }),
  /** Continues a cancelled run exactly where it stopped ('dataset-changed' if its clips changed). */
  'training.resume': strictObject({ jobId: JobId }),
  'training.list': none,

  'models.list': none,
  'models.activate': strictObject({ id: ModelId }),
  'models.rename': strictObject({ id: ModelId, name: nameString }),
  'models.delete': strictObject({ id: ModelId }),
  'models.report': strictObject({ id: ModelId }),
  /** The model as an .onnx file (labels and feature settings in its metadata). */
  'models.exportOnnx': strictObject({ id: ModelId }),
  /** A .hark or .onnx model file's bytes; checked as hostile input. fileName: how errors name the file (default: the name). */
  'models.import': strictObject({
    name: nameString,
    bytes: Bytes(MAX_MODEL_BYTES),
    // eslint-disable-next-line no-control-regex -- a file name is shown in a message: one line, printable
    fileName: z.string().min(1).max(200).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters').optional(),
  }),

  'live.start': strictObject({ engine: EngineKind.optional(), options: DetectorOptions.optional() }),
  /**
   * Raw feature frames (count × F, frame-major) computed with the features of the session
   * numbered `session` (LiveSession.session); frames for an earlier one (sent before a
   * 'live.switched' event arrived) are dropped.
   */
  'live.pushFrames': strictObject({
    session: z.number().int().min(1),
    frames: float32Array()
      .refine((a) => a.length <= MAX_FRAME_VALUES, `at most ${MAX_FRAME_VALUES} values`)
      .refine(finite, 'every value must be a finite number'),
    count: z.number().int().min(0).max(MAX_FRAMES_PER_PUSH),
  }),
  'live.pushAudio': strictObject({ samples: Samples }),
  'live.setOptions': strictObject({ options: DetectorOptions }),
  /**
   * Whether 'live.posteriors' events (the bars) are wanted: the Listen screen turns them off
   * while the window is hidden, so nothing is sent that nobody sees. Detections come either way.
   */
  'live.setPosteriors': strictObject({ enabled: z.boolean() }),
  'live.stop': none,
} as const;

export type MethodName = keyof typeof methodSchemas;
export type MethodParams<M extends MethodName> = z.input<(typeof methodSchemas)[M]>;
export const METHOD_NAMES = Object.keys(methodSchemas) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methodSchemas, name);
}

// ---------------------------------------------------------------------------------------
// What methods answer

export type HostKind = 'electron' | 'node';

export interface EngineInfo {
  protocol: number;
  version: string;
  host: HostKind;
  engines: Array<z.infer<typeof EngineKind>>;
  pid: number;
}

export interface ProjectInfo {
  name: string;
}

export interface OpenedProject {
  name: string;
  clips: ClipInfo[];
  labels: string[];
  /** Repairs made while opening (after a crash): one sentence each. */
  recovery: Array<{ code: string; path?: string; message: string }>;
}

export interface ClipInfo {
  path: string;
  label: string;
  speaker: string;
  durationSeconds: number;
  sha256: string;
  split: 'training' | 'validation' | 'testing';
  source: string;
}

export interface ImportSummary {
  imported: ClipInfo[];
  background: string[];
  rejected: Array<{ file: string; code: string; message: string }>;
}

/** A background-noise recording (not a clip). */
export interface BackgroundInfo {
  path: string;
  /** Its file name. */
  name: string;
  /** null when the file's header cannot be read (training would refuse it: delete it). */
  durationSeconds: number | null;
}

export interface ClipEnvelope {
  path: string;
  /** ENVELOPE_POINTS (min, max) pairs, interleaved. */
  peaks: Float32Array;
}

export interface ClipAudio {
  path: string;
  sampleRate: number;
  samples: Float32Array;
}

export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Misclassified {
  path: string;
  label: string;
  predicted: string;
  score: number;
}

/** What a report was measured on: never clips the model learned from. */
export interface MeasuredOn {
  /** What split the dataset (app/node/dataset/split.ts): its list files, speakers, or takes within each speaker. */
  basis: 'lists' | 'speaker' | 'take';
  split: 'validation' | 'testing';
  clips: number;
  speakers: number;
  /** Of those speakers, how many the model learned from too (their other takes): a weaker test than a new voice. */
  heardSpeakers: number;
}

export interface ModelReport {
  accuracy: number;
  labels: string[];
  perClass: ClassReport[];
  /** confusion[true][predicted], in `labels` order. */
  confusion: number[][];
  misclassified: Misclassified[];
  /** Which clips it was measured on. */
  split: 'validation' | 'testing';
  /** null in reports saved before it was recorded. */
  measuredOn: MeasuredOn | null;
}

export interface ModelInfo {
  id: string;
  name: string;
  createdAt: string;
  labels: string[];
  cell: string;
  hiddenSize: number;
  layers: number;
  /** Accuracy of the report, or null for an imported model not evaluated yet. */
  accuracy: number | null;
  active: boolean;
  source: 'trained' | 'imported';
  /** How its training run went; null for an imported model or one saved before this was recorded. */
  training: TrainingRun | null;
}

/** A trained model's run: how many epochs it ran of the most it could, and whose weights it kept. */
export interface TrainingRun {
  /** Epochs run: fewer than maxEpochs when early stopping ended the run. */
  epochs: number;
  /** The most the recipe allowed. */
  maxEpochs: number;
  /** The epoch whose weights the model has (early stopping's best). */
  keptEpoch: number;
}

export interface JobInfo {
  jobId: string;
  state: 'running' | 'cancelled' | 'done' | 'failed';
  /** Set once the job has produced a model. */
  modelId?: string;
  /** A cancelled job can resume from its checkpoint. */
  resumable: boolean;
  epoch: number;
}

export interface ModelFile {
  fileName: string;
  bytes: Uint8Array;
}

export interface LiveSession {
  /** Numbers the model the session listens with (from live.start, then one more at each 'live.switched'): 'live.pushFrames' names it. */
  session: number;
  /** The model it listens with (the one active when it started or switched). */
  modelId: string;
  labels: string[];
  /** The active model's feature settings: the renderer computes frames with them, after checking them (parseFeatureConfig). */
  features: FeatureConfig;
  engine: z.infer<typeof EngineKind>;
  description: string;
  /** The model's calibrated threshold of each word, used unless the options give a threshold; null when it has none. */
  thresholds: Record<string, number> | null;
}

/** core's detector event, as the engine sends it. */
export type Detection = CoreDetection;

export interface EngineResults {
  'engine.info': EngineInfo;
  'project.list': ProjectInfo[];
  'project.open': OpenedProject;
  'project.close': void;
  'dataset.clips': ClipInfo[];
  'dataset.labels': string[];
  'dataset.addClip': ClipInfo;
  'dataset.relabel': ClipInfo;
  'dataset.deleteClip': { trashed: string };
  'dataset.restoreClip': ClipInfo;
  'dataset.addBackground': { path: string };
  'dataset.readClip': ClipAudio;
  'dataset.clipEnvelopes': ClipEnvelope[];
  'dataset.backgrounds': BackgroundInfo[];
  'dataset.readBackground': ClipAudio;
  'dataset.deleteBackground': { trashed: string };
  'dataset.restoreBackground': BackgroundInfo;
  'dataset.importWavs': ImportSummary;
  'dataset.importFolder': ImportSummary;
  'training.start': JobInfo;
  'training.cancel': JobInfo;
  'training.resume': JobInfo;
  'training.list': JobInfo[];
  'models.list': ModelInfo[];
  'models.activate': ModelInfo;
  'models.rename': ModelInfo;
  'models.delete': void;
  'models.report': ModelReport | null;
  'models.exportOnnx': ModelFile;
  'models.import': ModelInfo;
  'live.start': LiveSession;
  'live.pushFrames': { detections: Detection[] };
  'live.pushAudio': { detections: Detection[] };
  'live.setOptions': void;
  'live.setPosteriors': void;
  'live.stop': void;
}

// ---------------------------------------------------------------------------------------
// Events: engine → UI, through the client's one event function (EVENT_FUNCTION)

export const EVENT_FUNCTION = 'event';

export interface WireError {
  code: string;
  message: string;
}

export type EngineEvent =
  /** One of the trainer's events (epoch, batch, prepare, warning ...), passed through as plain data. */
  | { type: 'training.progress'; jobId: string; event: { type: string; [key: string]: unknown } }
  /** report: null when no clip could be held out (too few takes), and notMeasured says so in one sentence. */
  | { type: 'training.done'; jobId: string; model: ModelInfo; report: ModelReport | null; notMeasured: string | null }
  | { type: 'training.cancelled'; jobId: string; resumable: boolean }
  | { type: 'training.failed'; jobId: string; error: WireError }
  | { type: 'live.posteriors'; labels: string[]; values: Float32Array; time: number }
  | { type: 'live.detection'; detection: Detection }
  /**
   * The running live session switched to the newly active model (a training run finished,
   * or a model was activated): frames go with its number, computed with its features.
   */
  | { type: 'live.switched'; session: LiveSession }
  /** The active model changed but the running session could not switch to it: it goes on with the model it had. */
  | { type: 'live.switchFailed'; modelId: string; error: WireError }
  | { type: 'models.changed' }
  /** A fire-and-forget message (or one that was not a request at all) was refused. */
  | { type: 'protocol.error'; error: WireError }
  /** From the host, not the engine: the engine crashed and was restarted (or gave up). */
  | { type: 'host.engine-restarted'; restarts: number; gaveUp: boolean; reason: string };

export type EngineEventType = EngineEvent['type'];

/** Error codes the engine, the hosts and the client raise themselves (dataset, model and core errors pass their own). */
export const ERROR_CODES = {
  badMessage: 'bad-message',
  unknownMethod: 'unknown-method',
  badArguments: 'bad-arguments',
  noProject: 'no-project',
  notFound: 'not-found',
  busy: 'busy',
  notAllowed: 'not-allowed',
  notListening: 'not-listening',
  noModel: 'no-model',
  internal: 'internal',
  disconnected: 'disconnected',
  timeout: 'timeout',
  /** From a host: no engine is running (it is starting, stopped, or the host gave up). */
  engineUnavailable: 'engine-unavailable',
  /** From a host: the engine died before answering. */
  engineCrashed: 'engine-crashed',
  /** A training run's clips changed on disk after it started. */
  datasetChanged: 'dataset-changed',
} as const;

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WireError).code === 'string' &&
    typeof (value as WireError).message === 'string'
  );
}

/** The envelope of a request as the engine accepts it (birpc's request shape). */
export const RequestEnvelope = z
  .object({
    t: z.literal('q'),
    i: z.string().min(1).max(64).optional(),
    m: z.string().max(64),
    a: z.array(z.unknown()).max(1),
    o: z.boolean().optional(),
  })
  .strict();
