// How class names read on screen (renderer/src/labels.ts): engine messages that name a clip
// by its path show the class folder in plain words, never `_unknown_/…`.
import { describe, expect, it } from 'vitest';
import { BACKGROUND_DIR, OTHER_SPEECH_LABEL, SILENCE_DIR, TRASH_DIR } from '../../app/node/dataset/store.js';
import { BACKGROUND_FOLDERS, displayLabel, OTHER_SPEECH, withDisplayLabels } from '../../renderer/src/labels.js';

const RAW = /_unknown_|_background_|_silence_/;

describe('class names in messages', () => {
  it('knows the folders the dataset store keeps background and other speech in', () => {
    expect([...BACKGROUND_FOLDERS].sort()).toEqual([BACKGROUND_DIR, SILENCE_DIR].sort());
    expect(OTHER_SPEECH).toBe(OTHER_SPEECH_LABEL);
  });

  it('shows a clip path\'s class folder by its display name, wherever the path stands in the message', () => {
    expect(withDisplayLabels('no clip _unknown_/me_nohash_0.wav in the dataset')).toBe('no clip Other speech/me_nohash_0.wav in the dataset');
    expect(withDisplayLabels('_unknown_/me_nohash_0.wav')).toBe('Other speech/me_nohash_0.wav');
    expect(withDisplayLabels('no background recording _background_noise_/kitchen.wav')).toBe('no background recording Background/kitchen.wav');
    expect(withDisplayLabels('no clip `_silence_/noise_nohash_3.wav`')).toBe('no clip `Background/noise_nohash_3.wav`');
    expect(withDisplayLabels('“_background_/a.wav”')).toBe('“Background/a.wav”');
    // Inside a path, after the trash folder, and more than once.
    expect(withDisplayLabels(`${TRASH_DIR}/_unknown_/me_nohash_0.wav is not a clip in ${TRASH_DIR}/ (also _unknown_/x.wav)`))
      .toBe(`${TRASH_DIR}/Other speech/me_nohash_0.wav is not a clip in ${TRASH_DIR}/ (also Other speech/x.wav)`);
    for (const folder of [OTHER_SPEECH, ...BACKGROUND_FOLDERS]) {
      expect(withDisplayLabels(`cannot read ${folder}/a.wav`)).not.toMatch(RAW);
    }
    expect(withDisplayLabels(`cannot read ${OTHER_SPEECH}/a.wav`)).toBe(`cannot read ${displayLabel(OTHER_SPEECH)}/a.wav`);
  });

  it('leaves words, and names that only contain a class name, as they are', () => {
    expect(withDisplayLabels('no clip yes/me_nohash_0.wav in the dataset')).toBe('no clip yes/me_nohash_0.wav in the dataset');
    expect(withDisplayLabels('no clip my_unknown_/a.wav')).toBe('no clip my_unknown_/a.wav');
    expect(withDisplayLabels('yes/_unknown_.wav')).toBe('yes/_unknown_.wav'); // a file name, not a folder
    expect(withDisplayLabels('Training failed')).toBe('Training failed');
  });
});
