// The benchmark runner's machine-readable output, on tiny shapes (`--quick`): one JSON
// array of {case, ours_ms, peer, peer_ms, ratio} on stdout, covering every peer (tfjs wasm
// and cpu, onnxruntime-node cpu), training steps (one thread and threaded), whole-window
// inference and stream steps. No timing is asserted: only the shape
// and internal consistency of what it reports.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('npm run bench -- --json', () => {
  it('prints one well-formed JSON array with every peer and every kind of case', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--json', '--quick'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['case', 'ours_ms', 'peer', 'peer_ms', 'ratio']);
      expect(typeof r.case).toBe('string');
      for (const k of ['ours_ms', 'peer_ms', 'ratio'] as const) expect(r[k]).toBeGreaterThan(0);
      // ratio = peer / ours (from unrounded times; the printed ms keep 4 significant digits)
      const implied = (r.peer_ms as number) / (r.ours_ms as number);
      expect(Math.abs((r.ratio as number) - implied) / implied).toBeLessThan(0.05);
    }
    expect(new Set(rows.map((r) => r.peer))).toEqual(new Set(['tfjs-wasm', 'tfjs-cpu', 'onnxruntime-cpu', 'meyda-naive', 'same, JS loop', 'budget-60s', 'from-scratch', 'target-10s']));
    const cases = rows.map((r) => r.case as string);
    expect(cases.some((c) => /^train step lstm-\d+ \(ours 1 thread\)$/.test(c))).toBe(true);
    expect(cases.some((c) => /^train step lstm-\d+ \(ours \d+ threads\)$/.test(c))).toBe(true);
    expect(cases.some((c) => /^infer 1 s window B=1 gru-\d+$/.test(c))).toBe(true);
    // onnxruntime rows come after the tfjs ones, for every model: windows of 1 and 32, stream
    // steps; then feature extraction, resampling (WebAssembly kernel against the JS loop), the live detector against the same detector on
    // onnxruntime, and the whole keyword recipe against its 60 s budget (1 thread, then more).
    const featuresRow = rows.findIndex((r) => r.case === 'features for 1 s of audio (RTF x1000)');
    expect(rows[featuresRow]).toMatchObject({ peer: 'meyda-naive' });
    const ort = rows.slice(0, featuresRow).filter((r) => r.peer === 'onnxruntime-cpu');
    const firstOrt = rows.findIndex((r) => r.peer === 'onnxruntime-cpu');
    expect(rows.slice(firstOrt, featuresRow).every((r) => r.peer === 'onnxruntime-cpu')).toBe(true);
    expect(rows[featuresRow + 1]).toMatchObject({ case: 'resample 1 s 44.1 → 16 kHz (RTF x1000)', peer: 'same, JS loop' });
    expect(rows[featuresRow + 2]).toMatchObject({ case: 'live detector, ms per 1 s of audio, lstm-64 (/10 = % of a core)', peer: 'onnxruntime-cpu' });
    const recipe = rows.slice(featuresRow + 3);
    const budget = recipe.filter((r) => r.peer === 'budget-60s');
    expect(budget.length).toBeGreaterThanOrEqual(1);
    expect(budget[0].case).toMatch(/^train 5 words x \d+ clips, default recipe \(1 thread\)$/);
    for (const r of budget) expect(r).toMatchObject({ peer_ms: 60000 });
    // then a personal model from the pretrained encoder, against from scratch and against the 10 s target
    const personal = recipe.slice(budget.length);
    expect(personal.map((r) => r.peer)).toEqual(['from-scratch', 'target-10s']);
    for (const r of personal) expect(r.case).toMatch(/^train a personal model, 4 words x \d+ takes of one voice, pretrained start$/);
    expect(personal[1]).toMatchObject({ peer_ms: 10000, ours_ms: personal[0].ours_ms });
    const models = [...new Set(rows.filter((r) => r.peer === 'tfjs-cpu').map((r) => /^infer 1 s window B=1 (\S+)$/.exec(r.case as string)?.[1]).filter(Boolean))];
    expect(models.length).toBeGreaterThan(0);
    expect(ort.map((r) => r.case)).toEqual(models.flatMap((m) => [`infer 1 s window B=1 ${m}`, `infer 1 s window B=32 ${m}`, `stream step B=1 ${m}`]));
    expect(cases.some((c) => /^stream step B=1 (lstm|gru)-\d+$/.test(c))).toBe(true);
  });

  it('runs only the sections --only names, and refuses an unknown one', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--json', '--quick', '--only=features'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const rows = JSON.parse(stdout) as Array<{ case: string }>;
    expect(rows.map((r) => r.case)).toEqual(['features for 1 s of audio (RTF x1000)', 'resample 1 s 44.1 → 16 kHz (RTF x1000)']);
    expect(() => execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--json', '--quick', '--only=nope'], { cwd: root, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 })).toThrow(/unknown section "nope"/);
  });
});
