// Training jobs: one run at a time per engine, over the open project's dataset.
//
// A run reads the dataset's clips (training split to learn, validation split to stop
// early, testing split, or validation when there is none, for the report; the split is
// the dataset's own, or by take when that leaves a word without training or held-out
// clips, as one person's recordings do: Dataset.splitPlan) and background
// recordings, runs core's trainKeywordModel in this process (it yields to the event loop
// every 50 ms, so calls such as training.cancel and live audio keep being answered),
// forwards its events, evaluates the result, and stores it in the model library as the
// active model: the user trained it to use it, so Listen (and every client) uses it next.
//
// Resume: a run remembers which clips it trained on (paths and checksums) and, when
// cancelled, its model and trainer state; training.resume rebuilds the same examples from
// the seed and continues exactly where it stopped (core's `resume`), or refuses with
// 'dataset-changed' if one of those clips was changed or removed in between. The state
// lives in the engine's memory: a restarted engine has no jobs to resume.
//
// Gradients are computed data-parallel on worker threads (training-threads.ts) where the
// machine has a spare core; if the threads cannot start, the run uses this thread.

import { randomBytes } from 'node:crypto';
import { TrainingAbortedError } from '../../core/errors.js';
import { TypeScriptEngine } from '../../core/inference/engine.js';
import { evaluateClips } from '../../core/kws/evaluate.js';
import type { KwsClip, KwsModel, KwsRecipe } from '../../core/kws/recipe.js';
import type { SequenceClassifier } from '../../core/nn/classifier.js';
import type { Trainer, TrainerState } from '../../core/train/trainer.js';
import { trainModel } from '../node/keyword-training.js';
import { defaultModelName } from './model-library.js';
import { EngineServiceError } from './service-error.js';
import type { ClipEntry } from '../node/dataset/store.js';
import { NOT_MEASURED, NOT_MEASURED_NO_CLASS, readSplitLists, type SplitBasis } from '../node/dataset/split.js';
import type { OpenProject } from './projects.js';
import { ERROR_CODES, type EngineEvent, type JobInfo, type MeasuredOn, type ModelReport } from '../shared/protocol.js';
import { countHeldOut } from '../shared/training-summary.js';

export interface StartParams {
  name?: string;
  words?: string[];
  recipe?: Partial<Pick<KwsRecipe, 'cell' | 'hiddenSize' | 'layers' | 'epochs' | 'seed' | 'augment'>>;
  /** Start from the pretrained encoder when it fits (default true). */
  pretrained?: boolean;
}

interface Job {
  info: JobInfo;
  params: StartParams;
  project: OpenProject;
  controller: AbortController;
  finished: Promise<void>;
  /** The clips (with the split the run uses) and background recordings it trains on, fixed at its start. */
  snapshot: ClipEntry[];
  /** What decided that split, and why the dataset's own could not (Dataset.splitPlan). */
  basis: SplitBasis;
  fallback: string | null;
  background: string[];
  /** Set while training (onTrainer), so a cancel can keep the state. */
  live: { trainer: Trainer; model: SequenceClassifier } | null;
  /** What a cancelled run left, for resume; null: start over (cancelled before training began). */
  saved: { model: SequenceClassifier; trainer: TrainerState } | null;
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
    const background = await project.dataset.backgroundFiles();
    // Checked after the await, so two starts arriving together cannot both run.
    if (this.running()) throw new EngineServiceError(ERROR_CODES.busy, 'a training run is already in progress');
    const jobId = `j-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const plan = project.dataset.splitPlan(params.words);
    return this.launch({ jobId, params, project, snapshot: plan.clips, basis: plan.basis, fallback: plan.fallback, background, saved: null });
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
    const project = this.project();
    if (project !== job.project) throw new EngineServiceError(ERROR_CODES.notFound, `job ${jobId} belongs to another project`);
    return this.launch({ jobId, params: job.params, project, snapshot: job.snapshot, basis: job.basis, fallback: job.fallback, background: job.background, saved: job.saved });
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.values()].filter((j) => j.info.state === 'running').map((j) => this.cancel(j.info.jobId)));
  }

  private require(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new EngineServiceError(ERROR_CODES.notFound, `no training job ${jobId}`);
    return job;
  }

  private launch(from: Pick<Job, 'params' | 'project' | 'snapshot' | 'basis' | 'fallback' | 'background' | 'saved'> & { jobId: string }): JobInfo {
    const controller = new AbortController();
    const info: JobInfo = { jobId: from.jobId, state: 'running', resumable: false, epoch: 0 };
    const job: Job = { ...from, info, controller, finished: Promise.resolve(), live: null };
    const jobId = from.jobId;
    this.jobs.set(jobId, job);
    job.finished = this.run(job).catch(() => undefined);
    return { ...info };
  }

  private async run(job: Job): Promise<void> {
    const { info, params, project, controller } = job;
    const warn = (message: string): void => this.emit({ type: 'training.progress', jobId: info.jobId, event: { type: 'warning', message } });
    try {
      if (job.fallback && job.basis === 'take' && (await readSplitLists(project.dataset.root)) !== undefined) warn(job.fallback);
      const { train, validation, test, background } = await readClips(project, job.snapshot, job.background);
      let lastProgress = 0;
      const { model: trained } = await trainModel({ train: train.clips, validation: validation.clips, background, words: params.words }, params.recipe ?? {}, {
        signal: controller.signal,
        pretrained: params.pretrained,
        resume: job.saved ?? undefined,
        onTrainer: (trainer, model) => {
          job.live = { trainer, model };
        },
        onWarning: warn,
        onEvent: (event) => {
          if (event.type === 'epoch') info.epoch = event.epoch;
          const now = Date.now();
          if ((event.type !== 'step' && event.type !== 'prepare') || now - lastProgress >= PROGRESS_INTERVAL_MS) {
            lastProgress = now;
            this.emit({ type: 'training.progress', jobId: info.jobId, event: { ...event } });
          }
        },
      });
      // The report is on clips the model did not learn from, or there is none.
      const held = test.clips.length > 0 ? { set: test, split: 'testing' as const } : validation.clips.length > 0 ? { set: validation, split: 'validation' as const } : null;
      const report = held ? await reportOn(trained, held.set, train, job.basis, held.split) : null;
      const notMeasured = report ? null : held ? NOT_MEASURED_NO_CLASS : NOT_MEASURED;
      const name = params.name ?? (await unusedName(project, defaultModelName(new Date())));
      const model = await project.models.add({ name, source: 'trained', model: trained, report: report ?? undefined });
      const active = await project.models.activate(model.id);
      info.state = 'done';
      info.modelId = model.id;
      this.emit({ type: 'training.done', jobId: info.jobId, model: active, report, notMeasured });
      this.emit({ type: 'models.changed' });
    } catch (err) {
      if (err instanceof TrainingAbortedError || controller.signal.aborted) {
        // The trainer keeps its latest weights and a consistent state after a cancel.
        if (job.live) job.saved = { model: job.live.model, trainer: job.live.trainer.state() };
        info.state = 'cancelled';
        info.resumable = true;
        this.emit({ type: 'training.cancelled', jobId: info.jobId, resumable: true });
      } else {
        info.state = 'failed';
        job.saved = null;
        const error = err as { code?: unknown; message?: unknown };
        this.emit({
          type: 'training.failed',
          jobId: info.jobId,
          error: { code: typeof error.code === 'string' ? error.code : 'internal', message: String(error.message ?? err) },
        });
      }
    } finally {
      job.live = null;
    }
  }
}

/** `name`, or `name (2)`, `name (3)` … when a model has it already: two runs in one minute must not read alike. */
async function unusedName(project: OpenProject, name: string): Promise<string> {
  const taken = new Set((await project.models.list()).map((m) => m.name));
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name} (${n})`;
  return candidate;
}

