// Entry of one feature-extraction thread (see feature-threads.ts): windows in, their
// features out, computed by core's extractFeatures exactly as on the calling thread.
import { parentPort } from 'node:worker_threads';
import type { FeatureConfig } from '../../core/features/config.js';
import { extractFeatures } from '../../core/features/mfcc.js';

export interface FeatureRequest { id: number; config: FeatureConfig; windows: Float32Array[] }
export type FeatureReply = { id: number; features: Float32Array[] } | { id: number; error: string };

const port = parentPort;
if (port) {
  port.on('message', ({ id, config, windows }: FeatureRequest) => {
    try {
      const features = windows.map((w) => extractFeatures(w, config));
      port.postMessage({ id, features } satisfies FeatureReply, features.map((f) => f.buffer as ArrayBuffer));
    } catch (err) {
      port.postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies FeatureReply);
    }
  });
}
