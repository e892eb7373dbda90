// The manifest, `hark-manifest.json`: the index of the dataset's clips, one entry each
// (path, label, speaker, duration, sha256, split, source). Reading it tells a missing file
// from a corrupt one (both are rebuilt from the folder by recovery.ts) and refuses a newer
// schema than this version knows; it is written whole, atomically (atomic.ts).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '../../../core/audio/wav.js';
import { DatasetError, writeFileAtomic } from './atomic.js';
import type { Split } from './split.js';

export const MANIFEST_FILE = 'hark-manifest.json';
export const SCHEMA_VERSION = 1;

export interface ClipEntry {
  /** Relative to the dataset root, '/'-separated: `<label>/<speaker>_nohash_<n>.wav`. */
  path: string;
  label: string;
  speaker: string;
  durationSeconds: number;
  sha256: string;
  split: Split;
  /** Where the clip came from: 'recorded', 'import:<file>', 'found' (on disk, not in a manifest). */
  source: string;
}

export interface Manifest {
  schemaVersion: number;
  entries: ClipEntry[];
}

export type ManifestRead = { kind: 'ok'; manifest: Manifest } | { kind: 'missing' } | { kind: 'corrupt'; reason: string };

/** A clip's checksum, as its entry records it. */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A clip's duration for its entry, from its whole bytes (which must decode). Throws WavError. */
export function durationOf(bytes: Uint8Array): number {
  return decodeWav(bytes).durationSeconds;
}

function isEntry(x: unknown): x is ClipEntry {
  const e = x as Record<string, unknown>;
  return typeof e === 'object' && e !== null && typeof e.path === 'string' && typeof e.label === 'string' &&
    typeof e.speaker === 'string' && typeof e.durationSeconds === 'number' && typeof e.sha256 === 'string' &&
    typeof e.split === 'string' && typeof e.source === 'string';
}

/** The manifest in `root`, or why there is none to use. Throws DatasetError 'newer-schema'. */
export async function readManifest(root: string): Promise<ManifestRead> {
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { kind: 'corrupt', reason: `not JSON (${(err as Error).message})` };
  }
  const m = parsed as Partial<Manifest>;
  if (typeof m !== 'object' || m === null || typeof m.schemaVersion !== 'number') return { kind: 'corrupt', reason: 'no schemaVersion' };
  if (m.schemaVersion > SCHEMA_VERSION) {
    throw new DatasetError('newer-schema', `the manifest has schema version ${m.schemaVersion}; this version of Hark reads up to ${SCHEMA_VERSION}`);
  }
  if (m.schemaVersion !== SCHEMA_VERSION || !Array.isArray(m.entries) || !m.entries.every(isEntry)) {
    return { kind: 'corrupt', reason: 'entries missing or malformed' };
  }
  return { kind: 'ok', manifest: m as Manifest };
}

/** Write `manifest` to `root` (a dataset or an export of one), atomically. */
export function writeManifest(root: string, manifest: Manifest): Promise<void> {
  return writeFileAtomic(join(root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}
