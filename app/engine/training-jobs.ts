// Training jobs (placeholder until core/kws lands: every call says so).
import { HarkError } from '../../core/errors.js';
import type { EngineEvent, JobInfo } from '../shared/protocol.js';
import type { OpenProject } from './service.js';

export class TrainingJobs {
  constructor(
    private readonly project: () => OpenProject,
    private readonly emit: (event: EngineEvent) => void,
  ) {}
  running(): boolean {
    return false;
  }
  async start(_params: unknown): Promise<JobInfo> {
    this.project();
    this.emit({ type: 'models.changed' });
    throw new HarkError('unavailable', 'training is not wired yet');
  }
  async cancel(_jobId: string): Promise<JobInfo> {
    throw new HarkError('not-found', 'no such job');
  }
  async resume(_jobId: string): Promise<JobInfo> {
    throw new HarkError('not-found', 'no such job');
  }
  list(): JobInfo[] {
    return [];
  }
  async cancelAll(): Promise<void> {}
}
