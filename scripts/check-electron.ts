// `npm start`'s first step (the "prestart" script): is Electron's binary there? Installs
// made with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or whose download failed, have the electron
// package without its binary, and electron-vite then stops with "Error: Electron
// uninstall". This says what is missing and what to use instead, in one sentence, and
// exits 1; with the binary present it exits 0 silently and `npm start` goes on.
//
// It looks for the binary where electron-vite does (ELECTRON_EXEC_PATH, else the file
// under the electron package's dist/ that its path.txt names), and never requires the
// package: `require('electron')` starts a download when the binary is missing
// (node_modules/electron/index.js).

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

/** Electron's binary as `npm start` would run it from `root` (the project folder), or why there is none. */
export function findElectronBinary(root: string, env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const missing = (reason: string): ElectronBinary => ({ found: false, reason });
  const exec = env.ELECTRON_EXEC_PATH;
  if (exec) return existsSync(exec) ? { found: true, path: exec } : missing(`ELECTRON_EXEC_PATH names ${exec}, which does not exist`);
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));
  } catch {
    return missing('the electron package is not in node_modules');
  }
  const shown = relative(root, packageDir) || packageDir;
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return missing(`${join(shown, 'path.txt')} is missing: the binary's download was skipped or failed`);
  const executable = readFileSync(pathFile, 'utf8');
  const path = join(packageDir, 'dist', executable);
  return executable && existsSync(path) ? { found: true, path } : missing(`${join(shown, 'dist', executable)} does not exist`);
}

/** The one sentence printed when the binary is missing. */
export function missingElectronMessage(reason: string): string {
  return `Electron's binary is not installed on this machine (${reason}); run \`npm run serve\` to use Hark in your browser instead.`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const binary = findElectronBinary(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  if (!binary.found) {
    console.error(missingElectronMessage(binary.reason));
    process.exit(1);
  }
}
