// The built command as a user runs it: `node bin/hark.js …` in a child process, on the
// bundle `npm run build` makes (out/main/cli.js). Checks that the bundle never imports
// electron, that training threads start from the built training-thread.js, that the
// onnxruntime chunk loads, that errors are one line, and that Ctrl-C cancels cleanly.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeywords } from '../../../scripts/make-keywords.js';
import { lines, removeAll, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/hark.js');
const BUILT = join(ROOT, 'out/main/cli.js');
const built = existsSync(BUILT);
if (!built) console.warn(`SKIPPED bin/hark.js tests: ${BUILT} is missing; run \`npm run build\` first (npm test does)`);

interface Child { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs bin/hark.js; `onStderr` may act on progress as it arrives (e.g. send SIGINT). */
function run(args: string[], options: { cwd?: string; onStderr?: (text: string, kill: (s: NodeJS.Signals) => void) => void } = {}): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, HARK_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; options.onStderr?.(stderr, (s) => child.kill(s)); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const dirs: string[] = [];
let work: string, small: string, medium: string;
afterAll(() => removeAll(dirs));

describe.skipIf(!built)('bin/hark.js (built)', () => {
  beforeAll(async () => {
    work = await tempDir('hark-cli-bin-', dirs);
    small = join(work, 'small');
    medium = join(work, 'medium');
    await makeKeywords({ out: small, words: ['yes', 'no'], voices: ['en+m1', 'en+m3', 'en+f2'], rates: [150], pitches: [35, 65] });
    await makeKeywords({ out: medium, words: ['yes', 'no', 'up'], voices: ['en+m1', 'en+m2', 'en+f4', 'en+m3', 'en+f2'], rates: [130, 180], pitches: [35, 65] });
  });

  it('the bundle and its chunks never import electron', async () => {
    const files = (await readdir(join(ROOT, 'out/main'))).filter((f) => f.endsWith('.js'));
    const seen = new Set<string>();
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = await readFile(join(ROOT, 'out/main', file), 'utf8');
      expect(text, file).not.toMatch(/from\s*["']electron["']|require\(\s*["']electron["']\s*\)|import\(\s*["']electron["']\s*\)/);
      for (const m of text.matchAll(/(?:from\s*|import\(\s*)["']\.\/([^"']+\.js)["']/g)) if (files.includes(m[1])) await visit(m[1]);
    };
    await visit('cli.js');
    expect(seen.size).toBeGreaterThan(1); // it does have chunks (onnxruntime is loaded on demand)
  });

  it('--help prints the commands and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}train +train a keyword model/m);
    expect(r.stderr).toBe('');
  });

  it('a failure is one line on stderr and exit code 1; a usage mistake exit code 2', async () => {
    const missing = await run(['eval', join(work, 'nope.hark'), small]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hark: cannot read the model .*nope\.hark: no such file or folder\n$/);
    const usage = await run(['listen']);
    expect(usage.code).toBe(2);
    expect(lines(usage.stderr)).toEqual(['hark: missing <model-file>', 'usage: hark listen <model-file> <audio.wav> [--threshold P] [--engine ts|onnx] [--json]']);
  });

  it('trains on a training thread, then evaluates on onnxruntime and listens', async () => {
    const model = join(work, 'small.hark');
    const t = await run(['train', small, '--out', model, '--epochs', '2', '--hidden', '16', '--threads', '1', '--json']);
    expect(t.stderr).not.toMatch(/warning: training threads|\n\s+at /);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ model, threads: 2, epochs: 2, labels: ['no', 'yes', '_unknown_', '_background_'] });
    expect(t.stderr).toMatch(/^ {2}epoch 2\/2: loss /m); // plain progress lines: stderr is not a terminal
    const e = await run(['eval', model, small, '--engine', 'onnx', '--json']);
    expect(e.code).toBe(0);
    const j = JSON.parse(e.stdout) as { engine: string; clips: number; predictions: unknown[] };
    expect(j).toMatchObject({ engine: 'onnx', clips: 12 });
    expect(j.predictions).toHaveLength(12);
    const l = await run(['listen', model, join(small, 'yes', 'en-f2_nohash_0.wav'), '--json', '--threshold', '0.5']);
    expect(l.code).toBe(0);
    for (const line of lines(l.stdout)) expect(Object.keys(JSON.parse(line) as object).sort()).toEqual(['endTime', 'label', 'score', 'startTime', 'time']);
  });

  it.each([
    ['while it prepares the examples', /^preparing…$/m],
    ['in the middle of training', /^ {2}epoch 1\/500: /m],
  ])('Ctrl-C (SIGINT) %s stops cleanly: one line, exit code 130, no model written, threads closed', async (_when, trigger) => {
    const model = join(work, 'cancelled.hark');
    let sent = false;
    const r = await run(['train', medium, '--out', model, '--epochs', '500', '--threads', '1'], {
      onStderr: (text, kill) => { if (!sent && trigger.test(text)) { sent = true; kill('SIGINT'); } },
    });
    expect(sent).toBe(true);
    expect(r.signal).toBeNull(); // it exited by itself (worker threads did not keep it alive)
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/\nhark: training cancelled\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(model)).toBe(false);
    expect((await readdir(work)).filter((f) => f.includes('hark-tmp'))).toEqual([]);
  });
});
