// Progress on stderr: cli-progress bars when stderr is a terminal and the output is not
// --json; otherwise plain lines (a start line, then the updates a command marks as worth
// a line, such as one per epoch, and a closing line), so logs and CI output stay readable.

import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';

export interface ProgressBar {
  /** Sets the position; `info` is shown next to the bar (or printed, if `line` is set). */
  update(done: number, info?: string, options?: { line?: boolean }): void;
  setTotal(total: number): void;
  /** Finishes the bar; `summary` becomes its last line. */
  stop(summary?: string): void;
}

export interface Progress {
  bar(label: string, total: number): ProgressBar;
  /** A line of information on stderr (above the bars in a terminal). */
  note(text: string): void;
}

// Bars still drawn when a command fails or is cancelled: main() stops them before it
// prints the error, so the terminal gets its cursor and a fresh line back.
const drawn = new Set<cliProgress.SingleBar>();

/** Stops every bar still drawn. */
export function stopAllBars(): void {
  for (const bar of drawn) bar.stop();
  drawn.clear();
}

export function createProgress(io: CliIO, options: { json?: boolean } = {}): Progress {
  const fancy = io.stderr.isTTY === true && !options.json;
  const note = (text: string): void => { io.stderr.write(`${text}\n`); };
  if (!fancy) {
    return {
      note,
      bar(label, total) {
        let stopped = false, last = '';
        note(`${label}…`);
        return {
          update(done, info, o) {
            if (o?.line && !stopped) { last = info ?? `${done}/${total}`; note(`  ${last}`); }
          },
          setTotal(t) { total = t; },
          stop(summary) {
            if (stopped) return;
            stopped = true;
            if (summary && summary !== last) note(`  ${summary}`);
          },
        };
      },
    };
  }
  let active: cliProgress.SingleBar | null = null;
  return {
    note(text) {
      if (active) { active.stop(); drawn.delete(active); }
      active = null;
      note(text);
    },
    bar(label, total) {
      if (active) { active.stop(); drawn.delete(active); }
      const bar = new cliProgress.SingleBar({
        stream: process.stderr,
        format: `${label.padEnd(10)} [{bar}] {percentage}% {value}/{total} {info}`,
        barsize: 24, hideCursor: true, clearOnComplete: false, etaBuffer: 20, fps: 10,
      }, cliProgress.Presets.shades_classic);
      bar.start(Math.max(1, total), 0, { info: '' });
      active = bar;
      drawn.add(bar);
      let stopped = false;
      return {
        update(done, info) { if (!stopped) bar.update(done, { info: info ?? '' }); },
        setTotal(t) { if (!stopped) bar.setTotal(Math.max(1, t)); },
        stop(summary) {
          if (stopped) return;
          stopped = true;
          bar.update(bar.getTotal(), { info: summary ?? '' });
          bar.stop();
          drawn.delete(bar);
          if (active === bar) active = null;
        },
      };
    },
  };
}
