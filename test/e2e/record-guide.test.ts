// The Record screen as a guide, under the browser host: the three steps (your words, other
// speech, background) count what the project has against the recommendation; background
// recordings are listed, play, delete and come back with Undo; clips show waveform
// thumbnails; the level meter reads in dBFS; a take counts down to its limit; and no raw
// internal class name is on the screen. Saves test-artifacts/e2e/record-screen.png.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, openPage, screenshot } from './support/browser.js';
import { startHost, type Host } from './support/host.js';
import { noise, tempDir } from './support/speech.js';
import { importFolder, writeBackground, writeSpeechFolder } from './support/folders.js';
import { BACKGROUND_TAKE_SECONDS, MIN_CLIPS_PER_WORD, TAKE_SECONDS, TARGET_BACKGROUND_SECONDS, TARGET_CLIPS_PER_WORD, TARGET_OTHER_SPEECH_CLIPS } from '../../renderer/src/components/record/guidance.js';

const scratch = tempDir();
const folder = join(tempDir('hark-e2e-guide-'), 'words');
const KITCHEN = '_background_noise_/kitchen.wav';
let host: Host;

beforeAll(async () => { host = await startHost(); });
afterAll(async () => { await host?.stop(); });

interface Played { length: number; sampleRate: number }

/** Records the buffers the page plays (before the app loads). */
function recordPlayback(): void {
  const played: Played[] = [];
  (window as unknown as { __played: Played[] }).__played = played;
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: Parameters<AudioBufferSourceNode['start']>) {
    if (this.buffer) played.push({ length: this.buffer.length, sampleRate: this.buffer.sampleRate });
    return start.apply(this, args);
  };
}
const playedSoFar = (page: Page): Promise<Played[]> => page.evaluate(() => (window as unknown as { __played: Played[] }).__played.slice());

const step = (page: Page, id: string) => page.locator(`[data-guide] [data-step="${id}"]`);

describe('the Record screen guides a new user', () => {
  it('counts against the recommendation, lists background recordings, draws thumbnails, meters and counts down', async () => {
    mkdirSync(folder, { recursive: true });
    writeSpeechFolder(folder, [
      ...['en+m1', 'en+f1', 'en+m3'].map((voice) => ({ word: 'yes', voice })),
      { word: 'no', voice: 'en+m2' },
      { word: '_unknown_', voice: 'en+f2', say: 'apple' },
    ], scratch);
    writeBackground(folder, scratch, 'kitchen', 3);

    // A quiet room as the microphone: takes hear no word, background takes save.
    const browser = await launchChromium({ wav: noise(scratch, 2, 'quiet', 0.001) });
    try {
      const tp = await openPage(browser, host.url, recordPlayback);
      const { page } = tp;
      await page.locator('[data-engine="connected"]').waitFor({ timeout: 30_000 });

      // Empty project: three steps to do.
      await step(page, 'words').filter({ hasText: `Add a word you want Hark to recognise, then record it ${TARGET_CLIPS_PER_WORD} times (at least ${MIN_CLIPS_PER_WORD}).` }).waitFor();
      expect(await page.locator('[data-guide] li.done').count()).toBe(0);

      expect(await importFolder(page, folder)).toBe('Imported 5 clip(s) and 1 background file(s); 0 refused.');
      await step(page, 'words').filter({ hasText: `Record each word ${TARGET_CLIPS_PER_WORD} times (at least ${MIN_CLIPS_PER_WORD}): 0 of 2 words done.` }).waitFor();
      await step(page, 'other-speech').filter({ hasText: `: 1 of ${TARGET_OTHER_SPEECH_CLIPS}.` }).waitFor();
      await step(page, 'background').filter({ hasText: `: 3 of ${TARGET_BACKGROUND_SECONDS} s.` }).waitFor();

      // The imported room noise is listed; it plays (all of it, at 16 kHz).
      const panel = page.getByRole('region', { name: 'Background noise' });
      const kitchen = panel.locator(`[data-background="${KITCHEN}"]`);
      expect((await kitchen.locator('.name').textContent())?.trim()).toBe('kitchen (3.0 s)');
      await panel.getByRole('button', { name: 'Play kitchen.wav' }).click();
      await expect.poll(async () => (await playedSoFar(page)).at(-1)).toEqual({ length: 3 * 16000, sampleRate: 16000 });

      // Delete, and Undo brings it back; the guide follows.
      await panel.getByRole('button', { name: 'Delete kitchen.wav' }).click();
      await panel.getByRole('status').filter({ hasText: 'Deleted kitchen.wav.' }).waitFor();
      await kitchen.waitFor({ state: 'detached' });
      await step(page, 'background').filter({ hasText: `: 0 of ${TARGET_BACKGROUND_SECONDS} s.` }).waitFor();
      await panel.getByRole('button', { name: 'Undo' }).click();
      await kitchen.waitFor();
      await step(page, 'background').filter({ hasText: `: 3 of ${TARGET_BACKGROUND_SECONDS} s.` }).waitFor();

      // A background take from the microphone is listed at once, and completes the step.
      await page.locator('[data-action="record-background"]').click();
      await panel.getByRole('timer').filter({ hasText: /^\d+\.\d s left$/ }).waitFor();
      await page.locator('[data-background-result]').filter({ hasText: `Saved ${BACKGROUND_TAKE_SECONDS} s of background noise.` }).waitFor({ timeout: 30_000 });
      await expect.poll(() => panel.locator('[data-background]').count()).toBe(2);
      await page.locator('[data-guide] [data-step="background"].done').waitFor();

      // Thumbnails: each clip of "yes" gets its waveform drawn (some pixels painted).
      await page.locator('button.card[data-word="yes"]').click();
      await page.getByRole('heading', { name: 'Clips of “yes”' }).waitFor();
      const painted = () => page.locator('tr[data-clip] canvas').evaluateAll((cs) => (cs as HTMLCanvasElement[]).map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n > 0;
      }));
      await expect.poll(painted).toEqual([true, true, true]);

      // The level meter speaks dBFS.
      const meter = page.getByRole('meter', { name: 'Input level (dBFS)' }).first();
      expect(await meter.getAttribute('aria-valuetext')).toMatch(/^-?\d+ dBFS, peak -?\d+ dBFS/);

      // A take counts down to its limit.
      await page.locator('[data-action="record"]').click();
      const timer = page.getByRole('timer').filter({ hasText: /s left/ });
      await timer.waitFor();
      const left = async () => Number(/([\d.]+) s left/.exec((await timer.textContent()) ?? '')?.[1]);
      const first = await left();
      expect(first).toBeLessThanOrEqual(TAKE_SECONDS);
      await expect.poll(left).toBeLessThan(first - 0.5);
      await screenshot(page, 'record-screen-recording');
      await page.locator('[data-action="record"]').click();
      await timer.waitFor({ state: 'detached' });

      // Other speech reads as such everywhere on this screen.
      await page.locator('button.card[data-word="_unknown_"]').click();
      await page.getByRole('heading', { name: 'Clips of “Other speech”' }).waitFor();
      expect(await page.locator('main').innerText()).not.toMatch(/_unknown_|_background_|_silence_/);
      await page.locator('button.card[data-word="yes"]').click();
      await expect.poll(painted).toEqual([true, true, true]);
      await screenshot(page, 'record-screen');
      expect(tp.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
