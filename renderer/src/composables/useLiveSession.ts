// useLiveSession: listening live. The microphone's MFCC frames go to the engine, which runs
// the active model and sends back per-word probabilities and detections. VueUse style: an
// options object in, refs and actions out, and the session stopped when the owning scope
// goes away. It owns the session's lifecycle with the engine, the microphone, the last
// seconds of audio ("That was wrong" files the window a detection fired on), the latency of
// each detection, the detection log, and the engine's probabilities while the page is
// hidden (none: nobody sees the bars). It knows no component: the live views get the
// frames, the probabilities and the moments to repaint through the on* callbacks.
//
// The engine's session follows the active model: when a training run finishes (or another
// model is activated) while listening, it switches and sends 'live.switched' with the new
// model's session. The page's half follows: the microphone starts again, its frames
// computed with the new model's feature settings and sent under the new session's number
// (frames still on their way under the old one are dropped by the engine), and the views
// start over with the new model's words.
//
// It imports nothing that needs the DOM (the engine state and the microphone are passed
// in), so its tests run in Node with a fake engine and a fake microphone.

import { computed, getCurrentScope, onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref } from 'vue';
import type { EngineClient } from '../../../app/shared/client.js';
import { MAX_FRAMES_PER_PUSH, SAMPLE_RATE, type Detection, type EngineInfo, type LiveSession } from '../../../app/shared/protocol.js';
import { DEFAULT_FEATURE_CONFIG, featureCount as featuresPerFrame, parseFeatureConfig, staticFeatureCount, type FeatureConfig } from '../../../core/features/config.js';
import type { DetectorOptions } from '../../../core/kws/detector.js';
import { DEFAULT_THRESHOLD } from '../../../core/kws/decision.js';
import type { DetectorSettings } from '../state/detector-settings.js';
import { OTHER_SPEECH, withDisplayLabels } from '../labels.js';
import { RecentAudio } from '../audio/recent-audio.js';
import { DetectionLatency } from '../audio/detection-latency.js';
import { usePageVisibility } from './usePageVisibility.js';

/**
 * The audio kept for "That was wrong": a model's window plus the time a person takes to
 * react to a detection and press the button.
 */
export const RECENT_AUDIO_SECONDS = 10;
/** Entries the detection log shows, newest first. */
export const DETECTION_LOG_LENGTH = 100;

export type EngineKind = LiveSession['engine'];

/** What the live session uses of the engine state (state/engine.ts). */
export interface LiveEngine {
  readonly client: Readonly<Ref<EngineClient | null>>;
  readonly info: Readonly<Ref<EngineInfo | null>>;
  refreshClips(): Promise<void>;
}

/** One block of captured audio, as useMicrophone delivers it. */
export interface LiveAudioBlock {
  /** New 16 kHz samples. */
  samples16k: Float32Array;
  /** New feature frames, frame-major (frames × feature count). */
  frames: Float32Array;
}

/** What the session gives the microphone (useMicrophone's options). */
export interface LiveMicrophoneOptions {
  deviceId: MaybeRefOrGetter<string | null | undefined>;
  /** The session's feature settings, read when the microphone starts. */
  features: () => FeatureConfig | null;
  onData: (data: LiveAudioBlock) => void;
  onEnded: () => void;
}

/** What the session uses of a microphone (useMicrophone's result). */
export interface LiveMicrophone {
  /** False when it could not start (its own error says why) or was stopped meanwhile. */
  start(): Promise<boolean>;
  stop(): void;
}

