// The app's first run as one person would make it, every default left as it is: the
// Record screen's speaker name `me` (which the Speech Commands rule by speaker hashes into
// the testing split, so a run used to find no training clips), two words recorded through
// the real capture path, training with the Train screen's defaults. The run must split by
// take and report on held-out takes of that one voice, and say so.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from './support/browser.js';
import { addWord, explained, openTab, withMicrophone } from './support/app.js';
import { startHost, type Host } from './support/host.js';
import { concatWithGaps, noise, speakWord, tempDir } from './support/speech.js';
import { whichSet } from '../../app/engine/dataset/split.js';

const WORDS = ['yes', 'no'];
const dir = tempDir();
let host: Host;

beforeAll(async () => { host = await startHost(); });
afterAll(async () => { await host?.stop(); });

describe('the first run, as one person with every default', () => {
  it('records under the default speaker name, which the split by speaker puts in testing', async () => {
    expect(whichSet('yes/me_nohash_0.wav')).toBe('testing');
    for (const word of WORDS) {
      // Two takes of recording: one word, then 1.2 s of silence, looped by Chromium (~4 clips each).
      for (const session of [0, 1]) {
        const wav = concatWithGaps(dir, `${word}-${session}`, [speakWord(dir, word, 'en+m1', session)], 1.2, 0.3);
        await withMicrophone(host.url, wav, async ({ page }) => {
          expect(await page.getByLabel('Speaker').inputValue()).toBe('me');
          if (await page.locator(`button.card[data-word="${word}"]`).count() === 0) await addWord(page, word);
          await page.locator(`button.card[data-word="${word}"]`).click();
          await page.locator('[data-action="record"]').click();
          await page.getByText(/Recording… (8|9)\.\d s/).waitFor({ timeout: 20_000 });
          await page.locator('[data-action="record"]').click();
          await explained(page, page.locator('[data-record-result]'));
        });
      }
    }
  }, 300_000);

  it('trains with the Train screen\'s defaults and reports on held-out takes of that voice', async () => {
    await withMicrophone(host.url, noise(dir, 2, 'quiet', 0.001), async ({ page }) => {
      await openTab(page, 'Train');
      await page.locator('[data-action="train"]').click();
      await page.locator('[data-training-state]').waitFor({ timeout: 600_000 });
      await explained(page, page.locator('[data-training-state="done"]'));
      const measured = (await page.locator('[data-measured-on]').textContent()) ?? '';
      expect(measured).toMatch(/^Measured on \d+ held-out takes? of 1 speaker whose other takes it learned from\. Other voices may do worse\.$/);
      const held = Number(/^Measured on (\d+)/.exec(measured)?.[1]);
      expect(held).toBeGreaterThanOrEqual(WORDS.length); // one take of each word at least
      expect(parseFloat((await page.locator('[data-accuracy]').textContent()) ?? '')).toBeGreaterThanOrEqual(0);
      await screenshot(page, 'first-run-report');
    });
  }, 600_000);
});
