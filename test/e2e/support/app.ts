// Driving the built app (out/renderer, built by `npm test` / `npm run test:e2e` before the
// tests run) in Chromium.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium, openPage, type TestPage } from './browser.js';

export const RENDERER_OUT = join(import.meta.dirname, '..', '..', '..', 'out', 'renderer');

export function requireBuiltRenderer(): string {
  if (!existsSync(join(RENDERER_OUT, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` first (npm test and npm run test:e2e do)');
  }
  return RENDERER_OUT;
}

/** Adds a word on the Record screen and selects its card. */
export async function addWord(page: Page, word: string): Promise<void> {
  await page.getByLabel('New word').fill(word);
  await page.getByRole('button', { name: 'Add word' }).click();
  await page.locator(`button.card[data-word="${word}"]`).waitFor();
}

/** Opens the app at `url` with `wav` as the microphone, runs `body`, checks the page logged no errors, closes the browser. */
export async function withMicrophone(url: string, wav: string, body: (tp: TestPage) => Promise<void>): Promise<void> {
  const browser = await launchChromium({ wav });
  try {
    const tp = await openPage(browser, url);
    await tp.page.locator('[data-engine="connected"]').waitFor({ timeout: 30_000 });
    await body(tp);
    expect(tp.errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

export async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
}

/** Waits for `locator`; on a timeout, fails with what the screen says instead. */
export async function explained(page: Page, locator: Locator, timeout = 30_000): Promise<void> {
  try {
    await locator.waitFor({ timeout });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- the screen said:\n${await page.locator('main').innerText()}`, { cause: err });
  }
}

/** The internal class names (and dataset folders) the screens must never show: they read "Other speech" and "Background". */
export const RAW_CLASS_NAMES = /_unknown_|_background_|_background_noise_|_silence_/;

/** Fails, naming the screen and quoting the line, when the page's visible text holds a raw internal class name. */
export async function expectNoRawClassNames(page: Page, screen: string): Promise<void> {
  const text = await page.locator('body').innerText();
  const line = text.split('\n').find((l) => RAW_CLASS_NAMES.test(l));
  expect(line, `the ${screen} screen shows a raw class name`).toBeUndefined();
}

/** Sets up a small run on the Train screen (GRU-32, `epochs`, only `words` of yes/no ticked) and clicks Train. */
export async function clickTrain(page: Page, words: readonly string[], epochs: number): Promise<void> {
  await openTab(page, 'Train');
  await page.getByLabel(/^GRU/).check();
  await page.getByLabel('Size (units)').selectOption('32');
  await page.getByLabel('Epochs').fill(String(epochs));
  for (const w of ['yes', 'no']) await page.getByRole('checkbox', { name: w, exact: true }).setChecked(words.includes(w));
  await page.locator('[data-action="train"]').click();
}
