// A training run that finishes while listening: the Listen screen goes on listening, with
// the new model. One person's takes of two words are imported as a folder; a first run on
// both words becomes the active model; a second run, on one word, is started, and while it
// trains Listen starts with the first. When the run finishes, the screen names the new
// model and its word, the bars are the new model's, it is still listening, and nothing
// went wrong on the way (no alert, no page error).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { clickTrain, openTab, withMicrophone } from './support/app.js';
import { startHost, type Host } from './support/host.js';
import { noise, tempDir } from './support/speech.js';
import { importFolder, writeBackground, writeSpeechFolder, type FolderClip } from './support/folders.js';
import { join } from 'node:path';

const VOICE = 'en+m1';
const TAKES = 6;
/** Short: only a model to start listening with. */
const FIRST_EPOCHS = 5;
/** Long enough (early stopping keeps at least 20) to be still training when listening starts. */
const SECOND_EPOCHS = 30;
const scratch = tempDir();
const folder = join(tempDir('hark-e2e-follow-'), 'one-voice');
let host: Host;

beforeAll(async () => { host = await startHost(); });
afterAll(async () => { await host?.stop(); });

/** Starts a run on `words` from the Train screen; resolves when it has started. */
async function startTraining(page: Page, words: string[], epochs: number): Promise<void> {
  await clickTrain(page, words, epochs);
  await page.getByRole('button', { name: 'Cancel' }).waitFor(); // shown while it runs
}

describe('listening while a training run finishes', () => {
  it('switches to the new model, says so, and goes on listening', async () => {
    const clips: FolderClip[] = [];
    for (const word of ['yes', 'no']) for (let t = 0; t < TAKES; t++) clips.push({ word, voice: VOICE });
    for (const say of ['maybe', 'later', 'window', 'seven']) clips.push({ word: '_unknown_', voice: VOICE, say });
    writeSpeechFolder(folder, clips, scratch);
    writeBackground(folder, scratch);

    await withMicrophone(host.url, noise(scratch, 2, 'quiet', 0.001), async ({ page }) => {
      await importFolder(page, folder);
      await startTraining(page, ['yes', 'no'], FIRST_EPOCHS);
      await page.locator('[data-training-state="done"]').waitFor({ timeout: 600_000 });

      await startTraining(page, ['yes'], SECOND_EPOCHS);
      await openTab(page, 'Listen');
      const model = page.locator('[data-listening-model]');
      await expect.poll(() => model.getAttribute('data-words')).toBe('no,yes');
      await page.getByRole('button', { name: 'Start listening' }).click();
      await page.locator('.bars li[data-label="no"]').waitFor(); // the first model's bars
      const first = await model.locator('strong').innerText();

      // The run finishes: the screen names the new model, its one word, and shows its bars.
      await expect.poll(() => model.getAttribute('data-words'), { timeout: 600_000, interval: 1000 }).toBe('yes');
      expect(await model.locator('strong').innerText()).not.toBe(first);
      await expect.poll(() => page.locator('.bars li[data-label="no"]').count()).toBe(0);
      await page.locator('.bars li[data-label="yes"]').waitFor();
      await page.getByRole('button', { name: 'Stop listening' }).waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
      await page.getByRole('button', { name: 'Stop listening' }).click();
    });
  }, 900_000);
});
