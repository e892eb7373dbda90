// Listening with the window minimised: the page is hidden, listening goes on (frames still
// go to the engine), and the live views do no paint work at all: no animation frame asked
// for, nothing put on the spectrogram's canvas, no write to the probability bars or the
// level meter; and the engine sends no probabilities for the bars (only detections).
// Restored, they paint again. An init script counts each of these.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from './support/host.js';
import { openListenWith, writeRandomModel } from './support/listen.js';
import { launchOwnWindow, type OwnWindow } from './support/own-window.js';
import { tempDir, wordSequence } from './support/speech.js';

interface Counts { frames: number; canvas: number; views: number; sent: number; received: number }

/** Init script: counts animation frames asked for, canvas puts, writes to the live views' elements, and messages to and from the engine. */
function instrument(): void {
  const counts: Counts = { frames: 0, canvas: 0, views: 0, sent: 0, received: 0 };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => { counts.frames++; return raf(callback); };
  const put = CanvasRenderingContext2D.prototype.putImageData;
  CanvasRenderingContext2D.prototype.putImageData = function (this: CanvasRenderingContext2D, ...args: Parameters<typeof put>) {
    counts.canvas++;
    return put.apply(this, args);
  } as typeof put;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: Parameters<typeof send>[0]) {
    counts.sent++;
    return send.call(this, data);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', () => { counts.received++; });
    }
  };
  // The probability bars and the level meter (transforms, colours, numbers, ARIA values).
  const live = (node: Node): boolean => {
    const element = node instanceof Element ? node : node.parentElement;
    return element?.closest('[aria-label="Probability of each word"], [aria-label^="Input level"]') != null;
  };
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver((records) => { counts.views += records.filter((r) => live(r.target)).length; })
      .observe(document.body, { subtree: true, attributes: true, characterData: true, childList: true });
  });
  (globalThis as unknown as { __counts: () => Counts }).__counts = () => ({ ...counts });
}

describe('listening with the window minimised', () => {
  let host: Host;
  let browserWindow: OwnWindow;

  beforeAll(async () => {
    const dir = tempDir();
    const wav = wordSequence(dir, 'hidden-speech', ['yes', 'no']);
    host = await startHost();
    browserWindow = await launchOwnWindow({ wav });
    await browserWindow.page.addInitScript(instrument);
    await browserWindow.page.goto(host.url);
    await openListenWith(browserWindow.page, writeRandomModel(dir));
  });

  afterAll(async () => {
    await browserWindow?.close();
    await host?.stop();
  });

  it('paints nothing while hidden, keeps sending frames, and paints again when restored', async () => {
    const { page } = browserWindow;
    const counts = (): Promise<Counts> => page.evaluate(() => (globalThis as unknown as { __counts: () => Counts }).__counts());
    /** Waits until `f` of the counts passes `from`. */
    const grows = async (f: (c: Counts) => number, from: number): Promise<void> => {
      await expect.poll(async () => f(await counts()), { timeout: 10_000, interval: 200 }).toBeGreaterThan(from);
    };
    /**
     * The counts and how many entries the detection log has had (its newest entry's number
     * + 1: entries are numbered in order from 0; while hidden nothing but detections adds
     * one), read together, so no message can land between the two.
     */
    const countsWithLog = (): Promise<Counts & { entries: number }> => page.evaluate(() => {
      const newest = document.querySelector<HTMLElement>('[data-detections] tr[data-entry]')?.dataset.entry;
      return { ...(globalThis as unknown as { __counts: () => Counts }).__counts(), entries: newest === undefined ? 0 : Number(newest) + 1 };
    });

    await page.getByRole('button', { name: 'Start listening' }).click();
    await page.getByRole('button', { name: 'Stop listening' }).waitFor();
    const shown = await counts();
    await grows((c) => c.canvas, shown.canvas); // the views are painting
    await grows((c) => c.views, shown.views);

    await browserWindow.minimise();
    // A view's last text update may still be due (at most 4 a second; timers of a hidden
    // page run at most once a second): let it pass before counting.
    await new Promise((r) => setTimeout(r, 1500));
    const before = await countsWithLog();
    await new Promise((r) => setTimeout(r, 3000));
    const after = await countsWithLog();
    expect(await page.evaluate(() => document.visibilityState)).toBe('hidden');
    expect(after.sent - before.sent, 'frames sent to the engine while hidden').toBeGreaterThan(10);
    // Shown, the bars' probabilities come ten times a second; hidden, only detections do.
    // The log keeps only its newest DETECTION_LOG_LENGTH rows, so once full its row count
    // stops growing: what counts is how many entries came, told by the newest entry's number.
    expect(after.received - before.received, 'messages from the engine while hidden').toBeLessThanOrEqual(after.entries - before.entries);
    expect({ frames: after.frames - before.frames, canvas: after.canvas - before.canvas, views: after.views - before.views })
      .toEqual({ frames: 0, canvas: 0, views: 0 });

    await browserWindow.restore();
    await grows((c) => c.canvas, after.canvas);
    await grows((c) => c.views, after.views);
    await page.getByRole('button', { name: 'Stop listening' }).click();
    expect(browserWindow.errors).toEqual([]);
  });
});