interface ClipSet {
  clips: KwsClip[];
  entries: ClipEntry[];
}

async function readClips(project: OpenProject, snapshot: readonly ClipEntry[], backgroundFiles: readonly string[]): Promise<{ train: ClipSet; validation: ClipSet; test: ClipSet; background: Float32Array[] }> {
  const { dataset } = project;
  const sets: Record<ClipEntry['split'], ClipSet> = {
    training: { clips: [], entries: [] },
    validation: { clips: [], entries: [] },
    testing: { clips: [], entries: [] },
  };
  const now = new Map(dataset.clips().map((c) => [c.path, c])); // once: each lookup would plan the split again
  for (const entry of snapshot) {
    const current = now.get(entry.path);
    if (!current || current.sha256 !== entry.sha256) {
      throw new EngineServiceError(ERROR_CODES.datasetChanged, `${entry.path} changed or was removed since this run started: start a new run`);
    }
    sets[entry.split].clips.push({ label: entry.label, speaker: entry.speaker, samples: await dataset.readClip(entry.path) });
    sets[entry.split].entries.push(entry);
  }
  const background: Float32Array[] = [];
  for (const file of backgroundFiles) {
    try {
      background.push(await dataset.readBackground(file));
    } catch (err) {
      throw new EngineServiceError(ERROR_CODES.datasetChanged, `${file} was removed since this run started: start a new run`, { cause: err });
    }
  }
  return { train: sets.training, validation: sets.validation, test: sets.testing, background };
}

/** Clip accuracy on held-out clips, and what they were: how many, from how many speakers, how many of those the model heard. */
async function reportOn(m: KwsModel, { clips, entries }: ClipSet, train: ClipSet, basis: SplitBasis, split: MeasuredOn['split']): Promise<ModelReport | null> {
  const engine = new TypeScriptEngine(m.model);
  const report = await evaluateClips(engine, clips, m);
  if (report.predictions.length === 0) return null; // held-out clips only of words the model has no class for
  const misclassified = report.predictions
    .filter((p) => p.truth !== p.predicted)
    .map((p) => ({ path: entries[p.index].path, label: clips[p.index].label, predicted: m.labels[p.predicted], score: p.score }));
  const measured: MeasuredOn = { basis, split, ...countHeldOut(report.predictions.map((p) => clips[p.index]), train.clips) };
  return {
    accuracy: report.accuracy,
    labels: report.labels,
    perClass: report.perClass.map((c) => ({ ...c })),
    confusion: report.confusion.map((row) => [...row]),
    misclassified,
    split: measured.split,
    measuredOn: measured,
  };
}
