// Cutting a take into words: espeak-ng words separated by pauses become one centred,
// one-second clip each; a word cut off at either end of the take is left out.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../core/audio/wav.js';
import { findSpeech } from '../../core/audio/endpoint.js';
import { isClipped, splitUtterances } from '../../renderer/src/audio/utterances.js';

function speech(words: string[], gap: number, lead: number): Float32Array {
  const dir = mkdtempSync(join(tmpdir(), 'hark-utt-'));
  const parts = words.map((w, i) => {
    const raw = join(dir, `${i}-raw.wav`), out = join(dir, `${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en+m1', '-w', raw, w]);
    execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', out, 'silence', '1', '0.01', '0.5%', 'reverse', 'silence', '1', '0.01', '0.5%', 'reverse', 'pad', i === 0 ? String(lead) : '0', String(gap)]);
    return out;
  });
  const all = join(dir, 'take.wav');
  execFileSync('sox', [...parts, all]);
  return decodeWav(new Uint8Array(readFileSync(all))).samples;
}

describe('splitUtterances', () => {
  it('cuts three words apart into centred one-second clips', () => {
    const take = speech(['yes', 'yes', 'yes'], 0.7, 0.4);
    const { utterances, cutOff } = splitUtterances(take);
    expect(cutOff).toBe(0);
    expect(utterances).toHaveLength(3);
    for (const u of utterances) {
      expect(u.samples.length).toBe(16000);
      const span = findSpeech(u.samples, 16000);
      expect(span).not.toBeNull();
      // centred: the middle of the speech within 60 ms of the middle of the clip
      expect(Math.abs((span!.start + span!.end) / 2 - 8000)).toBeLessThan(0.06 * 16000);
      expect(u.clipped).toBe(false);
    }
  });

  it('leaves out a word that runs into the end of the take', () => {
    const take = speech(['no', 'no'], 0.6, 0.4);
    const cut = take.subarray(0, take.length - Math.round(0.6 * 16000) - 2000); // the second word loses its end
    const { utterances, cutOff } = splitUtterances(cut);
    expect(utterances).toHaveLength(1);
    expect(cutOff).toBe(1);
  });

  it('finds nothing in silence', () => {
    expect(splitUtterances(new Float32Array(32000)).utterances).toEqual([]);
  });

  it('flags clipping', () => {
    const x = new Float32Array(1000);
    x[10] = 1; x[20] = -1; x[30] = 1;
    expect(isClipped(x)).toBe(true);
    x[30] = 0.5;
    expect(isClipped(x)).toBe(false);
  });
});
