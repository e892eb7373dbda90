// Clip-level metrics: confusion matrix, per-class precision / recall / F1, accuracy.
// Rows of the confusion matrix are the true class, columns the predicted one.

export interface ClassMetrics {
  label: string;
  precision: number; // of the clips predicted as this class, the share that were (0 when none were)
  recall: number;    // of the clips of this class, the share predicted as it (0 when it has none)
  f1: number;
  support: number;   // clips of this class
}

export interface ClipMetrics {
  accuracy: number;
  labels: string[];
  perClass: ClassMetrics[];
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  /** Macro-averaged F1 over the classes with support. */
  macroF1: number;
  clips: number;
}

export function confusionMatrix(classes: number, truth: ArrayLike<number>, predicted: ArrayLike<number>): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return m;
}

export function clipMetrics(labels: readonly string[], truth: ArrayLike<number>, predicted: ArrayLike<number>): ClipMetrics {
  const C = labels.length;
  const confusion = confusionMatrix(C, truth, predicted);
  let correct = 0;
  const perClass = labels.map((label, k) => {
    const tp = confusion[k][k];
    correct += tp;
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[k], 0);
    const precision = predictedAs > 0 ? tp / predictedAs : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const withSupport = perClass.filter((c) => c.support > 0);
  return {
    accuracy: truth.length > 0 ? correct / truth.length : 0,
    labels: [...labels],
    perClass,
    confusion,
    macroF1: withSupport.length > 0 ? withSupport.reduce((a, c) => a + c.f1, 0) / withSupport.length : 0,
    clips: truth.length,
  };
}

/** Index of the largest value of row r of a (rows, C) array. */
export function argmaxRow(p: ArrayLike<number>, r: number, C: number): number {
  let best = 0;
  for (let k = 1; k < C; k++) if (p[r * C + k] > p[r * C + best]) best = k;
  return best;
}
