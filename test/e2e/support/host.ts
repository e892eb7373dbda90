// The browser host exactly as `npm run serve` runs it (scripts/serve.ts: the built
// renderer in out/renderer, the engine bundle out/main/engine.js in a child process),
// started as a child process with a temporary data folder; the URL with this run's token
// is read from what it prints.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuiltRenderer } from './app.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Host {
  url: string;
  /** The host process (its engine is a child of it). */
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startHost(): Promise<Host> {
  requireBuiltRenderer();
  if (!existsSync(join(ROOT, 'out', 'main', 'engine.js'))) throw new Error('out/main/engine.js is missing: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'hark-e2e-data-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'serve.ts'), '--data', dataDir], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the browser host did not start in 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(output);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the browser host exited (${code}):\n${output}`)); });
  });
  return {
    url,
    pid: child.pid!,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
