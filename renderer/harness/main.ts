// Test-only page for the browser tests (test/e2e): drives the app's real microphone
// composable, useMicrophone (AudioWorklet → core Resampler → core FeatureStream), and
// hands what it produced back to Node. Built by the tests with Vite, never by the app.

import { effectScope } from 'vue';
import { Resampler } from '../../core/audio/resample.js';
import { SAMPLE_RATE } from '../../core/audio/sample-rate.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../core/features/config.js';
import { useMicrophone, type Microphone } from '../src/composables/useMicrophone';
import { captureConstraints, captureContextOptions } from '../src/audio/constraints';
import workletUrl from '../src/audio/capture-worklet.ts?worker&url';

export interface CaptureResult {
  deviceRate: number | null;
  /** Whether core's resampler runs its WebAssembly kernel here (the page's CSP allows compiling it). */
  resamplerWasm: boolean;
  samples16k: number[];
  frames: number[];
  featureCount: number;
  error: string | null;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Captures until `samples` 16 kHz samples have arrived, then stops (the tail included). */
async function capture(samples: number): Promise<CaptureResult> {
  const audio: Float32Array[] = [];
  const frames: Float32Array[] = [];
  let received = 0;
  const scope = effectScope();
  const mic = scope.run(() => useMicrophone({
    onData: (d) => { audio.push(d.samples16k); frames.push(d.frames); received += d.samples16k.length; },
  })) as Microphone;
  const ok = await mic.start();
  if (!ok) { scope.stop(); return { deviceRate: null, resamplerWasm: false, samples16k: [], frames: [], featureCount: 0, error: mic.error.value?.kind ?? 'unknown' }; }
  const deviceRate = mic.deviceRate.value;
  while (received < samples) await sleep(20);
  mic.stop();
  scope.stop();
  return {
    deviceRate,
    // A Resampler made here at the device's rate shares the pipeline's filter bank, and so
    // its kernel instance: whether that instance exists on this page (CSP, WebAssembly).
    resamplerWasm: deviceRate !== null && new Resampler({ fromRate: deviceRate, toRate: SAMPLE_RATE }).accelerated,
    samples16k: Array.from(concat(audio)),
    frames: Array.from(concat(frames)),
    featureCount: featureCount(DEFAULT_FEATURE_CONFIG),
    error: null,
  };
}

/** n start/stop cycles, each waiting for real audio to arrive before stopping. */
async function cycles(n: number): Promise<{ completed: number; errors: string[] }> {
  const errors: string[] = [];
  let completed = 0;
  for (let i = 0; i < n; i++) {
    let got = 0;
    const scope = effectScope();
    const mic = scope.run(() => useMicrophone({ onData: (d) => { got += d.samples16k.length; } })) as Microphone;
    if (!(await mic.start())) { errors.push(mic.error.value?.kind ?? 'unknown'); scope.stop(); continue; }
    while (got === 0) await sleep(5);
    scope.stop(); // disposal must release everything, as a component unmount would
    completed++;
  }
  return { completed, errors };
}

/** Listens (features on, as live recognition does) for `ms` of wall time; frames computed. */
async function listen(ms: number): Promise<{ frames: number; error: string | null }> {
  let frames = 0;
  const scope = effectScope();
  const mic = scope.run(() => useMicrophone({ onData: (d) => { frames += d.frames.length / featureCount(DEFAULT_FEATURE_CONFIG); } })) as Microphone;
  if (!(await mic.start())) { scope.stop(); return { frames: 0, error: mic.error.value?.kind ?? 'unknown' }; }
  await sleep(ms);
  scope.stop();
  return { frames, error: null };
}

/**
 * The browser's share alone, for the benchmark: the same getUserMedia constraints,
 * AudioContext and worklet, with the blocks dropped on arrival (no resampling, no features).
 */
async function captureOnly(ms: number): Promise<{ blocks: number }> {
  const stream = await navigator.mediaDevices.getUserMedia(captureConstraints());
  const rate = stream.getAudioTracks()[0].getSettings().sampleRate;
  const context = new AudioContext(captureContextOptions(rate));
  await context.audioWorklet.addModule(workletUrl);
  const node = new AudioWorkletNode(context, 'hark-capture', { numberOfInputs: 1, numberOfOutputs: 0 });
  let blocks = 0;
  node.port.onmessage = () => { blocks++; };
  const source = context.createMediaStreamSource(stream);
  source.connect(node);
  await sleep(ms);
  source.disconnect();
  node.port.close();
  for (const t of stream.getTracks()) t.stop();
  await context.close();
  return { blocks };
}

(globalThis as unknown as { harness: unknown }).harness = { capture, cycles, listen, captureOnly };
document.getElementById('status')!.textContent = 'ready';
