// useMicrophone: the one way the app opens the microphone, for recording and for live
// listening alike (same constraints, same path). VueUse style: an options object in,
// refs out, and everything released when the owning component or effect scope goes away.
//
//   getUserMedia (CAPTURE_PROCESSING) → MediaStreamSource → AudioWorkletNode 'hark-capture'
//   at the device's own rate → CapturePipeline (core Resampler → 16 kHz, core FeatureStream)
//   → options.onData
//
// stop() (or scope disposal) disconnects the graph, stops every track and closes the
// AudioContext; a start() that is overtaken by stop() cleans up after itself. A track that
// ends by itself (device unplugged) stops capture, reports 'unplugged' and calls onEnded
// so the caller can discard what it was recording.

import { getCurrentScope, onScopeDispose, readonly, ref, shallowRef, toValue, type MaybeRefOrGetter } from 'vue';
import workletUrl from '../audio/capture-worklet.ts?worker&url';
import { captureConstraints, captureContextOptions } from '../audio/constraints';
import { micError, toMicError, type MicError } from '../audio/mic-errors';
import { CapturePipeline, type PipelineOutput } from '../audio/pipeline';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from '../../../core/features/config.js';

export type MicState = 'idle' | 'starting' | 'running';

export interface MicData extends PipelineOutput {
  /** True for the last delivery after stop(): the resampler's tail and held-back frames. */
  end: boolean;
}

export interface UseMicrophoneOptions {
  /** Input device (MediaDeviceInfo.deviceId); empty or null for the system default. */
  deviceId?: MaybeRefOrGetter<string | null | undefined>;
  /** Feature configuration for MFCC frames (read at each start), or null for samples only. Default: the app's. */
  features?: FeatureConfig | null | (() => FeatureConfig | null);
  /** Every block of captured audio, resampled, with its frames. */
  onData?: (data: MicData) => void;
  /** The device went away while capturing (after `error` is set to 'unplugged'). */
  onEnded?: () => void;
}

interface Session {
  stream: MediaStream | null;
  context: AudioContext | null;
  source: MediaStreamAudioSourceNode | null;
  node: AudioWorkletNode | null;
  pipeline: CapturePipeline | null;
  onTrackEnded: (() => void) | null;
}

export function useMicrophone(options: UseMicrophoneOptions = {}) {
  const state = ref<MicState>('idle');
  const error = shallowRef<MicError | null>(null);
  /** Peak level of the latest block, 0..1. */
  const peak = ref(0);
  /** RMS level of the latest block, 0..1. */
  const rms = ref(0);
  /** The rate the device delivers and the AudioContext runs at. */
  const deviceRate = ref<number | null>(null);
  /** The label of the device in use. */
  const deviceLabel = ref('');

  let session: Session | null = null;
  let generation = 0;

  function teardown(s: Session, deliverTail: boolean): void {
    if (s.onTrackEnded) for (const t of s.stream?.getTracks() ?? []) t.removeEventListener('ended', s.onTrackEnded);
    if (s.node) {
      s.node.port.onmessage = null;
      s.node.port.close();
      s.node.disconnect();
    }
    s.source?.disconnect();
    for (const t of s.stream?.getTracks() ?? []) t.stop();
    if (s.context && s.context.state !== 'closed') void s.context.close().catch(() => undefined);
    if (deliverTail && s.pipeline) options.onData?.({ ...s.pipeline.flush(), end: true });
    s.node = null; s.source = null; s.stream = null; s.context = null; s.pipeline = null;
  }

  async function start(): Promise<boolean> {
    if (state.value !== 'idle') return state.value === 'running';
    const my = ++generation;
    error.value = null;
    state.value = 'starting';
    const s: Session = { stream: null, context: null, source: null, node: null, pipeline: null, onTrackEnded: null };
    session = s;
    const overtaken = (): boolean => my !== generation;
    try {
      if (!navigator.mediaDevices?.getUserMedia || typeof AudioWorkletNode === 'undefined') {
        throw Object.assign(new Error('no getUserMedia or AudioWorklet'), { name: 'Unsupported' });
      }
      s.stream = await navigator.mediaDevices.getUserMedia(captureConstraints(toValue(options.deviceId)));
      if (overtaken()) { teardown(s, false); return false; }
      const track = s.stream.getAudioTracks()[0];
      if (!track) throw Object.assign(new Error('the stream has no audio track'), { name: 'NotFoundError' });
      if (track.readyState === 'ended') throw Object.assign(new Error('the track ended at once'), { name: 'NotReadableError' });
      const rate = track.getSettings().sampleRate;
      // Run the graph at the device's rate so Chromium does not resample: core's resampler does.
      s.context = new AudioContext(captureContextOptions(rate));
      await s.context.audioWorklet.addModule(workletUrl);
      if (overtaken()) { teardown(s, false); return false; }
      const features = typeof options.features === 'function' ? options.features() : options.features;
      s.pipeline = new CapturePipeline(s.context.sampleRate, features === undefined ? DEFAULT_FEATURE_CONFIG : features);
      s.source = s.context.createMediaStreamSource(s.stream);
      s.node = new AudioWorkletNode(s.context, 'hark-capture', { numberOfInputs: 1, numberOfOutputs: 0, channelCountMode: 'max' });
      const pipeline = s.pipeline;
      s.node.port.onmessage = (event: MessageEvent<{ type: string; samples?: Float32Array }>) => {
        if (event.data.type !== 'samples' || !event.data.samples || session !== s) return;
        const out = pipeline.push(event.data.samples);
        peak.value = out.peak;
        rms.value = out.rms;
        options.onData?.({ ...out, end: false });
      };
      s.source.connect(s.node);
      s.onTrackEnded = () => {
        if (session !== s) return;
        // The device went away: nothing after this is audio, and the caller discards the take.
        generation++;
        session = null;
        teardown(s, false);
        state.value = 'idle';
        peak.value = 0; rms.value = 0;
        error.value = micError('unplugged', 'the audio track ended');
        options.onEnded?.();
      };
      track.addEventListener('ended', s.onTrackEnded);
      if (s.context.state === 'suspended') await s.context.resume();
      if (overtaken()) { teardown(s, false); return false; }
      deviceRate.value = s.context.sampleRate;
      deviceLabel.value = track.label;
      state.value = 'running';
      return true;
    } catch (e) {
      teardown(s, false);
      if (overtaken()) return false;
      session = null;
      state.value = 'idle';
      error.value = (e as { name?: string }).name === 'Unsupported' ? micError('unsupported', String(e)) : toMicError(e);
      return false;
    }
  }

  /** Stops capture; the last onData (end: true) carries the resampler's and features' tail. */
  function stop(): void {
    generation++;
    const s = session;
    session = null;
    if (s) teardown(s, state.value === 'running');
    state.value = 'idle';
    peak.value = 0;
    rms.value = 0;
  }

  if (getCurrentScope()) onScopeDispose(stop);

  return {
    state: readonly(state),
    error: readonly(error),
    peak: readonly(peak),
    rms: readonly(rms),
    deviceRate: readonly(deviceRate),
    deviceLabel: readonly(deviceLabel),
    start,
    stop,
    clearError: () => { error.value = null; },
  };
}

export type Microphone = ReturnType<typeof useMicrophone>;
