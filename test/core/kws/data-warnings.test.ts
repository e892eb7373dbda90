// silentClipWarnings: a word whose clips are (nearly) all silence — a muted microphone, a
// recording that never started — trains a model of nothing without a word of warning;
// this says so, per word, and says nothing about words that were heard.
import { describe, expect, it } from 'vitest';
import type { KwsClip } from '../../../core/kws/examples.js';
import { silentClipWarnings } from '../../../core/kws/data-warnings.js';
import { UNKNOWN_LABEL } from '../../../core/kws/labels.js';
import { Random } from '../../../core/tensor/random.js';
import { toneSet } from './tones.js';

const rng = new Random(5);
/** A clip of digital silence, or of quiet hiss at about −80 dBFS (a muted or unplugged microphone). */
function silent(label: string, hiss: boolean): KwsClip {
  const samples = new Float32Array(16000);
  if (hiss) rng.fillNormal(samples, 1e-4);
  return { label, speaker: 'me', samples };
}
const silentClips = (label: string, n: number): KwsClip[] => Array.from({ length: n }, (_, i) => silent(label, i % 2 === 1));

describe('silentClipWarnings', () => {
  it('warns about a word all of whose clips are silence, naming it and the count', () => {
    const train = [...toneSet(['low', 'high'], 10, 1), ...silentClips('quiet', 12)];
    const warnings = silentClipWarnings(train, ['low', 'high', 'quiet']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Every clip of "quiet" \(12\) is silence/);
    expect(warnings[0]).toMatch(/microphone/);
  });

  it('warns about a whole dataset of silence, once per word', () => {
    const train = [...silentClips('yes', 10), ...silentClips('no', 10)];
    expect(silentClipWarnings(train, ['yes', 'no'])).toEqual([
      expect.stringMatching(/^Every clip of "yes"/), expect.stringMatching(/^Every clip of "no"/),
    ]);
  });

  it('warns when nearly all are silence, and not about a few silent takes among real ones', () => {
    const nearly = [...toneSet(['low'], 1, 2), ...silentClips('low', 9)];
    expect(silentClipWarnings(nearly, ['low'])).toEqual([expect.stringMatching(/^9 of the 10 clips of "low" are silence/)]);
    const few = [...toneSet(['low'], 8, 3), ...silentClips('low', 2)];
    expect(silentClipWarnings(few, ['low'])).toEqual([]);
  });

  it('says nothing about words that were heard, or about clips that are not one of the words', () => {
    const train = [...toneSet(['low', 'high', 'rise', 'fall'], 6, 4), ...silentClips(UNKNOWN_LABEL, 6)];
    expect(silentClipWarnings(train, ['low', 'high', 'rise', 'fall'])).toEqual([]);
    // A word with no clips at all is the recipe's error ('no-clips'), not a warning here.
    expect(silentClipWarnings(train, ['absent'])).toEqual([]);
  });
});
