import { describe, expect, it } from 'vitest';
import { BACKGROUND_LABEL, classIndexOf, classLabels, isFillerLabel, UNKNOWN_LABEL } from '../../../core/kws/labels.js';

describe('keyword classes', () => {
  it('are the words, then unknown when there is other speech, then background', () => {
    expect(classLabels(['yes', 'no'], true)).toEqual(['yes', 'no', UNKNOWN_LABEL, BACKGROUND_LABEL]);
    expect(classLabels(['yes', 'no'], false)).toEqual(['yes', 'no', BACKGROUND_LABEL]);
  });

  it('map a clip label to its class: own word, background folder, else unknown (or none)', () => {
    const withUnknown = classLabels(['yes', 'no'], true);
    expect(classIndexOf(withUnknown, 'no')).toBe(1);
    expect(classIndexOf(withUnknown, 'maybe')).toBe(2);
    expect(classIndexOf(withUnknown, '_background_noise_')).toBe(3);
    const without = classLabels(['yes', 'no'], false);
    expect(classIndexOf(without, 'maybe')).toBe(-1);
    expect(classIndexOf(without, '_background_noise_')).toBe(2);
  });

  it('mark unknown and background as never reported', () => {
    expect(isFillerLabel(UNKNOWN_LABEL)).toBe(true);
    expect(isFillerLabel(BACKGROUND_LABEL)).toBe(true);
    expect(isFillerLabel('yes')).toBe(false);
  });
});
