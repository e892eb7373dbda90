// Run in a child process by the import memory tests (node --import tsx import-memory-child.ts
// <mode> …), so that what reading a folder costs is measured alone: prints one JSON line
// with the outcome and how far the process's peak resident memory rose above where it
// stood before (bytes), as memory-child.ts does for one file.
//
//   import <src> <dataset>   Dataset.importFolder (app/node/dataset/store.ts): what `hark import` and the app's folder import run
//   load-folder <dir>        loadFolder with background (app/cli/load-folder.ts): what `hark train` reads
import { loadFolder } from '../../../app/cli/load-folder.js';
import { openDataset } from '../../../app/node/dataset/store.js';

const [mode, ...args] = process.argv.slice(2);
const before = process.memoryUsage().rss;
const result: Record<string, unknown> = {};
if (mode === 'import') {
  const dataset = await openDataset(args[1], { create: true });
  try {
    const r = await dataset.importFolder(args[0]);
    result.imported = r.imported.map((e) => e.path);
    result.background = r.background;
    result.rejected = r.rejected;
  } finally {
    await dataset.close();
  }
} else if (mode === 'load-folder') {
  const folder = await loadFolder(args[0], { background: true });
  result.clips = folder.clips.map((c) => c.path);
  result.background = folder.background.map((b) => b.path);
  result.warnings = folder.warnings;
} else {
  throw new Error(`unknown mode ${mode}`);
}
result.peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
process.stdout.write(`${JSON.stringify(result)}\n`);
