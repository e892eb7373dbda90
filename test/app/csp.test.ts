import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, cspDirectives } from '../../app/shared/csp.js';

function parse(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name as string, sources];
  }));
}

describe('contentSecurityPolicy', () => {
  const header = parse(contentSecurityPolicy());

  it("defaults to 'self' and allows no eval or inline code (WebAssembly compilation only)", () => {
    expect(header.get('default-src')).toEqual(["'self'"]);
    expect(header.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(header.get('style-src')).toEqual(["'self'"]);
    const policy = contentSecurityPolicy();
    expect(policy).not.toContain("'unsafe-eval'");
    // 'wasm-unsafe-eval' is the only relaxation: it allows WebAssembly.Module, never eval()
    expect([...policy.matchAll(/'[a-z-]*eval'/g)].map((m) => m[0])).toEqual(["'wasm-unsafe-eval'"]);
    expect(policy).not.toContain("'unsafe-inline'");
    expect(policy).not.toContain('*');
    expect(policy).not.toMatch(/https?:/);
  });

  it('shuts plugins, frames, base and forms', () => {
    expect(header.get('object-src')).toEqual(["'none'"]);
    expect(header.get('frame-src')).toEqual(["'none'"]);
    expect(header.get('frame-ancestors')).toEqual(["'none'"]);
    expect(header.get('base-uri')).toEqual(["'none'"]);
    expect(header.get('form-action')).toEqual(["'none'"]);
  });

  it('leaves frame-ancestors out of the meta variant only', () => {
    const meta = parse(contentSecurityPolicy({ delivery: 'meta' }));
    expect(meta.has('frame-ancestors')).toBe(false);
    expect([...meta.keys()]).toEqual([...header.keys()].filter((k) => k !== 'frame-ancestors'));
  });

  it('dev variant only adds inline styles, still no eval', () => {
    const dev = parse(contentSecurityPolicy({ dev: true }));
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(contentSecurityPolicy({ dev: true })).not.toContain("'unsafe-eval'");
    for (const [name, sources] of header) if (name !== 'style-src') expect(dev.get(name), name).toEqual(sources);
  });

  it('writes each directive once', () => {
    const names = cspDirectives().map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('renderer/index.html', () => {
  // the harness page (browser tests of the capture path) must run under the app's policy,
  // or what it shows (e.g. that the resampler's WebAssembly kernel compiles) proves nothing
  it.each(['index.html', 'harness/index.html'])('renderer/%s carries the meta policy, byte for byte', (page) => {
    const html = readFileSync(new URL(`../../renderer/${page}`, import.meta.url), 'utf8');
    const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
    expect(match?.[1]).toBe(contentSecurityPolicy({ delivery: 'meta' }));
  });

  it('has no inline script', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    for (const tag of html.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc=/);
  });
});

describe('contentSecurityPolicy for the browser host', () => {
  it('adds only the loopback WebSocket origin it is given to connect-src', () => {
    const policy = contentSecurityPolicy({ connect: ['ws://127.0.0.1:5123'] });
    expect(parse(policy).get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:5123']);
    expect(parse(policy).get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    for (const bad of ['ws://example.com:80', 'wss://127.0.0.1:1', 'ws://127.0.0.1', '*', "'unsafe-inline'", 'ws://127.0.0.1:1; script-src *']) {
      expect(() => contentSecurityPolicy({ connect: [bad] }), bad).toThrow(/loopback/);
    }
  });
});
