// The benchmark runner's machine-readable output, on tiny shapes (`--quick`): one JSON
// array of {case, ours_ms, peer, peer_ms, ratio} on stdout, covering both peers, training
// steps (one thread and threaded) and inference. No timing is asserted: only the shape
// and internal consistency of what it reports.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('npm run bench -- --json', () => {
  it('prints one well-formed JSON array with both peers and every kind of case', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', '--json', '--quick'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(Array.isArray(rows)).toBe(true);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['case', 'ours_ms', 'peer', 'peer_ms', 'ratio']);
      expect(typeof r.case).toBe('string');
      for (const k of ['ours_ms', 'peer_ms', 'ratio'] as const) expect(r[k]).toBeGreaterThan(0);
      // ratio = peer / ours (from unrounded times; the printed ms are rounded to 1 µs)
      const implied = (r.peer_ms as number) / (r.ours_ms as number);
      expect(Math.abs((r.ratio as number) - implied) / implied).toBeLessThan(0.05);
    }
    expect(new Set(rows.map((r) => r.peer))).toEqual(new Set(['tfjs-wasm', 'tfjs-cpu']));
    const cases = rows.map((r) => r.case as string);
    expect(cases.some((c) => /^train step lstm-\d+ \(ours 1 thread\)$/.test(c))).toBe(true);
    expect(cases.some((c) => /^train step lstm-\d+ \(ours \d+ threads\)$/.test(c))).toBe(true);
    expect(cases.some((c) => /^infer 1 s window B=1 gru-\d+$/.test(c))).toBe(true);
  });
});
