// Activations and their derivative-from-output helpers against textbook formulas and
// finite differences; softmax's normalisation, stability and in-place use.
import { describe, expect, it } from 'vitest';
import {
  sigmoid, sigmoidGradFromOutput, softmaxRows, tanhGradFromOutput,
} from '../../../core/tensor/activations.js';

const textbookSigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe('sigmoid', () => {
  it('equals 1 / (1 + e^-x) over a grid of ordinary inputs', () => {
    for (let x = -30; x <= 30; x += 0.125) {
      const ref = textbookSigmoid(x);
      expect(Math.abs(sigmoid(x) - ref)).toBeLessThanOrEqual(1e-15 * Math.max(ref, 1e-300) + 1e-300);
    }
  });

  it('has the known values σ(0) = 1/2, σ(ln 3) = 3/4, σ(-ln 3) = 1/4', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(Math.log(3))).toBeCloseTo(0.75, 15);
    expect(sigmoid(-Math.log(3))).toBeCloseTo(0.25, 15);
  });

  it('is symmetric: σ(-x) = 1 - σ(x)', () => {
    for (const x of [0.1, 1, 2.5, 7, 15]) expect(sigmoid(-x)).toBeCloseTo(1 - sigmoid(x), 15);
  });

  it('stays finite and in [0, 1] for extreme inputs (no NaN, no overflow)', () => {
    for (const x of [1000, -1000, 710, -710, 745, -745, 1e300, -1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity]) {
      const y = sigmoid(x);
      expect(Number.isNaN(y), `σ(${x})`).toBe(false);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1);
    }
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    // in the far negative tail it keeps relative precision (≈ e^x), which 1/(1+e^-x) also has
    expect(sigmoid(-700) / Math.exp(-700)).toBeCloseTo(1, 12);
  });

  it('is monotone non-decreasing', () => {
    let prev = -1;
    for (let x = -50; x <= 50; x += 0.01) {
      const y = sigmoid(x);
      expect(y).toBeGreaterThanOrEqual(prev);
      prev = y;
    }
  });
});

describe('derivatives from the output', () => {
  const h = 1e-5;
  const xs = [-8, -3, -1.2, -0.3, 0, 0.4, 1, 2.7, 6];

  it('sigmoidGradFromOutput(σ(x)) matches the central difference of σ', () => {
    for (const x of xs) {
      const numeric = (sigmoid(x + h) - sigmoid(x - h)) / (2 * h);
      expect(Math.abs(sigmoidGradFromOutput(sigmoid(x)) - numeric)).toBeLessThan(1e-9);
    }
  });

  it('tanhGradFromOutput(tanh(x)) matches the central difference of tanh', () => {
    for (const x of xs) {
      const numeric = (Math.tanh(x + h) - Math.tanh(x - h)) / (2 * h);
      expect(Math.abs(tanhGradFromOutput(Math.tanh(x)) - numeric)).toBeLessThan(1e-9);
    }
  });

  it('has the known maxima σ\'(0) = 1/4 and tanh\'(0) = 1', () => {
    expect(sigmoidGradFromOutput(0.5)).toBe(0.25);
    expect(tanhGradFromOutput(0)).toBe(1);
  });
});

describe('softmaxRows', () => {
  /** softmax in float64 the direct way, for moderate logits. */
  const direct = (row: number[]): number[] => {
    const e = row.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };

  it('matches exp(x) / Σ exp(x) and rows sum to 1', () => {
    const logits = Float64Array.of(1, 2, 3, 4, -1, 0, 0.5, 2, 0, 0, 0, 0);
    const probs = new Float64Array(12);
    softmaxRows(probs, logits, 3, 4);
    for (let r = 0; r < 3; r++) {
      const ref = direct(Array.from(logits.subarray(r * 4, r * 4 + 4)));
      let sum = 0;
      for (let c = 0; c < 4; c++) { expect(probs[r * 4 + c]).toBeCloseTo(ref[c], 14); sum += probs[r * 4 + c]; }
      expect(sum).toBeCloseTo(1, 14);
    }
    expect(Array.from(probs.subarray(8))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('is stable for huge logits like 1000 / 1001 (where exp overflows)', () => {
    const logits = Float64Array.of(1000, 1001, -1000, -1001, 1e6, 1e6 - 1);
    const probs = new Float64Array(6);
    softmaxRows(probs, logits, 3, 2);
    const e = Math.E;
    // softmax is shift-invariant: [1000, 1001] ~ [0, 1]
    expect(probs[0]).toBeCloseTo(1 / (1 + e), 14);
    expect(probs[1]).toBeCloseTo(e / (1 + e), 14);
    expect(probs[2]).toBeCloseTo(e / (1 + e), 14);
    expect(probs[3]).toBeCloseTo(1 / (1 + e), 14);
    expect(probs[4]).toBeCloseTo(e / (1 + e), 14);
    expect(Array.from(probs).every(Number.isFinite)).toBe(true);
  });

  it('works in float32 with large spreads (underflowing classes become 0, not NaN)', () => {
    const logits = Float32Array.of(0, 200, -200, 50, 88, 89);
    const probs = new Float32Array(6);
    softmaxRows(probs, logits, 1, 6);
    expect(Array.from(probs).every((p) => Number.isFinite(p) && p >= 0 && p <= 1)).toBe(true);
    expect(probs[1]).toBeCloseTo(1, 6);
    expect(probs[2]).toBe(0);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('works in place (probs === logits) and gives the same result as out of place', () => {
    const logits = Float64Array.of(0.3, -2, 5, 1000, 1001, 999, 1, 1, 1);
    const out = new Float64Array(9);
    softmaxRows(out, logits, 3, 3);
    const inPlace = Float64Array.from(logits);
    softmaxRows(inPlace, inPlace, 3, 3);
    expect(Array.from(inPlace)).toEqual(Array.from(out));
    for (let r = 0; r < 3; r++) expect(out[r * 3] + out[r * 3 + 1] + out[r * 3 + 2]).toBeCloseTo(1, 14);
  });

  it('touches only M rows of C', () => {
    const logits = Float64Array.of(1, 2, 3, 4, 99, 99);
    const probs = new Float64Array(6).fill(-7);
    softmaxRows(probs, logits, 2, 2);
    expect(probs[4]).toBe(-7);
    expect(probs[5]).toBe(-7);
    expect(Array.from(logits)).toEqual([1, 2, 3, 4, 99, 99]);
  });
});
