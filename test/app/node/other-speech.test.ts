// The bundled other speech as the engine reads it: its manifest checked, words with what
// they say, continuous speech as recordings, and a damaged set refused with a typed error.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { findOtherSpeech, OtherSpeechError, readOtherSpeech } from '../../../app/node/other-speech.js';

const dirs: string[] = [];
afterEach(async () => { await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))); });

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => ((i % 100) - 50) / 100);

async function set(items: unknown[], files: Record<string, Uint8Array>, manifest: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hark-other-'));
  dirs.push(dir);
  for (const [file, bytes] of Object.entries(files)) {
    await mkdir(join(dir, file.split('/')[0]), { recursive: true });
    await writeFile(join(dir, file), bytes);
  }
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ schemaVersion: 1, sampleRate: 16000, items, ...manifest }));
  return dir;
}

const word = { file: 'words/hallo.wav', kind: 'word', source: 'espeak-ng', speaker: 'de+m1', language: 'de', text: 'hallo' };
const sentence = { file: 'speech/s1.wav', kind: 'speech', source: 'librispeech', speaker: '26', language: 'en', text: '' };

describe('the bundled other speech', () => {
  it('reads its words with what they say and its continuous speech as recordings', async () => {
    const dir = await set([word, sentence], { 'words/hallo.wav': encodeWav(ramp(8000), 16000), 'speech/s1.wav': encodeWav(ramp(48000), 16000) });
    const other = await readOtherSpeech(dir);
    expect(other.words.map((w) => [w.label, w.speaker, w.samples.length])).toEqual([['hallo', 'de+m1', 8000]]);
    expect(other.speech.map((s) => [s.label, s.speaker, s.samples.length])).toEqual([['', '26', 48000]]);
    expect(other.words[0].samples[1]).toBeCloseTo(-0.49, 4); // 16-bit PCM of the ramp
  });

  it('refuses a damaged set with a typed error that names the problem', async () => {
    const wav = { 'words/hallo.wav': encodeWav(ramp(800), 16000) };
    const cases: [string, Promise<string>][] = [
      ['schema', set([word], wav, { schemaVersion: 2 })],
      ['malformed', set([{ ...word, file: '../../etc/passwd' }], wav)],
      ['Hz', set([word], { 'words/hallo.wav': encodeWav(ramp(800), 8000) })],
      ['ENOENT', set([word], {})],
    ];
    for (const [what, made] of cases) {
      const err = await readOtherSpeech(await made).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(Error);
      if (what !== 'ENOENT') {
        expect(err).toBeInstanceOf(OtherSpeechError);
        expect((err as Error).message).toContain(what);
      }
    }
  });

  it('is found through HARK_OTHER_SPEECH first', async () => {
    const dir = await set([word], { 'words/hallo.wav': encodeWav(ramp(800), 16000) });
    const before = process.env.HARK_OTHER_SPEECH;
    process.env.HARK_OTHER_SPEECH = dir;
    try {
      expect(findOtherSpeech()).toBe(dir);
    } finally {
      if (before === undefined) delete process.env.HARK_OTHER_SPEECH;
      else process.env.HARK_OTHER_SPEECH = before;
    }
  });
});
