// package.json's engines.node is the Node versions every installed package accepts: each
// package in package-lock.json (its installed package.json, or the lock's record for an
// optional one not installed on this platform) must accept every version our range allows
// (semver's subset), and every Node version they all accept must be in our range, so it is
// neither wider (npm ci would warn) nor narrower than the dependencies make it.

import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// semver comes with npm's own dependencies (node_modules/semver, via package-lock.json); only these are used.
const semver = createRequire(import.meta.url)('semver') as {
  validRange(range: string): string | null;
  subset(sub: string, dom: string): boolean;
  satisfies(version: string, range: string): boolean;
};

interface Manifest { name?: string; version?: string; engines?: { node?: string } }
interface LockEntry extends Manifest { link?: boolean }

const ours = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest).engines?.node ?? '';
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** Every package in the lock with the Node range it declares: its installed package.json's, else the lock's. */
const declared = Object.entries(lock.packages)
  .filter(([path, entry]) => path !== '' && !entry.link)
  .map(([path, entry]) => {
    const file = join(ROOT, path, 'package.json');
    const manifest = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Manifest : entry;
    return { path, version: manifest.version ?? entry.version, node: manifest.engines?.node };
  })
  .filter((p): p is { path: string; version: string | undefined; node: string } => typeof p.node === 'string');

describe('engines.node', () => {
  it('is a valid range, and the lock has packages that declare one', () => {
    expect(semver.validRange(ours), `package.json engines.node: ${ours}`).not.toBeNull();
    expect(declared.length).toBeGreaterThan(10);
  });

  it('allows only Node versions every installed package accepts', () => {
    const refusing = declared.filter((p) => !semver.subset(ours, p.node)).map((p) => `${p.path}@${String(p.version)} needs ${p.node}`);
    expect(refusing, `not accepted by every version of ${ours}`).toEqual([]);
  });

  it('allows every Node version they all accept (x.y.0 from 18.0 to 40.40)', () => {
    const ranges = [...new Set(declared.map((p) => p.node))];
    const shut: string[] = [];
    for (let major = 18; major <= 40; major++) {
      for (let minor = 0; minor <= 40; minor++) {
        const version = `${major}.${minor}.0`;
        if (ranges.every((r) => semver.satisfies(version, r)) && !semver.satisfies(version, ours)) shut.push(version);
      }
    }
    expect(shut, `accepted by every package but not by ${ours}`).toEqual([]);
  });
});
