// `npm run serve`: Hark in a browser. Builds first (npm script), then serves out/renderer
// on 127.0.0.1 and runs the engine (out/main/engine.js) in a child process; prints the URL
// with this run's token. Options: --port <n> (default: a free port), --data <folder>
// (default: ~/.hark; projects live below it).

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { startBrowserHost } from '../app/host/serve.js';
import type { EngineRestartNotice } from '../app/shared/api.js';

const root = path.join(import.meta.dirname, '..');

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const port = Number(option('port') ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('--port must be a port number\n');
  process.exit(2);
}
const dataDir = path.resolve(option('data') ?? path.join(homedir(), '.hark'));
const rendererRoot = path.join(root, 'out/renderer');
const enginePath = path.join(root, 'out/main/engine.js');
for (const needed of [path.join(rendererRoot, 'index.html'), enginePath]) {
  if (!existsSync(needed)) {
    process.stderr.write(`${needed} is missing: run \`npm run build\` first (npm run serve does)\n`);
    process.exit(1);
  }
}
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

const host = await startBrowserHost({ rendererRoot, port, engine: { enginePath, dataDir, version } });
host.supervisor.on('restarted', (e: EngineRestartNotice) => {
  process.stderr.write(e.gaveUp ? `The engine stopped (${e.reason}) and was not restarted again.\n` : `The engine stopped (${e.reason}); restarted (${e.restarts}).\n`);
});
process.stdout.write(`Hark is serving ${dataDir}\nOpen ${host.url}\n(only on this machine; the token changes every run)\n`);

const stop = () => {
  void host.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
