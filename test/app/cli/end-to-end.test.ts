// The whole command on a tiny synthetic keyword set (espeak-ng + sox via
// scripts/make-keywords.ts: 3 words × 7 voices × 4 takes; the split by speaker puts five
// voices in training, en-m3 in validation and en-f2 in testing; a seeded pink-noise file as
// background, so the whole set and the model are the same every run): train, eval on both
// engines (per-clip agreement), export and load back, listen to a stream of words with
// silence between them, import a folder with bad files, compare the four cells.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../../core/audio/wav.js';
import { generatedNoise } from '../../../core/audio/augment.js';
import { loadKwsModel } from '../../../core/kws/model-file.js';
import { Random } from '../../../core/tensor/random.js';
import { makeKeywords } from '../../../scripts/make-keywords.js';
import { hark, lines, removeAll, tempDir } from './helpers.js';

const WORDS = ['yes', 'no', 'up'];
const VOICES = ['en+m1', 'en+m2', 'en+f4', 'en+m5', 'en+f3', 'en+m3', 'en+f2'];
const dirs: string[] = [];
let work: string, data: string, model: string, small: string;
afterAll(() => removeAll(dirs));

/** Every file under a folder with its size and mtime: to show a command wrote nothing there. */
async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else { const s = await stat(full); out.push(`${relative(root, full)} ${s.size} ${s.mtimeMs}`); }
    }
  };
  await walk(root);
  return out.sort();
}

