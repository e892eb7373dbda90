// Driving the built app (out/renderer, built by `npm test` / `npm run test:e2e` before the
// tests run) in Chromium.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

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
