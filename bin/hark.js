#!/usr/bin/env node
// The `hark` command: a shim that runs the built CLI (out/main/cli.js, from `npm run build`).
import { existsSync } from 'node:fs';

const cli = new URL('../out/main/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('hark: the command is not built yet: run `npm run build` in the Hark folder first\n');
  process.exit(1);
}
const { runCli } = await import(cli.href);
process.exitCode = await runCli(process.argv.slice(2));