export interface UseLiveSessionOptions<M extends LiveMicrophone> {
  /** The engine state (useEngine()). */
  engine: LiveEngine;
  /** Opens the microphone (useMicrophone), once, in the caller's scope. */
  microphone: (options: LiveMicrophoneOptions) => M;
  /** Input device; empty or null for the system default. */
  deviceId?: MaybeRefOrGetter<string | null | undefined>;
  /** The detector's settings; a change applies to the running session. */
  detector: MaybeRefOrGetter<Readonly<DetectorSettings>>;
  /** The speaker "That was wrong" files its clip under. */
  speaker: MaybeRefOrGetter<string>;
  /** Whether the probability bars can be seen (default: the page is visible, usePageVisibility). */
  visible?: MaybeRefOrGetter<boolean>;
  /** A session started: the views drop what they show of a previous one. */
  onSessionStart?: () => void;
  /** Feature frames of the session, as sent to the engine (`count` frames). */
  onFrames?: (frames: Float32Array, count: number) => void;
  /** The engine's latest probability of each session label. */
  onPosteriors?: (values: Float32Array) => void;
  /** Something the live views show changed (a block of audio, probabilities, a start or a stop): a paint is due. */
  onChange?: () => void;
}

/** An entry of the log; `id` numbers the entries in the order they came, from 0, so the newest's id + 1 is how many came. */
export type DetectionLogEntry =
  | { kind: 'detection'; id: number; at: number; label: string; score: number; latencyMs: number | null }
  /** "That was wrong" filed the audio that made `label` fire as other speech. */
  | { kind: 'filed'; id: number; at: number; label: string };

/** A log entry before the log numbers and dates it. */
type NewLogEntry = WithoutIdAt<DetectionLogEntry>;
type WithoutIdAt<E> = E extends unknown ? Omit<E, 'id' | 'at'> : never;

/** A ref as its readers see it: the type says they cannot set it. */
const readOnly = <T>(r: Ref<T>): Readonly<Ref<T>> => r;

/**
 * What the detector is told: the user's one threshold only when they chose it; otherwise
 * none, and the engine applies the model's calibrated thresholds (or its default).
 */
export function detectorOptions(settings: Readonly<DetectorSettings>): DetectorOptions {
  const { ownThreshold, threshold, ...rest } = settings;
  return ownThreshold ? { ...rest, threshold } : rest;
}

/** Rows of the static features (MFCCs and log energy) in a frame: what the spectrogram shows. */
const messageOf = (e: unknown): string => withDisplayLabels(e instanceof Error ? e.message : String(e));

/** The engines the host offers and the one to use: ONNX Runtime when there is one, unless the user chose. */
function useEngineChoice(engine: LiveEngine) {
  const engineKinds = computed<EngineKind[]>(() => engine.info.value?.engines ?? ['typescript']);
  // ONNX Runtime when the engine has it: on a 64-unit model its detector takes several
  // times less CPU than the TypeScript engine's (`npm run bench`, `npm run bench:live`).
  const chosen = ref<EngineKind | null>(null);
  const engineKind = computed<EngineKind>({
    get: () => chosen.value ?? (engineKinds.value.includes('onnxruntime') ? 'onnxruntime' : 'typescript'),
    set: (kind) => { chosen.value = kind; },
  });
  return { engineKinds, engineKind };
}

/** The detection log, newest first, at most DETECTION_LOG_LENGTH entries. */
function useDetectionLog() {
  const entries = shallowRef<DetectionLogEntry[]>([]);
  let nextId = 0;
  function add(entry: NewLogEntry): void {
    entries.value = [{ ...entry, id: nextId++, at: Date.now() } as DetectionLogEntry, ...entries.value].slice(0, DETECTION_LOG_LENGTH);
  }
  return { entries: readOnly(entries), add };
}

