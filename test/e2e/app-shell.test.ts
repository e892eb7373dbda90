// The app shell in Chromium without an engine: every screen opens from the keyboard
// (tabs with arrow keys), shows its empty state, focus is visible, and the theme toggle
// switches between light and dark. Screenshots of each screen in test-artifacts/e2e.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshot, type TestPage } from './support/browser.js';
import { requireBuiltRenderer } from './support/app.js';
import { serveStatic, type StaticServer } from './support/server.js';
import { noise, tempDir } from './support/speech.js';

describe('app shell without an engine', () => {
  let server: StaticServer;
  let browser: Browser;
  let tp: TestPage;

  beforeAll(async () => {
    server = await serveStatic(requireBuiltRenderer());
    browser = await launchChromium({ wav: noise(tempDir(), 2) });
    tp = await openPage(browser, server.url);
    await tp.page.locator('[data-engine="absent"]').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('reaches every screen from the keyboard, each with its empty state', async () => {
    const { page } = tp;
    await page.getByRole('tab', { name: 'Record' }).focus();
    const expected: Array<[string, RegExp]> = [
      ['Train', /Training needs the engine/],
      ['Listen', /Listening needs the engine/],
      ['Models', /Models live in the engine/],
      ['Record', /No words yet/],
    ];
    for (const [tab, text] of expected) {
      await page.keyboard.press('ArrowRight');
      const active = page.getByRole('tab', { name: tab });
      expect(await active.getAttribute('aria-selected')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe(tab);
      await page.getByRole('tabpanel').getByText(text).waitFor();
      // The focused tab draws a visible outline (the :focus-visible ring).
      const outline = await active.evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline).toBe('solid');
      await screenshot(page, `empty-${tab.toLowerCase()}`);
    }
    expect(tp.errors).toEqual([]);
  });

  it('switches between light and dark themes', async () => {
    const { page } = tp;
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const toggle = page.getByRole('button', { name: /^Theme:/ });
    await toggle.click(); // system → dark
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const dark = await background();
    await screenshot(page, 'theme-dark');
    await toggle.click(); // dark → light
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    const light = await background();
    expect(dark).toBe('rgb(21, 21, 21)');
    expect(light).toBe('rgb(247, 247, 245)');
    await toggle.click(); // light → system
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    expect(tp.errors).toEqual([]);
  });
});