interface EvalJson {
  accuracy: number; labels: string[]; clips: number;
  perClass: { label: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
  predictions: { file: string; truth: string; predicted: string; score: number }[];
  skipped: { file: string }[];
}

/** Share of clips on which two evaluations predict the same class (same files, same order). */
function agreement(a: EvalJson, b: EvalJson): number {
  expect(b.predictions.map((p) => p.file)).toEqual(a.predictions.map((p) => p.file));
  return a.predictions.filter((p, i) => p.predicted === b.predictions[i].predicted).length / a.predictions.length;
}

let trained: Record<string, unknown>;
let evalTs: EvalJson;

beforeAll(async () => {
  work = await tempDir('hark-cli-e2e-', dirs);
  data = join(work, 'keywords');
  await makeKeywords({ out: data, words: WORDS, voices: VOICES, rates: [130, 180], pitches: [35, 65] });
  await mkdir(join(data, '_background_noise_'));
  const noise = generatedNoise(4 * 16000, 'pink', new Random(7));
  const peak = noise.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  await writeFile(join(data, '_background_noise_', 'pink.wav'), encodeWav(noise.map((v) => (0.05 * v) / peak), 16000));
  // A smaller set (2 words × 3 voices × 2 takes: one voice per split) for short trainings.
  small = join(work, 'small');
  await makeKeywords({ out: small, words: ['yes', 'no'], voices: ['en+m1', 'en+m3', 'en+f2'], rates: [150], pitches: [35, 65] });
  model = join(work, 'model.hark');
  const before = await snapshot(data);
  // Without the bundled other speech: its near-misses are espeak-ng words too, the same
  // synthesiser as this set's keywords, which says little about real voices; the one-person
  // run below trains with it, as users do.
  const r = await hark(['train', data, '--out', model, '--epochs', '15', '--seed', '1', '--threads', '1', '--no-other-speech', '--json']);
  if (r.code !== 0) throw new Error(`hark train failed:\n${r.stderr}`);
  trained = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(await snapshot(data)).toEqual(before); // nothing written into the folder it read
});

describe('hark train', () => {
  it('writes a model of the words and reports the run', async () => {
    expect(trained.labels).toEqual(['no', 'up', 'yes', '_background_']);
    expect(trained).toMatchObject({ model, format: 'hark', cell: 'lstm', hiddenSize: 64, layers: 1, threads: 2 });
    expect(trained.clips).toEqual({ training: 60, validation: 12, testing: 12 });
    expect(trained).toMatchObject({ splitBasis: 'speaker', testedOn: '12 clips of 1 speaker it never heard' });
    expect((trained.history as unknown[]).length).toBe(trained.epochs);
    expect(trained.testAccuracy as number).toBeGreaterThanOrEqual(0.75); // en-f2, a voice it never heard
    const loaded = loadKwsModel(new Uint8Array(await readFile(model)));
    expect(loaded.format).toBe('hark');
    expect(loaded.labels).toEqual(trained.labels);
    expect(loaded.model.paramCount).toBe(trained.parameters);
  });
});

describe('hark train on one person\'s takes', () => {
  it('splits by take when every clip is from one speaker, and says what it tested on', async () => {
    // One voice under the app's default speaker name, `me`, which the rule by speaker puts in testing.
    const one = join(work, 'one-person');
    const made = await makeKeywords({ out: join(work, 'one-voice'), words: ['yes', 'no'], voices: ['en+m1'], rates: [130, 180], pitches: [35, 50, 65] });
    for (const rel of made.files) {
      await mkdir(join(one, rel.split('/')[0]), { recursive: true });
      await writeFile(join(one, rel.replace(`${made.speakers[0]}_nohash_`, 'me_nohash_')), await readFile(join(work, 'one-voice', rel)));
    }
    const r = await hark(['train', one, '--out', join(work, 'me.hark'), '--epochs', '3', '--threads', '0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as Record<string, unknown>;
    // 6 takes a word: 1 testing, 1 validation, 4 training (app/node/dataset/split.ts splitByTake).
    expect(run).toMatchObject({ splitBasis: 'take', clips: { training: 8, validation: 2, testing: 2 }, testedOn: '2 held-out takes of 1 speaker whose other takes it learned from' });
    expect(typeof run.testAccuracy).toBe('number');
    // No other speech of its own: the bundled set is mixed in as _unknown_, and the run says so.
    expect(run.labels).toEqual(['no', 'yes', '_unknown_', '_background_']);
    expect(r.stderr).toContain('This dataset has no other speech (words that are not commands): Hark mixes in its own bundled set');
    expect(r.stderr).toContain('the split by speaker leaves "no", "yes" without training clips, so the takes of each speaker are split instead');
  }, 120_000);
});

describe('hark eval', () => {
  beforeAll(async () => {
    const before = await snapshot(data);
    const r = await hark(['eval', model, data, '--json']);
    expect(r.code).toBe(0);
    evalTs = JSON.parse(r.stdout) as EvalJson;
    expect(await snapshot(data)).toEqual(before);
  });

  it('--json reports accuracy, labels, perClass, confusion and one prediction per clip', () => {
    expect(evalTs.labels).toEqual(['no', 'up', 'yes', '_background_']);
    expect(evalTs.clips).toBe(84);
    expect(evalTs.predictions).toHaveLength(84);
    expect(evalTs.skipped).toEqual([]);
    const correct = evalTs.predictions.filter((p) => p.truth === p.predicted).length;
    expect(evalTs.accuracy).toBeCloseTo(correct / 84, 12);
    expect(evalTs.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(evalTs.confusion.flat().reduce((a, b) => a + b, 0)).toBe(84);
    for (const [k, c] of evalTs.perClass.entries()) {
      expect(c.label).toBe(evalTs.labels[k]);
      expect(c.support).toBe(evalTs.confusion[k].reduce((a, b) => a + b, 0));
    }
    for (const p of evalTs.predictions) expect(p.file.split('/')[0]).toBe(p.truth);
  });

  it('--engine onnx agrees with --engine ts on at least 99.5% of clips', async () => {
    const r = await hark(['eval', model, data, '--engine', 'onnx', '--json']);
    expect(r.code).toBe(0);
    const onnx = JSON.parse(r.stdout) as EvalJson;
    expect(agreement(evalTs, onnx)).toBeGreaterThanOrEqual(0.995);
    for (const [i, p] of onnx.predictions.entries()) expect(p.score).toBeCloseTo(evalTs.predictions[i].score, 4);
  });

  it('--stream runs the detector over minutes of audio made from the clips and scores it', async () => {
    const r = await hark(['eval', model, data, '--stream', '2', '--threshold', '0.7', '--json']);
    expect(r.code).toBe(0);
    const s = (JSON.parse(r.stdout) as { stream: { hours: number; occurrences: number; hits: number; recall: number; falseActivations: number;
      falseActivationsPerHour: number; medianLatency: number | null; perWord: { label: string; occurrences: number }[]; suggestedThresholds: Record<string, number | null> } }).stream;
    expect(s.hours).toBeCloseTo(2 / 60, 9);
    expect(s.occurrences).toBeGreaterThan(20); // only keywords here (no other words): one every ~2.6 s
    expect(s.recall).toBeCloseTo(s.hits / s.occurrences, 12);
    expect(s.falseActivationsPerHour).toBeCloseTo(s.falseActivations / s.hours, 9);
    expect(s.perWord.map((w) => w.label)).toEqual(['no', 'up', 'yes']);
    expect(s.perWord.reduce((a, w) => a + w.occurrences, 0)).toBe(s.occurrences);
    expect(Object.keys(s.suggestedThresholds)).toEqual(['no', 'up', 'yes']);
    expect(s.recall).toBeGreaterThanOrEqual(0.3); // a small, quickly trained model; the acceptance figures are in test/core/kws
    const text = await hark(['eval', model, data, '--stream', '1']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^recall \d+\.\d% \(\d+ of \d+\), \d+ false activations \([\d.]+ per hour\), median latency/m);
  });

  it('prints a table: per-class precision, recall, F1 and the confusion matrix', async () => {
    const r = await hark(['eval', model, data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^accuracy \d+\.\d% \(\d+ of 84 clips\), macro F1 \d\.\d{3}$/m);
    expect(r.stdout).toMatch(/^class +precision +recall +F1 +clips$/m);
    expect(r.stdout).toMatch(/^yes +\d+\.\d% +\d+\.\d% +\d\.\d{3} +28$/m);
    expect(r.stdout).toMatch(/^confusion \(rows: true class, columns: predicted\)$/m);
    expect(r.stdout).toMatch(/^ +no +up +yes +_background_$/m);
  });

  it('counts words the model does not know as _unknown_, or skips them when it has no unknown class', async () => {
    const other = await tempDir('hark-cli-other-', dirs);
    await mkdir(join(other, 'yes'));
    await mkdir(join(other, 'left'));
    for (const f of (await readdir(join(data, 'yes'))).slice(0, 3)) await writeFile(join(other, 'yes', f), await readFile(join(data, 'yes', f)));
    const left = (await readdir(join(data, 'up'))).slice(0, 2);
    for (const f of left) await writeFile(join(other, 'left', f), await readFile(join(data, 'up', f)));
    // The main model has no _unknown_ class: "left" is skipped and listed.
    const r = await hark(['eval', model, other, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as EvalJson;
    expect(j.clips).toBe(3);
    expect(j.skipped.map((s) => s.file).sort()).toEqual(left.map((f) => `left/${f}`).sort());
    // A model taught only "yes" (with "no" as other speech) has one: "left" counts as _unknown_.
    const yesOnly = join(work, 'yes-only.onnx'); // --out *.onnx writes ONNX directly
    const t = await hark(['train', small, '--out', yesOnly, '--words', 'yes', '--epochs', '1', '--hidden', '8', '--threads', '0', '--json']);
    if (t.code !== 0) throw new Error(t.stderr);
    expect(JSON.parse(t.stdout)).toMatchObject({ format: 'onnx', labels: ['yes', '_unknown_', '_background_'] });
    expect(loadKwsModel(new Uint8Array(await readFile(yesOnly))).format).toBe('onnx');
    const u = JSON.parse((await hark(['eval', yesOnly, other, '--json'])).stdout) as EvalJson;
    expect(u.clips).toBe(5);
    expect(u.skipped).toEqual([]);
    expect(u.predictions.filter((p) => p.file.startsWith('left/')).map((p) => p.truth)).toEqual(['_unknown_', '_unknown_']);
    expect(u.perClass.find((c) => c.label === '_unknown_')?.support).toBe(2);
  });
});

describe('hark export', () => {
  it('writes an ONNX file that loads back as the same model and evaluates the same', async () => {
    const onnxPath = join(work, 'model.onnx');
    const r = await hark(['export', model, onnxPath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*model\.onnx/);
    const back = loadKwsModel(new Uint8Array(await readFile(onnxPath)));
    expect(back.format).toBe('onnx');
    expect(back.labels).toEqual(evalTs.labels);
    expect(back.model.config).toMatchObject({ cell: 'lstm', hiddenSize: 64, layers: 1 });
    const e = await hark(['eval', onnxPath, data, '--json']);
    expect(e.code).toBe(0);
    expect(agreement(evalTs, JSON.parse(e.stdout) as EvalJson)).toBeGreaterThanOrEqual(0.995);
    expect((await readdir(work)).filter((f) => f.includes('hark-tmp'))).toEqual([]); // no temp files left
  });
});

describe('hark listen', () => {
  it('detects the words of a stream, in order, at the times they were spoken', async () => {
    // Silence, then each word of a training voice with 1.5 s of silence after it: this tests the
    // command's plumbing; accuracy on voices a model never heard is tested in test/core/kws.
    const parts: Float32Array[] = [new Float32Array(16000)];
    const spans: { word: string; start: number; end: number }[] = [];
    let t = 1;
    for (const word of ['yes', 'up', 'no']) {
      const clip = decodeWav(new Uint8Array(await readFile(join(data, word, 'en-m1_nohash_1.wav'))));
      expect(clip.sampleRate).toBe(16000);
      spans.push({ word, start: t, end: t + clip.samples.length / 16000 });
      parts.push(clip.samples, new Float32Array(24000));
      t += clip.samples.length / 16000 + 1.5;
    }
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => { all.set(p, at); return at + p.length; }, 0);
    // a room's noise floor under it (−60 dBFS pink noise), as a microphone would record
    const floor = generatedNoise(all.length, 'pink', new Random(3));
    for (let i = 0; i < all.length; i++) all[i] += 1e-3 * floor[i];
    const wav = join(work, 'stream.wav');
    await writeFile(wav, encodeWav(all, 16000));

    for (const engine of ['ts', 'onnx']) {
      const r = await hark(['listen', model, wav, '--json', '--threshold', '0.7', '--engine', engine]);
      expect(r.code).toBe(0);
      const events = lines(r.stdout).map((l) => JSON.parse(l) as { label: string; score: number; startTime: number; endTime: number; time: number });
      expect(events.map((e) => e.label)).toEqual(spans.map((s) => s.word));
      for (const [i, e] of events.entries()) {
        const s = spans[i];
        expect(Object.keys(e).sort()).toEqual(['endTime', 'label', 'score', 'startTime', 'time']);
        expect(e.score).toBeGreaterThanOrEqual(0.7);
        expect(e.startTime).toBeLessThan(e.endTime);
        // The detected span lies on the word (the clip's own silence aside), and the decision comes after it started.
        expect(e.startTime).toBeGreaterThanOrEqual(s.start - 0.25);
        expect(e.endTime).toBeLessThanOrEqual(s.end + 0.25);
        expect(e.time).toBeGreaterThan(s.start);
        expect(e.time).toBeLessThan(s.end + 1.5);
      }
    }
    // Digital silence (exact zeros) alone: nothing to hear.
    const silent = join(work, 'silence.wav');
    await writeFile(silent, encodeWav(new Float32Array(3 * 16000), 16000));
    for (const engine of ['ts', 'onnx']) {
      const quiet = await hark(['listen', model, silent, '--json', '--threshold', '0.7', '--engine', engine]);
      expect(quiet.code).toBe(0);
      expect(quiet.stdout).toBe('');
    }
    const text = await hark(['listen', model, wav, '--threshold', '0.7']);
    expect(lines(text.stdout)).toHaveLength(3);
    expect(text.stdout).toMatch(/^ +\d+\.\d\d–\d+\.\d\d s {2}yes {2}\(score 0\.\d\d, decided at \d+\.\d\d s\)$/m);
  });
});

describe('hark mine', () => {
  it('saves the window that made each detection fire as other speech, exactly the audio the model heard', async () => {
    // The listen test's stream: to mine, its three words are three "false" activations.
    const wav = join(work, 'stream.wav');
    const into = join(await tempDir('hark-cli-mine-', dirs), 'dataset');
    const r = await hark(['mine', model, wav, '--into', into, '--threshold', '0.7', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { mined: number; seconds: number; clips: { path: string; label: string; time: number }[] };
    expect(j.mined).toBe(3);
    expect(j.clips.map((c) => c.label)).toEqual(['yes', 'up', 'no']);
    expect(j.clips.map((c) => c.path)).toEqual(['_unknown_/mined_nohash_0.wav', '_unknown_/mined_nohash_1.wav', '_unknown_/mined_nohash_2.wav']);
    const stream = decodeWav(new Uint8Array(await readFile(wav))).samples;
    for (const c of j.clips) {
      const saved = decodeWav(new Uint8Array(await readFile(join(into, c.path))));
      expect(saved.samples.length).toBe(16000);
      // The second of the stream that ended at the decision, through 16-bit PCM twice.
      const end = Math.round(c.time * 16000);
      let worst = 0;
      for (let i = 0; i < 16000; i++) worst = Math.max(worst, Math.abs(saved.samples[i] - (end - 16000 + i < stream.length ? stream[end - 16000 + i] : 0)));
      expect(worst).toBeLessThan(1e-4);
    }
    // Other speech is never a word: a dataset of nothing else has nothing to learn.
    const only = await hark(['train', into, '--out', join(work, 'mined.hark'), '--epochs', '1', '--hidden', '8', '--threads', '0', '--no-other-speech']);
    expect(only.code).toBe(1);
    expect(only.stderr).toMatch(/nothing to learn/);
  });
});

describe('hark import', () => {
  it('converts every supported WAV, and lists each file it rejected with the reason', async () => {
    const src = await tempDir('hark-cli-import-src-', dirs);
    const dest = join(await tempDir('hark-cli-import-dest-', dirs), 'dataset');
    await mkdir(join(src, 'go'));
    await mkdir(join(src, '_background_noise_'));
    const clip = join(data, 'yes', 'en-m1_nohash_0.wav');
    execFileSync('sox', ['-D', clip, '-r', '8000', '-c', '2', '-b', '24', join(src, 'go', 'alice_nohash_0.wav')]);
    execFileSync('sox', ['-D', clip, '-r', '44100', '-e', 'floating-point', '-b', '32', join(src, 'go', 'bob_nohash_0.wav')]);
    await writeFile(join(src, 'go', 'broken_nohash_0.wav'), 'RIFF\u0004\u0000\u0000\u0000WAVEnothing here');
    await writeFile(join(src, 'go', 'carol_nohash_0.mp3'), 'ID3 not really');
    await writeFile(join(src, 'README.md'), 'about these files');
    execFileSync('sox', ['-n', '-r', '22050', '-c', '1', join(src, '_background_noise_', 'hum.wav'), 'synth', '2', 'sine', '50', 'vol', '0.1']);

    const r = await hark(['import', src, dest, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { imported: number; labels: string[]; background: string[]; rejected: { file: string; code: string; message: string }[] };
    expect(j.imported).toBe(2);
    expect(j.labels).toEqual(['go']);
    expect(j.background).toEqual(['_background_noise_/hum.wav']);
    expect(j.rejected.map((x) => x.file)).toEqual(['go/broken_nohash_0.wav', 'go/carol_nohash_0.mp3']);
    expect(j.rejected[0].message.length).toBeGreaterThan(10);
    expect(j.rejected[1]).toMatchObject({ code: 'unsupported-format' });
    for (const f of ['go/alice_nohash_0.wav', 'go/bob_nohash_0.wav', '_background_noise_/hum.wav']) {
      const w = decodeWav(new Uint8Array(await readFile(join(dest, f))));
      expect(w).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16 });
    }

    const text = await hark(['import', src, join(dest, '..', 'again')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^imported 2 clips \(go\) and 1 background recording into /);
    expect(text.stdout).toMatch(/^rejected 2 files:$/m);
    expect(text.stdout).toMatch(/^ {2}go\/broken_nohash_0\.wav: .+ \[[a-z-]+\]$/m);
    expect(text.stdout).toMatch(/^ {2}go\/carol_nohash_0\.mp3: not a \.wav file.* \[unsupported-format\]$/m);
  });
});

describe('hark compare', () => {
  it('trains the four cells on the same split and reports accuracy, size and speed', async () => {
    const r = await hark(['compare', small, '--epochs', '1', '--hidden', '8', '--threads', '0', '--json']);
    expect(r.stderr).toMatch(/^gru: test accuracy \d+\.\d%, validation accuracy \d+\.\d%, /m);
    if (r.code !== 0) throw new Error(r.stderr);
    const rows = JSON.parse(r.stdout) as { cell: string; testAccuracy: number; validationAccuracy: number; parameters: number; harkBytes: number; onnxBytes: number; trainingSeconds: number; tsMs: number; onnxMs: number; testClips: number; validationClips: number }[];
    expect(rows.map((x) => x.cell)).toEqual(['lstm', 'peephole', 'cifg', 'gru']);
    const by = Object.fromEntries(rows.map((x) => [x.cell, x]));
    // Parameters follow the cells' structure: peepholes add 3H per layer, the GRU has three gate blocks to the LSTM's four.
    expect(by.peephole.parameters - by.lstm.parameters).toBe(3 * 8);
    expect(by.gru.parameters).toBeLessThan(by.lstm.parameters);
    for (const x of rows) {
      expect(x).toMatchObject({ testClips: 4, validationClips: 4 });
      for (const a of [x.testAccuracy, x.validationAccuracy]) expect([0, 0.25, 0.5, 0.75, 1]).toContain(a); // 4 clips each
      expect(x.harkBytes).toBeGreaterThan(4 * x.parameters);
      expect(x.onnxBytes).toBeGreaterThan(4 * x.parameters);
      expect(x.trainingSeconds).toBeGreaterThan(0);
      expect(x.tsMs).toBeGreaterThan(0);
      expect(x.onnxMs).toBeGreaterThan(0);
    }
  });
});
