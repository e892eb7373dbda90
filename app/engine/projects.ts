// Where a project lives: <data>/projects/<name>/ with its dataset in dataset/ and its
// models in models/. Names come from the renderer: the protocol's schema already refuses
// path-like names; this module checks again, because the file system is the last line.

import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { HarkError } from '../../core/errors.js';
import type { Dataset } from '../node/dataset/store.js';
import type { ModelLibrary } from './model-library.js';

export class ProjectError extends HarkError {}

/** The project the engine has open: its dataset store and model library. */
export interface OpenProject {
  name: string;
  dir: string;
  dataset: Dataset;
  models: ModelLibrary;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

export function projectsRoot(dataDir: string): string {
  return path.join(dataDir, 'projects');
}

/** The folder of project `name`, refusing any name that is not a single plain folder name. */
export function projectDir(dataDir: string, name: string): string {
  const ok =
    typeof name === 'string' && name.length > 0 && name.length <= 64 && name === name.trim() &&
    !/[/\\\0:*?"<>|]/.test(name) && !name.startsWith('.') && !name.startsWith('_') &&
    !WINDOWS_RESERVED.test(name) && !name.endsWith('.');
  if (!ok) throw new ProjectError('bad-name', `${JSON.stringify(name)} is not a valid project name`);
  const root = projectsRoot(dataDir);
  const dir = path.join(root, name);
  if (path.dirname(dir) !== root) throw new ProjectError('bad-name', `${JSON.stringify(name)} is not a valid project name`);
  return dir;
}

export async function listProjects(dataDir: string): Promise<string[]> {
  await mkdir(projectsRoot(dataDir), { recursive: true });
  const entries = await readdir(projectsRoot(dataDir), { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}
