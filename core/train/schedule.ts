// Learning-rate schedules, as a factor of the base rate at a global step.

export type LearningRateSchedule =
  | { kind: 'constant' }
  /** Linear warm-up, then cosine decay to minFactor·lr at the last step. */
  | { kind: 'cosine'; warmupSteps?: number; minFactor?: number }
  /** Multiply by gamma every `every` steps. */
  | { kind: 'step'; every: number; gamma: number };

export function learningRateFactor(schedule: LearningRateSchedule, step: number, totalSteps: number): number {
  switch (schedule.kind) {
    case 'constant':
      return 1;
    case 'cosine': {
      const warmup = schedule.warmupSteps ?? 0;
      const min = schedule.minFactor ?? 0.05;
      if (step < warmup) return (step + 1) / warmup;
      const span = Math.max(1, totalSteps - warmup);
      const progress = Math.min(1, (step - warmup) / span);
      return min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
    case 'step':
      return Math.pow(schedule.gamma, Math.floor(step / Math.max(1, schedule.every)));
  }
}
