// What the Train screen's report and the model lists say (renderer/src/components/train/
// report-text.ts, models/model-text.ts): the sentence `hark train` prints for the test
// clips, clips named by speaker rather than by a path with `_unknown_` in it, the run's
// epochs, and the classes in plain words.
import { describe, expect, it } from 'vitest';
import { cannotPlayText, clipName, measuredOnText, playingText } from '../../renderer/src/components/train/report-text.js';
import { otherClassesOf, runText, wordsOf } from '../../renderer/src/components/models/model-text.js';
import { EngineError } from '../../app/shared/engine-error.js';

const RAW = /_unknown_|_background_|_silence_|_nohash_/;

describe('the report in words', () => {
  it('says what the accuracy was measured on, with the caveat when it heard those voices', () => {
    expect(measuredOnText({ split: 'testing', measuredOn: { basis: 'take', split: 'testing', clips: 8, speakers: 1, heardSpeakers: 1 } }))
      .toBe('Measured on 8 held-out takes of 1 speaker whose other takes it learned from. Other voices may do worse.');
    expect(measuredOnText({ split: 'testing', measuredOn: { basis: 'speaker', split: 'testing', clips: 12, speakers: 2, heardSpeakers: 0 } }))
      .toBe('Measured on 12 clips of 2 speakers it never heard.');
    // A report saved before it recorded more than its split.
    expect(measuredOnText({ split: 'validation', measuredOn: null })).toBe('Measured on the validation clips, none of them used in training.');
  });

  it('names a clip by speaker and number, never by its folder', () => {
    expect(clipName('_unknown_/me_nohash_3.wav')).toBe('clip 3 by me');
    expect(clipName('yes/en-f2_nohash_0.wav')).toBe('clip 0 by en-f2');
    expect(clipName('yes/recording.wav')).toBe('recording');
    const playing = playingText(0, 2, '_unknown_/me_nohash_3.wav', '_unknown_', '_background_');
    expect(playing).toBe('Playing 1 of 2: clip 3 by me (said “Other speech”, heard “Background”)');
    expect(playing).not.toMatch(RAW);
  });

  it('says why a clip did not play without its path', () => {
    const path = '_unknown_/me_nohash_3.wav';
    const gone = cannotPlayText(path, new EngineError('not-found', `no clip ${path} in the dataset`));
    expect(gone).toBe('Cannot play clip 3 by me: it is not in the dataset any more (relabelled or deleted since this report was made).');
    const other = cannotPlayText(path, new Error(`reading ${path} failed`));
    expect(other).toBe('Cannot play clip 3 by me: reading clip 3 by me failed');
    expect(other).not.toMatch(RAW);
  });
});

describe('a model in the lists', () => {
  it('reads its words and its other classes in plain words', () => {
    const labels = ['yes', 'no', '_unknown_', '_background_'];
    expect(wordsOf(labels)).toBe('yes, no');
    expect(otherClassesOf(labels)).toBe('Other speech, Background');
  });

  it('says how its run went, or why that is not known', () => {
    expect(runText({ epochs: 27, maxEpochs: 40, keptEpoch: 19 }, 'trained')).toBe('Stopped early at epoch 27 of 40 (kept epoch 19).');
    expect(runText({ epochs: 30, maxEpochs: 30, keptEpoch: 28 }, 'trained')).toBe('Ran all 30 epochs (kept epoch 28).');
    expect(runText(null, 'imported')).toBe('Imported: trained elsewhere.');
    expect(runText(null, 'trained')).toBe('Not recorded for this model.');
  });
});
