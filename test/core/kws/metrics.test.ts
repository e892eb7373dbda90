import { describe, expect, it } from 'vitest';
import { argmaxRow, clipMetrics, confusionMatrix } from '../../../core/kws/metrics.js';

describe('clip metrics', () => {
  // Hand-worked example: truth  a a a b b c ; predicted a a b b c c
  //   a: tp 2, predicted-as 2, support 3 → P 1, R 2/3, F1 0.8
  //   b: tp 1, predicted-as 2, support 2 → P 1/2, R 1/2, F1 1/2
  //   c: tp 1, predicted-as 2, support 1 → P 1/2, R 1, F1 2/3
  const truth = [0, 0, 0, 1, 1, 2];
  const predicted = [0, 0, 1, 1, 2, 2];

  it('count the confusion matrix by [true][predicted]', () => {
    expect(confusionMatrix(3, truth, predicted)).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  });

  it('give precision, recall, F1 and accuracy as worked out by hand', () => {
    const m = clipMetrics(['a', 'b', 'c'], truth, predicted);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.perClass.map((c) => c.support)).toEqual([3, 2, 1]);
    expect(m.perClass[0].precision).toBeCloseTo(1, 12);
    expect(m.perClass[0].recall).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[0].f1).toBeCloseTo(0.8, 12);
    expect(m.perClass[1].f1).toBeCloseTo(0.5, 12);
    expect(m.perClass[2].precision).toBeCloseTo(0.5, 12);
    expect(m.perClass[2].recall).toBeCloseTo(1, 12);
    expect(m.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('report 0, not NaN, for a class never predicted or never present', () => {
    const m = clipMetrics(['a', 'b', 'c'], [0, 0], [0, 1]);
    expect(m.perClass[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.perClass[1].precision).toBe(0);
    expect(m.macroF1).toBeCloseTo(2 / 3, 12); // only 'a' has support: P 1, R 1/2
  });

  it('argmaxRow picks the first largest value of a row', () => {
    expect(argmaxRow([0.1, 0.7, 0.2, 0.5, 0.5, 0], 0, 3)).toBe(1);
    expect(argmaxRow([0.1, 0.7, 0.2, 0.5, 0.5, 0], 1, 3)).toBe(0);
  });
});
