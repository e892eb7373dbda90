// The command line's failures: usage mistakes exit 2 with the command's usage line, other
// failures exit 1, each as one line `hark: …` on stderr and never a stack trace (unless
// HARK_DEBUG=1). Runs `main` in-process.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../../core/audio/wav.js';
import { reportError } from '../../../app/cli/errors.js';
import { expectOneLineError, hark, removeAll, tempDir } from './helpers.js';

const dirs: string[] = [];
let dir: string;
afterAll(() => removeAll(dirs));

beforeAll(async () => {
  dir = await tempDir('hark-cli-errors-', dirs);
  await writeFile(join(dir, 'garbage.hark'), new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 37) & 255)));
  await writeFile(join(dir, 'empty.hark'), new Uint8Array(0));
  await writeFile(join(dir, 'truncated.hark'), new TextEncoder().encode('HARKCKPT\u0001\u0000\u0000\u0000'));
  await writeFile(join(dir, 'not-a-wav.wav'), 'this is text, not audio');
  await writeFile(join(dir, 'tone.wav'), encodeWav(new Float32Array(1600).map((_, i) => 0.1 * Math.sin(i / 5)), 16000));
  await mkdir(join(dir, 'empty-folder'));
  await mkdir(join(dir, 'broken-set', 'yes'), { recursive: true });
  await writeFile(join(dir, 'broken-set', 'yes', 'a_nohash_0.wav'), 'RIFF....WAVEjunk');
});

describe('usage errors (exit 2, one line and the usage)', () => {
  it.each([
    [[], /^hark: no command given$/],
    [['frobnicate'], /^hark: unknown command "frobnicate"/],
    [['--frobnicate'], /^hark: expected a command before --frobnicate$/],
    [['eval', 'model.hark'], /^hark: missing <dataset-dir>$/],
    [['eval', 'a', 'b', 'c'], /^hark: unexpected argument "c"$/],
    [['eval', 'a', 'b', '--bogus'], /^hark: unknown option --bogus$/],
    [['eval', 'a', 'b', '--engine'], /^hark: option --engine needs a value$/],
    [['eval', 'a', 'b', '--json=yes'], /^hark: option --json does not take a value$/],
    [['eval', 'a', 'b', '--engine', 'tensorflow'], /^hark: --engine must be ts or onnx, not "tensorflow"$/],
    [['train', 'data'], /^hark: --out <model-file> is required$/],
    [['train', 'data', '--out', 'm.hark', '--epochs', 'many'], /^hark: --epochs must be an integer from 1 to 10000, not "many"$/],
    [['train', 'data', '--out', 'm.hark', '--hidden', '0'], /^hark: --hidden must be an integer/],
    [['train', 'data', '--out', 'm.hark', '--seed', '-1'], /^hark: option --seed needs a value \(for one that starts with "-", write --seed=-…\)$/],
    [['train', 'data', '--out', 'm.hark', '--seed=-1'], /^hark: --seed must be an integer from 0 to 4294967295, not "-1"$/],
    [['train', 'data', '--out', 'm.hark', '--words', ','], /^hark: --words must list each word once/],
    [['train', 'data', '--out', 'm.hark', '--layers', '2.5'], /^hark: --layers must be an integer from 1 to 3/],
    [['train', 'data', '--out', 'm.hark', '--cell', 'rnn'], /^hark: --cell must be lstm, peephole, cifg or gru, not "rnn"$/],
    [['listen', 'm.hark', 'a.wav', '--threshold', '2'], /^hark: --threshold must be a number from 0.5 to 1/],
    [['listen', 'm.hark', 'a.wav', '--word-end', '5000'], /^hark: --word-end must be an integer from 0 to 1000/],
    [['eval', 'm.hark', 'data', '--stream', '1', '--word-end', 'x'], /^hark: --word-end must be an integer from 0 to 1000/],
    [['compare', 'data', '--cells', 'lstm,rnn'], /^hark: --cells: unknown cell "rnn"/],
    [['help', 'nope'], /^hark: unknown command "nope"$/],
  ])('hark %j', async (args, pattern) => {
    const r = await hark(args as string[], { cwd: dir });
    expectOneLineError(r, 2, pattern);
    expect(r.stdout).toBe('');
  });
});