/** What a session reported of itself, for the views; begin() takes a new session's. */
function useSessionInfo(detector: MaybeRefOrGetter<Readonly<DetectorSettings>>) {
  /** The session's labels, in the order of its probabilities (empty before a session). */
  const labels = shallowRef<string[]>([]);
  /** The active model's calibrated thresholds, as the session reported them (null: it has none). */
  const calibrated = shallowRef<Readonly<Record<string, number>> | null>(null);
  const description = ref('');
  /** The model the session listens with (null before a session). */
  const modelId = ref<string | null>(null);
  const featureRows = ref(staticFeatureCount(DEFAULT_FEATURE_CONFIG));
  const featureCount = ref(featuresPerFrame(DEFAULT_FEATURE_CONFIG));

  /** Takes the session's report; its feature settings, checked. */
  function begin(session: LiveSession): FeatureConfig {
    const features = parseFeatureConfig(session.features);
    featureRows.value = staticFeatureCount(features);
    featureCount.value = featuresPerFrame(features);
    labels.value = session.labels;
    calibrated.value = session.thresholds;
    description.value = session.description;
    modelId.value = session.modelId;
    return features;
  }

  return {
    begin,
    shown: {
      labels: readOnly(labels),
      calibrated: readOnly(calibrated),
      /** The thresholds the bars mark: the user's one, or the session's calibrated ones, or the detector's default. */
      threshold: computed(() => {
        const settings = toValue(detector);
        return settings.ownThreshold ? settings.threshold : calibrated.value ?? DEFAULT_THRESHOLD;
      }),
      description: readOnly(description),
      /** The model the session listens with (it follows the active one while listening); null before a session. */
      modelId: readOnly(modelId),
      /** Rows of the spectrogram: the static features of a frame. */
      featureRows: readOnly(featureRows),
      /** Values in a frame. */
      featureCount: readOnly(featureCount),
    },
  };
}

/**
 * The microphone's start for a session's start or switch: false when it could not (its own
 * error says why) or a stop overtook it, not when a later start (a switch's) did.
 */
function microphoneStarts(mic: LiveMicrophone): () => Promise<boolean> {
  let starts = 0;
  return async () => {
    const mine = ++starts;
    return (await mic.start()) || mine !== starts;
  };
}

/**
 * A session's stream: its feature settings, the number its frames go to the engine under,
 * the recent audio ("That was wrong") and the latency of its detections, all counted from
 * the microphone's start for the session (begin).
 */
function sessionStream(engine: LiveEngine, info: ReturnType<typeof useSessionInfo>) {
  let features: FeatureConfig | null = null;
  /** The session the microphone's frames are computed for (its number, values per frame); null: none go out. */
  let frames: { session: number; featureCount: number } | null = null;
  const recent = new RecentAudio(RECENT_AUDIO_SECONDS * SAMPLE_RATE);
  const latency = new DetectionLatency();
  return {
    recent,
    latency,
    features: (): FeatureConfig | null => features,
    /** Takes a session's report; the microphone must start after this, with its features. */
    begin(session: LiveSession): void {
      features = info.begin(session);
      frames = { session: session.session, featureCount: info.shown.featureCount.value };
      latency.reset(features);
      recent.clear();
    },
    /** No more frames go out (until begin). */
    end(): void { frames = null; },
    /** Keeps a block's audio and sends its frames (to the views too). */
    send(block: LiveAudioBlock, onFrames?: (frames: Float32Array, count: number) => void): void {
      recent.push(block.samples16k);
      if (!frames) return;
      const count = block.frames.length / frames.featureCount;
      if (count === 0) return;
      onFrames?.(block.frames, count);
      const client = engine.client.value;
      if (client) pushFrames(client, frames.session, block.frames, count, frames.featureCount);
      latency.sent(count, performance.now());
    },
  };
}

/** Sends `count` frames of `featureCount` values to the engine for `session`, in messages of at most MAX_FRAMES_PER_PUSH frames. */
function pushFrames(client: EngineClient, session: number, frames: Float32Array, count: number, featureCount: number): void {
  for (let o = 0; o < count; o += MAX_FRAMES_PER_PUSH) {
    const n = Math.min(MAX_FRAMES_PER_PUSH, count - o);
    client.send('live.pushFrames', { session, frames: frames.subarray(o * featureCount, (o + n) * featureCount) as Float32Array<ArrayBuffer>, count: n });
  }
}

