// Training jobs: one run at a time per engine, over the open project's dataset.
//
// A run reads the dataset's clips (training split to learn, validation split to stop
// early, testing split, or validation when there is none, for the report) and background
// recordings, runs core's trainKeywordModel in this process (it yields to the event loop
// every 50 ms, so calls such as training.cancel and live audio keep being answered),
// forwards its events, evaluates the result, and stores it in the model library.
//
// Resume: core's trainKeywordModel does not take a Trainer state yet, so training.resume
// runs a cancelled job again from the start with the same recipe, seed and words (the
// same data and seed train bit-identically, so the result is the one the uninterrupted
// run would have given).

import { randomBytes } from 'node:crypto';
import { TrainingAbortedError } from '../../core/errors.js';
import { TypeScriptEngine } from '../../core/inference/engine.js';
import { evaluateClips } from '../../core/kws/evaluate.js';
import { trainKeywordModel, type KwsClip, type KwsModel, type KwsRecipe, type KwsTrainEvent } from '../../core/kws/recipe.js';
import { EngineServiceError } from './service-error.js';
import type { ClipEntry } from './dataset/store.js';
import type { OpenProject } from './service.js';
import { ERROR_CODES, type EngineEvent, type JobInfo, type ModelReport } from '../shared/protocol.js';

export interface StartParams {
  name?: string;
  words?: string[];
  recipe?: Partial<Pick<KwsRecipe, 'cell' | 'hiddenSize' | 'layers' | 'epochs' | 'seed' | 'augment'>>;
}

interface Job {
  info: JobInfo;
  params: StartParams;
  project: OpenProject;
  controller: AbortController;
  finished: Promise<void>;
}

/** Step and prepare events come many times a second; the UI needs a few. */
const PROGRESS_INTERVAL_MS = 100;

export class TrainingJobs {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly project: () => OpenProject,
    private readonly emit: (event: EngineEvent) => void,
  ) {}

  running(): boolean {
    return [...this.jobs.values()].some((j) => j.info.state === 'running');
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  async start(params: StartParams): Promise<JobInfo> {
    const project = this.project();
    if (this.running()) throw new EngineServiceError(ERROR_CODES.busy, 'a training run is already in progress');
    const jobId = `j-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    return this.launch(jobId, params, project);
  }

  async cancel(jobId: string): Promise<JobInfo> {
    const job = this.require(jobId);
    if (job.info.state === 'running') {
      job.controller.abort();
      await job.finished;
    }
    return { ...job.info };
  }

  async resume(jobId: string): Promise<JobInfo> {
    const job = this.require(jobId);
    if (!job.info.resumable) throw new EngineServiceError(ERROR_CODES.busy, `job ${jobId} is ${job.info.state} and cannot be resumed`);
    if (this.running()) throw new EngineServiceError(ERROR_CODES.busy, 'a training run is already in progress');
    return this.launch(jobId, job.params, this.project());
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.values()].filter((j) => j.info.state === 'running').map((j) => this.cancel(j.info.jobId)));
  }

  private require(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new EngineServiceError(ERROR_CODES.notFound, `no training job ${jobId}`);
    return job;
  }

  private launch(jobId: string, params: StartParams, project: OpenProject): JobInfo {
    const controller = new AbortController();
    const info: JobInfo = { jobId, state: 'running', resumable: false, epoch: 0 };
    const job: Job = { info, params, project, controller, finished: Promise.resolve() };
    this.jobs.set(jobId, job);
    job.finished = this.run(job).catch(() => undefined);
    return { ...info };
  }

  private async run(job: Job): Promise<void> {
    const { info, params, project, controller } = job;
    try {
      const { train, validation, test, background } = await readClips(project);
      const generator = trainKeywordModel({ train: train.clips, validation: validation.clips, background, words: params.words }, params.recipe ?? {}, { signal: controller.signal });
      let lastProgress = 0;
      let step = await generator.next();
      while (!step.done) {
        const event: KwsTrainEvent = step.value;
        if (event.type === 'epoch') info.epoch = event.epoch;
        const now = Date.now();
        if ((event.type !== 'step' && event.type !== 'prepare') || now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          this.emit({ type: 'training.progress', jobId: info.jobId, event: { ...event } });
        }
        step = await generator.next();
      }
      const trained: KwsModel = step.value;
      // The report is on clips the model did not learn from when the dataset has any.
      const [evaluated, split] =
        test.clips.length > 0 ? [test, 'testing' as const] : validation.clips.length > 0 ? [validation, 'validation' as const] : [train, 'training' as const];
      const report = await reportOn(trained, evaluated, split);
      const model = await project.models.add({ name: params.name ?? `Model ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`, source: 'trained', model: trained, report });
      const active = (await project.models.activeId()) === null ? await project.models.activate(model.id) : model;
      info.state = 'done';
      info.modelId = model.id;
      this.emit({ type: 'training.done', jobId: info.jobId, model: active, report });
      this.emit({ type: 'models.changed' });
    } catch (err) {
      if (err instanceof TrainingAbortedError || controller.signal.aborted) {
        info.state = 'cancelled';
        info.resumable = true;
        this.emit({ type: 'training.cancelled', jobId: info.jobId, resumable: true });
      } else {
        info.state = 'failed';
        const error = err as { code?: unknown; message?: unknown };
        this.emit({
          type: 'training.failed',
          jobId: info.jobId,
          error: { code: typeof error.code === 'string' ? error.code : 'internal', message: String(error.message ?? err) },
        });
      }
    }
  }
}

interface ClipSet {
  clips: KwsClip[];
  entries: ClipEntry[];
}

async function readClips(project: OpenProject): Promise<{ train: ClipSet; validation: ClipSet; test: ClipSet; background: Float32Array[] }> {
  const { dataset } = project;
  const sets: Record<ClipEntry['split'], ClipSet> = {
    training: { clips: [], entries: [] },
    validation: { clips: [], entries: [] },
    testing: { clips: [], entries: [] },
  };
  for (const entry of dataset.clips()) {
    sets[entry.split].clips.push({ label: entry.label, speaker: entry.speaker, samples: await dataset.readClip(entry.path) });
    sets[entry.split].entries.push(entry);
  }
  const background: Float32Array[] = [];
  for (const file of await dataset.backgroundFiles()) background.push(await dataset.readBackground(file));
  return { train: sets.training, validation: sets.validation, test: sets.testing, background };
}

async function reportOn(m: KwsModel, { clips, entries }: ClipSet, split: ModelReport['split']): Promise<ModelReport> {
  const engine = new TypeScriptEngine(m.model);
  const report = await evaluateClips(engine, clips, m);
  const misclassified = report.predictions
    .filter((p) => p.truth !== p.predicted)
    .map((p) => ({ path: entries[p.index].path, label: clips[p.index].label, predicted: m.labels[p.predicted], score: p.score }));
  return {
    accuracy: report.accuracy,
    labels: report.labels,
    perClass: report.perClass.map((c) => ({ ...c })),
    confusion: report.confusion.map((row) => [...row]),
    misclassified,
    split,
  };
}
