// Run in a child process by the memory tests (node --import tsx memory-child.ts <mode> …),
// so that what one operation costs is measured alone: prints one JSON line with the
// outcome and how far the process's peak resident memory rose above where it stood before
// the operation (bytes).
//
//   clip <file.wav>                  readClipFile (app/node/wav-file.ts)
//   listen <model> <file.wav> [args] `hark listen`, in-process
import { readClipFile } from '../../../app/node/wav-file.js';
import { main } from '../../../app/cli/index.js';
import { HarkError } from '../../../core/errors.js';

const [mode, ...args] = process.argv.slice(2);
const before = process.memoryUsage().rss;
const result: Record<string, unknown> = {};
if (mode === 'clip') {
  try {
    const wav = await readClipFile(args[0]);
    result.frames = wav.samples.length;
  } catch (err) {
    result.code = err instanceof HarkError ? err.code : 'untyped';
    result.message = (err as Error).message;
  }
} else if (mode === 'listen') {
  let stderr = '';
  let lines = 0;
  result.exit = await main(['listen', ...args], {
    stdout: { write: () => { lines++; return true; } },
    stderr: { write: (s: string) => { stderr += s; return true; } },
    env: {}, cwd: process.cwd(),
  });
  result.stderr = stderr;
  result.lines = lines;
} else {
  throw new Error(`unknown mode ${mode}`);
}
result.peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
process.stdout.write(`${JSON.stringify(result)}\n`);