/** The running session follows the screen: the bars' probabilities only while they can be seen, the detector's settings as they change. */
function useEngineFollowsScreen({ engine, visible, detector, listening, onProblem }: {
  engine: LiveEngine;
  visible: MaybeRefOrGetter<boolean>;
  detector: MaybeRefOrGetter<Readonly<DetectorSettings>>;
  listening: Readonly<Ref<boolean>>;
  onProblem: (text: string) => void;
}) {
  // Nobody sees the bars while the page is hidden: the engine stops sending them, which
  // saves a message and a wake-up in each process ten times a second (`npm run bench:live`).
  function wantPosteriors(enabled: boolean): void {
    engine.client.value?.send('live.setPosteriors', { enabled });
  }
  watch(() => toValue(visible), (shown) => { if (listening.value) wantPosteriors(shown); });

  watch(() => toValue(detector), (settings) => {
    if (listening.value) void engine.client.value?.call('live.setOptions', { options: detectorOptions(settings) }).catch((e: unknown) => { onProblem(messageOf(e)); });
  }, { deep: true });
  return { wantPosteriors };
}

/** Cuts the model's window that ended at a detection's decision out of the recent audio; null when it is gone. */
export function detectionWindow(recent: RecentAudio, detection: Detection, features: FeatureConfig): Float32Array | null {
  const length = Math.round(features.windowSeconds * SAMPLE_RATE);
  const end = Math.min(recent.total, Math.round(detection.time * SAMPLE_RATE));
  return end - length >= 0 ? recent.slice(end - length, length) : null;
}

interface ThatWasWrongOptions {
  engine: LiveEngine;
  recent: RecentAudio;
  log: ReturnType<typeof useDetectionLog>;
  speaker: MaybeRefOrGetter<string>;
  features: () => FeatureConfig | null;
  onProblem: (text: string) => void;
}

/**
 * "That was wrong": the window that made the latest detection fire (the model's window,
 * ending at the decision) is filed as other speech, so the next training learns that this
 * is not the word. Exactly what the model heard, not the seconds around the click.
 */
function useThatWasWrong({ engine, recent, log, speaker, features, onProblem }: ThatWasWrongOptions) {
  /** The latest detection of this session, and whether it was already filed. */
  const last = shallowRef<{ detection: Detection; filed: boolean } | null>(null);

  async function file(): Promise<void> {
    const client = engine.client.value;
    const latest = last.value;
    const config = features();
    if (!client || !latest || latest.filed || !config) return;
    const samples = detectionWindow(recent, latest.detection, config);
    if (!samples) {
      onProblem(`The audio of that detection is gone (only the last ${RECENT_AUDIO_SECONDS} s are kept): mark a detection as wrong soon after it.`);
      return;
    }
    last.value = { ...latest, filed: true }; // before the await: a second click must not file it twice
    try {
      await client.call('dataset.addClip', { label: OTHER_SPEECH, speaker: toValue(speaker), samples });
      await engine.refreshClips();
      log.add({ kind: 'filed', label: latest.detection.label });
    } catch (e) {
      if (last.value?.detection === latest.detection) last.value = { ...latest, filed: false };
      onProblem(messageOf(e));
    }
  }

  return {
    /** Whether the latest detection can be filed. */
    canFile: computed(() => last.value !== null && !last.value.filed),
    detected: (detection: Detection): void => { last.value = { detection, filed: false }; },
    /** A new session: nothing to file. */
    forget: (): void => { last.value = null; },
    file,
  };
}

