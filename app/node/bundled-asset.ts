// What ships with Hark beside its code (assets/: the other speech, the pretrained encoder):
// where it is, and reading it once per process.
//
// Where: $<envVar> if set (tests; an empty value means there is none); in the packaged app,
// its resources folder (electron-builder.yml, extraResources); otherwise the repository's
// assets/ folder above this module (source, out/ builds, the CLI).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The bundled asset `name` (a path under assets/), or null when there is none. `marker`: a
 * file inside it that must exist (for a folder; '' for a file).
 */
export function findBundled(envVar: string, name: string, marker = ''): string | null {
  const has = (path: string): boolean => existsSync(join(path, marker));
  const env = process.env[envVar];
  if (env !== undefined) return env !== '' && has(env) ? env : null;
  const candidates: string[] = [];
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) candidates.push(join(resources, name));
  for (let dir = import.meta.dirname, up = 0; up < 5; up++, dir = dirname(dir)) candidates.push(join(dir, 'assets', name));
  return candidates.find(has) ?? null;
}

/** `load`, run once per process and its result kept; a failed load is not kept, so the next call tries again. */
export function onceRetrying<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | null = null;
  return () => {
    if (cached === null) {
      const attempt = load();
      cached = attempt;
      attempt.catch(() => { if (cached === attempt) cached = null; });
    }
    return cached;
  };
}
