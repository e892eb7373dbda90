// `npm start`'s check for Electron's binary (scripts/check-electron.ts, the "prestart"
// script): it finds the binary where electron-vite looks, and without it prints one
// sentence pointing to `npm run serve` and exits 1. Fake projects in a temporary folder
// hold an electron package with or without its binary; the script runs as npm runs it.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary, missingElectronMessage } from '../../scripts/check-electron.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'check-electron.ts');
const made: string[] = [];
afterAll(() => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

/** A project folder with the script and an electron package; `binary`: what path.txt names, created under dist/ when `present`. */
function project(electron: { binary?: string; present?: boolean } | null): string {
  const root = mkdtempSync(join(tmpdir(), 'hark-check-electron-'));
  made.push(root);
  writeFileSync(join(root, 'package.json'), '{"name":"fake","type":"module"}');
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts', 'check-electron.ts'));
  if (electron) {
    const dir = join(root, 'node_modules', 'electron');
    mkdirSync(join(dir, 'dist'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"electron","version":"45.5.0","main":"index.js"}');
    if (electron.binary !== undefined) writeFileSync(join(dir, 'path.txt'), electron.binary);
    if (electron.binary && electron.present) writeFileSync(join(dir, 'dist', electron.binary), '');
  }
  return root;
}

/** Runs the script in `root` as `npm start` does (tsx), without ELECTRON_EXEC_PATH unless given. */
function run(root: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const { ELECTRON_EXEC_PATH: _, ...rest } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'check-electron.ts')], { cwd: ROOT, env: { ...rest, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm start without Electron', () => {
  it('prints one sentence pointing to `npm run serve` and exits 1 when the binary was never downloaded', () => {
    const r = run(project({}));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${missingElectronMessage('node_modules/electron/path.txt is missing: the binary\'s download was skipped or failed')}\n`);
    expect(r.stderr).toContain('run `npm run serve` to use Hark in your browser instead.');
  });

  it('exits 0 without a word when the binary is there', () => {
    const r = run(project({ binary: 'electron', present: true }));
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('behaves in this checkout as the binary found here says', () => {
    const here = findElectronBinary(ROOT, {});
    const r = run(ROOT);
    if (here.found) expect(r.status).toBe(0);
    else expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: `${missingElectronMessage(here.reason)}\n` });
  });
});

describe('findElectronBinary', () => {
  it('finds the file path.txt names under dist/', () => {
    const root = project({ binary: 'electron', present: true });
    expect(findElectronBinary(root, {})).toEqual({ found: true, path: join(root, 'node_modules', 'electron', 'dist', 'electron') });
  });

  it('says what is missing: the package, path.txt, or the file it names', () => {
    expect(findElectronBinary(project(null), {})).toEqual({ found: false, reason: 'the electron package is not in node_modules' });
    expect(findElectronBinary(project({}), {})).toMatchObject({ found: false, reason: expect.stringContaining('path.txt is missing') });
    expect(findElectronBinary(project({ binary: 'electron', present: false }), {}))
      .toEqual({ found: false, reason: `${join('node_modules', 'electron', 'dist', 'electron')} does not exist` });
  });

  it('takes ELECTRON_EXEC_PATH first, as electron-vite does, and only when it exists', () => {
    const root = project({});
    expect(findElectronBinary(root, { ELECTRON_EXEC_PATH: process.execPath })).toEqual({ found: true, path: process.execPath });
    expect(findElectronBinary(root, { ELECTRON_EXEC_PATH: '/nowhere/electron' }))
      .toEqual({ found: false, reason: 'ELECTRON_EXEC_PATH names /nowhere/electron, which does not exist' });
  });
});
