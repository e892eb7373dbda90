import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  isInsideRoot,
  mimeTypeFor,
  resolveAppPath,
} from '../../../app/node/app-protocol.js';
import { contentSecurityPolicy } from '../../../app/shared/csp.js';

const ROOT = '/srv/hark/out/renderer';

describe('resolveAppPath', () => {
  it('maps app URLs to files inside the root', () => {
    expect(resolveAppPath(ROOT, 'hark://app/')).toBe(`${ROOT}/index.html`);
    expect(resolveAppPath(ROOT, 'hark://app')).toBe(`${ROOT}/index.html`);
    expect(resolveAppPath(ROOT, APP_ENTRY_URL)).toBe(`${ROOT}/index.html`);
    expect(resolveAppPath(ROOT, 'hark://app/assets/index-abc.js?v=1#top')).toBe(`${ROOT}/assets/index-abc.js`);
    expect(resolveAppPath(ROOT, 'hark://app/assets/a%20b.css')).toBe(`${ROOT}/assets/a b.css`);
  });

  it.each([
    'hark://app/../../etc/passwd',
    'hark://app/assets/../../../etc/passwd',
    'hark://app/..',
    'hark://app/%2e%2e/%2e%2e/etc/passwd',
    'hark://app/%2E%2E/secret',
    'hark://app/.%2e/secret',
    'hark://app/..%2f..%2fetc%2fpasswd',
    'hark://app/assets%2f..%2f..%2fsecret',
    'hark://app/..%5c..%5cwindows%5cwin.ini',
    'hark://app/%252e%252e/%252e%252e/etc/passwd',
  ])('refuses traversal: %s', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });

  it.each([
    'hark://app//etc/passwd',
    'hark://app/%2Fetc%2Fpasswd',
    'hark://app/C:/Windows/win.ini',
    'hark://app/C%3A%5CWindows%5Cwin.ini',
    'hark://app/%5C%5Cserver%5Cshare',
    'hark://app/index.html%00.png',
    'hark://app/assets//index.js',
    'hark://app/assets%2f.%2findex.js',
    'hark://app/assets%2f%2findex.js',
  ])('refuses absolute, drive and odd paths: %s', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });

  it.each([
    'hark://other/index.html',
    'hark://user@app/index.html',
    'file:///srv/hark/out/renderer/index.html',
    'https://app/index.html',
    'not a url',
    'hark://app/%E0%A4%A',
  ])('refuses URLs that are not ours: %s', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });

  it('applies the same rules with Windows paths', () => {
    const winRoot = 'C:\\Program Files\\Hark\\resources\\app.asar\\out\\renderer';
    expect(resolveAppPath(winRoot, 'hark://app/assets/x.js', path.win32)).toBe(`${winRoot}\\assets\\x.js`);
    expect(resolveAppPath(winRoot, 'hark://app/..%5C..%5Csecret', path.win32)).toBeNull();
    expect(resolveAppPath(winRoot, 'hark://app/C:/Windows/win.ini', path.win32)).toBeNull();
    expect(resolveAppPath(winRoot, 'hark://app/%2e%2e/secret', path.win32)).toBeNull();
  });
});

describe('isInsideRoot', () => {
  it('accepts the root and below, refuses siblings and parents', () => {
    expect(isInsideRoot('/a/b', '/a/b')).toBe(true);
    expect(isInsideRoot('/a/b', '/a/b/c/d')).toBe(true);
    expect(isInsideRoot('/a/b', '/a/b/..c')).toBe(true);
    expect(isInsideRoot('/a/b', '/a/bc')).toBe(false);
    expect(isInsideRoot('/a/b', '/a')).toBe(false);
    expect(isInsideRoot('C:\\a', 'D:\\a', path.win32)).toBe(false);
  });
});

describe('scheme privileges and MIME types', () => {
  it('registers a standard, secure scheme without CSP bypass', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('corsEnabled');
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('allowServiceWorkers');
  });

  it('gives module scripts a JavaScript type', () => {
    expect(mimeTypeFor('index-abc.js')).toMatch(/^text\/javascript/);
    expect(mimeTypeFor('INDEX.HTML')).toMatch(/^text\/html/);
    expect(mimeTypeFor('a.css')).toMatch(/^text\/css/);
    expect(mimeTypeFor('model.wasm')).toBe('application/wasm');
    expect(mimeTypeFor('thing.exe')).toBe('application/octet-stream');
  });
});

describe('createAppProtocolHandler', () => {
  let dir: string;
  let root: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hark-protocol-'));
    root = path.join(dir, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Hark</title>');
    await writeFile(path.join(root, 'assets', 'index.js'), 'export {};');
    await writeFile(path.join(dir, 'secret.txt'), 'do not serve');
    await symlink(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves files with their type and the security headers', async () => {
    const handler = createAppProtocolHandler(root);
    const response = await handler(new Request('hark://app/'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Hark</title>');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');

    const script = await handler(new Request('hark://app/assets/index.js'));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('answers 404 with the CSP for traversal, missing files, directories and symlinks out', async () => {
    const handler = createAppProtocolHandler(root);
    for (const url of [
      'hark://app/%2e%2e/secret.txt',
      'hark://app/..%2fsecret.txt',
      'hark://app/missing.js',
      'hark://app/assets',
      'hark://app/assets/link.txt',
      'hark://elsewhere/index.html',
    ]) {
      const response = await handler(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('do not serve');
      expect(response.headers.get('content-security-policy'), url).toBe(contentSecurityPolicy());
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const handler = createAppProtocolHandler(root);
    expect((await handler(new Request('hark://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
    const head = await handler(new Request('hark://app/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
