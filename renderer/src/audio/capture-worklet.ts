// AudioWorklet processor for the microphone: mixes every input channel to mono and posts
// the samples to the main thread in blocks of BLOCK frames (100 ms) (transferred, not copied), at
// the AudioContext's rate, which useMicrophone sets to the device's own rate. Never a
// ScriptProcessorNode.
//
// Loaded with audioWorklet.addModule() from a URL that Vite emits as a separate file
// (`?worker&url` in useMicrophone.ts), so it runs under the app's CSP (script-src 'self').
// It must stay self-contained: no imports, nothing from the DOM.

// The AudioWorkletGlobalScope is not in TypeScript's DOM library: the few names used here
// (declared without DOM types, so the Node-side unit test typechecks it too).
interface WorkletPort {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}
declare class AudioWorkletProcessor {
  readonly port: WorkletPort;
  constructor();
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void;
declare const sampleRate: number; // the AudioContext's rate

/**
 * Samples per posted block: 100 ms of audio (whole 128-frame quanta), so 10 messages a
 * second at any rate. Every message wakes the renderer's main thread, runs the pipeline
 * and sends frames to the engine, which wakes too and makes two decisions (every 50 ms of
 * audio), the second with its caches warm. At this load the wake-ups cost more than the
 * arithmetic: `npm run bench:live` measured the app at 15.3 % of a core with 40 ms blocks
 * and 10.8 % with 100 ms ones (and the views at 10 frames a second; docs/measurements.md, "Live listening CPU"). The price is
 * latency: a sample waits up to 100 ms here (40 ms before), about 30 ms more on average.
 */
const BLOCK = Math.max(128, Math.round((sampleRate * 0.1) / 128) * 128);

class HarkCaptureProcessor extends AudioWorkletProcessor {
  private block = new Float32Array(BLOCK);
  private filled = 0;
  private stopped = false;

  constructor() {
    super();
    this.port.onmessage = (event: { data: unknown }) => {
      if (event.data === 'stop') {
        this.flush();
        this.stopped = true;
        this.port.postMessage({ type: 'stopped' });
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const channels = inputs[0];
    if (!channels || channels.length === 0) return true; // no input connected yet
    // A copy (memcpy) of one channel, or of the channels' mean, instead of a loop per
    // sample: this runs for every render quantum, 344 times a second at 44.1 kHz.
    const input = channels.length === 1 ? channels[0] : this.mix(channels);
    if (this.filled + input.length <= BLOCK) {
      this.block.set(input, this.filled); // always so with 128-frame quanta: BLOCK is a multiple
      this.filled += input.length;
      if (this.filled === BLOCK) this.flush();
      return true;
    }
    for (let i = 0; i < input.length; i++) {
      this.block[this.filled++] = input[i];
      if (this.filled === BLOCK) this.flush();
    }
    return true;
  }

  private mixed = new Float32Array(128);

  /** The mean of the channels, in a buffer reused across calls. */
  private mix(channels: Float32Array[]): Float32Array {
    const frames = channels[0].length;
    const count = channels.length;
    if (this.mixed.length !== frames) this.mixed = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < count; c++) sum += channels[c][i];
      this.mixed[i] = sum / count;
    }
    return this.mixed;
  }

  private flush(): void {
    if (this.filled === 0) return;
    const out = this.filled === BLOCK ? this.block : this.block.slice(0, this.filled);
    this.port.postMessage({ type: 'samples', samples: out }, [out.buffer]);
    this.block = new Float32Array(BLOCK);
    this.filled = 0;
  }
}

registerProcessor('hark-capture', HarkCaptureProcessor);