export function useLiveSession<M extends LiveMicrophone>(options: UseLiveSessionOptions<M>) {
  const { engine } = options;
  const { engineKinds, engineKind } = useEngineChoice(engine);
  const log = useDetectionLog();
  const visible = options.visible ?? usePageVisibility();
  const listening = ref(false);
  const starting = ref(false);
  const problem = ref('');
  const info = useSessionInfo(options.detector);

  const stream = sessionStream(engine, info);
  const { recent, latency, features } = stream;
  const wrong = useThatWasWrong({
    engine, recent, log,
    speaker: options.speaker,
    features,
    onProblem: (text) => { problem.value = text; },
  });
  let offEvents: Array<() => void> = [];
  /** Counts stops, so a start overtaken by one (the screen closed meanwhile) gives up. */
  let stops = 0;

  // Registered before the microphone's own cleanup, so the session stops first and the
  // microphone's last block is not sent to an engine session that is ending.
  // Nothing is painted after that: the owner's views are going too.
  if (getCurrentScope()) onScopeDispose(() => { void stop({ repaint: false }); });

  const mic = options.microphone({
    deviceId: options.deviceId ?? null,
    features,
    onData: (block) => {
      options.onChange?.();
      stream.send(block, options.onFrames);
    },
    onEnded: () => { void stop(); },
  });
  const startMicrophone = microphoneStarts(mic);

  const { wantPosteriors } = useEngineFollowsScreen({ engine, visible, detector: options.detector, listening, onProblem: (text) => { problem.value = text; } });

  function subscribe(client: EngineClient): void {
    offEvents = [
      client.on('live.posteriors', (e) => { options.onPosteriors?.(e.values); options.onChange?.(); }),
      client.on('live.detection', (e) => {
        wrong.detected(e.detection);
        log.add({ kind: 'detection', label: e.detection.label, score: e.detection.score, latencyMs: latency.latencyOf(e.detection.time, performance.now()) });
      }),
      client.on('live.switched', (e) => { void switched(e.session); }),
      client.on('live.switchFailed', (e) => { problem.value = `Still listening with the model it had: it could not switch to the newly active one (${withDisplayLabels(e.error.message)}).`; }),
      client.on('protocol.error', (e) => { problem.value = withDisplayLabels(e.error.message); }),
    ];
  }

  function unsubscribe(): void {
    for (const off of offEvents) off();
    offEvents = [];
  }

  /** Takes a session's report (from live.start or a switch); the microphone's frames go under its number once it starts. */
  function begin(session: LiveSession): void {
    stream.begin(session);
    wrong.forget();
    options.onSessionStart?.();
  }

  /**
   * The engine switched to the newly active model: the microphone starts again with its
   * feature settings, so the stream times, the recent audio and the latency all count from
   * the new model's first frame, as at a start. (Its window is empty at first anyway: it
   * decides nothing for a second, whatever the microphone does.)
   */
  async function switched(session: LiveSession): Promise<void> {
    if (!listening.value) return;
    stream.end(); // the tail the microphone delivers as it stops is of the old settings
    mic.stop();
    try {
      begin(session);
    } catch (e) {
      problem.value = messageOf(e);
      await stop();
      return;
    }
    options.onChange?.();
    if (!(await startMicrophone()) && listening.value) await stop();
  }

  async function start(): Promise<void> {
    const client = engine.client.value;
    if (!client || listening.value || starting.value) return;
    const stopsBefore = stops;
    starting.value = true;
    problem.value = '';
    try {
      const session = await client.call('live.start', { engine: engineKind.value, options: detectorOptions(toValue(options.detector)) });
      if (stops !== stopsBefore) { await client.call('live.stop').catch(() => undefined); return; }
      begin(session);
      subscribe(client);
      listening.value = true;
      if (!toValue(visible)) wantPosteriors(false);
      if (await startMicrophone()) { options.onChange?.(); return; }
      listening.value = false;
      stream.end();
      unsubscribe();
      await client.call('live.stop').catch(() => undefined);
    } catch (e) {
      problem.value = messageOf(e);
    } finally {
      starting.value = false;
    }
  }

  async function stop({ repaint = true }: { repaint?: boolean } = {}): Promise<void> {
    stops++;
    const wasListening = listening.value;
    listening.value = false;
    stream.end();
    mic.stop();
    unsubscribe();
    if (repaint) options.onChange?.(); // the level meter falls back to zero
    if (wasListening) await engine.client.value?.call('live.stop').catch(() => undefined);
  }

  return {
    microphone: mic,
    engineKinds,
    engineKind,
    listening: readOnly(listening),
    starting: readOnly(starting),
    problem: readOnly(problem),
    ...info.shown,
    log: log.entries,
    /** Whether "That was wrong" has a detection of this session to file. */
    canMarkWrong: computed(() => listening.value && wrong.canFile.value),
    start,
    stop: () => { void stop(); },
    thatWasWrong: wrong.file,
  };
}

export type LiveSessionState = ReturnType<typeof useLiveSession>;
