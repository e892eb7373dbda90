// The sentences `hark train` and the app share about a run (app/shared/training-summary.ts):
// what the accuracy was measured on, and how the epochs went.
import { describe, expect, it } from 'vitest';
import { asSentence, countHeldOut, describeEpochs, describeHeldOut, keptEpochOf, stoppedEarly, trainingRunOf } from '../../../app/shared/training-summary.js';

const epoch = (n: number, valLoss: number | null, trainLoss = 1) => ({ epoch: n, trainLoss, valLoss });

describe('what a run was measured on', () => {
  it('counts held-out clips, their speakers, and the speakers it also learned from', () => {
    const held = [{ speaker: 'me' }, { speaker: 'me' }, { speaker: 'ann' }, { speaker: 'bob' }];
    expect(countHeldOut(held, [{ speaker: 'me' }, { speaker: 'zoe' }])).toEqual({ clips: 4, speakers: 3, heardSpeakers: 1 });
  });

  it('says whether the voices are new, learned, or some of each', () => {
    expect(describeHeldOut({ basis: 'speaker', clips: 12, speakers: 3, heardSpeakers: 0 })).toBe('12 clips of 3 speakers it never heard');
    expect(describeHeldOut({ basis: 'take', clips: 8, speakers: 1, heardSpeakers: 1 })).toBe('8 held-out takes of 1 speaker whose other takes it learned from');
    expect(describeHeldOut({ basis: 'lists', clips: 1, speakers: 2, heardSpeakers: 2 })).toBe('1 clip of 2 speakers whose other clips it learned from');
    expect(describeHeldOut({ basis: 'speaker', clips: 12, speakers: 3, heardSpeakers: 1 })).toBe('12 clips of 3 speakers, 1 of whom it also learned from');
  });
});

describe('how the epochs went', () => {
  const history = [epoch(1, 0.9), epoch(2, 0.4), epoch(3, 0.5), epoch(4, 0.6)];

  it('keeps the epoch the run names, else the lowest validation (or training) loss', () => {
    expect(keptEpochOf(history, 3)?.epoch).toBe(3);
    expect(keptEpochOf(history)?.epoch).toBe(2);
    expect(keptEpochOf(history, 99)?.epoch).toBe(2); // an epoch the history lacks: fall back
    expect(keptEpochOf([epoch(1, null, 0.5), epoch(2, null, 0.3)])?.epoch).toBe(2);
    expect(keptEpochOf([])).toBeNull();
  });

  it('summarises a run: epochs run of the most allowed, and the one kept', () => {
    const early = trainingRunOf({ history, recipe: { epochs: 40 }, keptEpoch: 2 });
    expect(early).toEqual({ epochs: 4, maxEpochs: 40, keptEpoch: 2 });
    expect(stoppedEarly(early!)).toBe(true);
    expect(describeEpochs(early!)).toBe('stopped early at epoch 4 of 40 (kept epoch 2)');
    const full = trainingRunOf({ history, recipe: { epochs: 4 }, keptEpoch: 4 })!;
    expect(stoppedEarly(full)).toBe(false);
    expect(describeEpochs(full)).toBe('ran all 4 epochs (kept epoch 4)');
    expect(trainingRunOf({ history: [], recipe: { epochs: 40 } })).toBeNull(); // e.g. an ONNX import
  });

  it('makes a phrase a sentence', () => {
    expect(asSentence('stopped early at epoch 4 of 40 (kept epoch 2)')).toBe('Stopped early at epoch 4 of 40 (kept epoch 2).');
    expect(asSentence('Done.')).toBe('Done.');
  });
});
