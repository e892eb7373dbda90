// Live recognition (placeholder until core/kws lands).
import { HarkError } from '../../core/errors.js';
import type { Detection, EngineEvent, LiveSession as LiveInfo } from '../shared/protocol.js';
import type { OpenProject } from './service.js';

export class LiveSession {
  constructor(
    private readonly project: () => OpenProject,
    private readonly emit: (event: EngineEvent) => void,
  ) {}
  async start(_params: unknown): Promise<LiveInfo> {
    this.project();
    void this.emit;
    throw new HarkError('unavailable', 'live recognition is not wired yet');
  }
  async pushFrames(_frames: Float32Array, _count: number): Promise<{ detections: Detection[] }> {
    throw new HarkError('not-listening', 'not listening');
  }
  async pushAudio(_samples: Float32Array): Promise<{ detections: Detection[] }> {
    throw new HarkError('not-listening', 'not listening');
  }
  async setOptions(_options: unknown): Promise<void> {
    throw new HarkError('not-listening', 'not listening');
  }
  async stop(): Promise<void> {}
}
