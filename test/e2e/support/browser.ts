// Launches Debian's Chromium through playwright-core (never `playwright install`), one
// launch per fake-microphone file: Chromium reads --use-file-for-fake-audio-capture once
// and loops it. Flags from ../shared/docs/environment.md.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.HARK_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'e2e');

export interface LaunchOptions {
  /** WAV played as the microphone (absolute path); null: no fake device at all. */
  wav: string | null;
  /** Answer permission prompts with "allow" (default true); false leaves them to the browser. */
  autoAllow?: boolean;
}

/** Chromium's command-line flags for `options` (also used by ./own-window.ts). */
export function chromiumArgs(options: LaunchOptions): string[] {
  const args = [
    '--no-sandbox', '--autoplay-policy=no-user-gesture-required',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--js-flags=--expose-gc', '--enable-precise-memory-info',
  ];
  if (options.autoAllow ?? true) args.push('--use-fake-ui-for-media-stream');
  if (options.wav !== null) args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${options.wav}`);
  return args;
}

export async function launchChromium(options: LaunchOptions): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(options) });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  errors: string[];
}

export async function openPage(browser: Browser, url: string, init?: () => void): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // A 404 is reported by 'response' below with its URL.
    if (m.text().startsWith('Failed to load resource')) return;
    errors.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`http ${r.status()}: ${r.url()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (init) await page.addInitScript(init);
  await page.goto(url);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