describe('failures (exit 1, one line)', () => {
  it.each([
    [['eval', 'missing.hark', '.'], /^hark: cannot read the model .*missing\.hark: no such file or folder$/],
    [['eval', 'garbage.hark', '.'], /^hark: .*garbage\.hark is not a usable Hark model \(\.hark or \.onnx\): /],
    [['eval', 'empty.hark', '.'], /^hark: .*empty\.hark is empty, not a Hark model$/],
    [['export', 'truncated.hark', 'out.onnx'], /^hark: .*truncated\.hark is not a usable Hark model/],
    [['listen', 'garbage.hark', 'tone.wav'], /^hark: .*garbage\.hark is not a usable Hark model/],
    [['train', 'no-such-folder', '--out', 'm.hark'], /^hark: cannot read the folder .*no-such-folder: no such file or folder$/],
    [['train', 'tone.wav', '--out', 'm.hark'], /^hark: .*tone\.wav is not a folder/],
    [['train', 'empty-folder', '--out', 'm.hark'], /^hark: no readable clips in .*empty-folder: expected the Speech Commands layout/],
    [['train', 'broken-set', '--out', 'm.hark'], /^hark: no readable clips in .*broken-set: .*1 file could not be read, e\.g\. yes\/a_nohash_0\.wav: /],
    [['train', 'empty-folder', '--out', 'no-such-dir/m.hark'], /^hark: cannot write .*m\.hark: the folder .*no-such-dir: no such file or folder$/],
    [['train', 'empty-folder', '--out', 'empty-folder'], /^hark: cannot write .*empty-folder: it is a folder$/],
    [['import', 'no-such-folder', 'dataset'], /^hark: cannot read the folder .*no-such-folder: no such file or folder$/],
    [['import', 'empty-folder', 'dataset'], /^hark: no audio files found in .*empty-folder$/],
    [['import', '.', 'inside'], /^hark: the dataset .*inside must not be inside the source folder/],
  ])('hark %j', async (args, pattern) => {
    const r = await hark(args as string[], { cwd: dir });
    expectOneLineError(r, 1, pattern);
  });

  it('a malformed WAV given to listen is one line naming the file', async () => {
    // A model is needed before the audio is read: use a real (untrained) one.
    const { SequenceClassifier } = await import('../../../core/nn/classifier.js');
    const { saveKwsModel } = await import('../../../core/kws/model-file.js');
    const { DEFAULT_FEATURE_CONFIG, featureCount } = await import('../../../core/features/config.js');
    const { resolveRecipe } = await import('../../../core/kws/recipe.js');
    const model = new SequenceClassifier({ cell: 'gru', inputSize: featureCount(DEFAULT_FEATURE_CONFIG), hiddenSize: 4, layers: 1, classes: 2, dropout: 0, pooling: 'last' }, { seed: 1 });
    await writeFile(join(dir, 'tiny.hark'), saveKwsModel({ model, labels: ['go', '_background_'], features: { ...DEFAULT_FEATURE_CONFIG }, history: [], warnings: [], recipe: resolveRecipe() }));
    const r = await hark(['listen', 'tiny.hark', 'not-a-wav.wav'], { cwd: dir });
    expectOneLineError(r, 1, /^hark: .*not-a-wav\.wav: .*(RIFF|WAV)/i);
    const missing = await hark(['listen', 'tiny.hark', 'nope.wav'], { cwd: dir });
    expectOneLineError(missing, 1, /^hark: .*nope\.wav: no such file or folder$/);
    // The same model streams a valid file without error.
    const ok = await hark(['listen', 'tiny.hark', 'tone.wav', '--json'], { cwd: dir });
    expect(ok.code).toBe(0);
  });

  it('HARK_DEBUG=1 adds the stack trace', async () => {
    const r = await hark(['eval', 'garbage.hark', '.'], { cwd: dir, env: { HARK_DEBUG: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('a cancelled command exits 130 with one line', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await hark(['train', 'broken-set', '--out', 'm.hark'], { cwd: dir, signal: controller.signal });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^hark: cancelled\n$/m);
    expect(await readdir(dir)).not.toContain('m.hark');
  });
});

describe('help', () => {
  it('hark --help lists every command', async () => {
    const r = await hark(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['train', 'eval', 'import', 'export', 'listen', 'compare']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it.each(['train', 'eval', 'import', 'export', 'listen', 'compare'])('hark %s --help shows its usage and options', async (name) => {
    const r = await hark([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: hark ${name} `));
    expect(r.stdout).toContain('--help');
    expect(r.stderr).toBe('');
  });
});

describe('reportError', () => {
  it('words a wrapped Node error plainly', () => {
    const cause = Object.assign(new Error("ENOENT: no such file or directory, stat '/x/y'"), { code: 'ENOENT', errno: -2, path: '/x/y', syscall: 'stat' });
    expect(reportError(cause)).toEqual({ message: '/x/y: no such file or folder', exitCode: 1 });
    expect(reportError(new Error('boom\n  at somewhere')).message).toBe('unexpected error: boom at somewhere (HARK_DEBUG=1 shows details)');
  });
});
