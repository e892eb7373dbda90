// Relabel, delete and undo on the Record screen's clip list (ClipList.vue) under the
// browser host. A small Speech Commands folder is imported first (the quickest way to
// clips). Relabelling is on demand: a row shows "Relabel…", which opens a labelled choice
// of the other labels (keyboard: focus moves to it, Escape closes it and returns focus).
// A clip relabelled to another word leaves the first word's list and card count and
// appears under the other word with the same audio (the bytes on the engine's disk); a
// clip can be relabelled to a word just added (no clips yet) and to other speech; a
// deleted clip leaves its list and count, and Undo brings it back under its old name.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot } from './support/browser.js';
import { addWord } from './support/app.js';
import { startHost, type Host } from './support/host.js';
import { noise, tempDir } from './support/speech.js';
import { importFolder, speakerOf, writeSpeechFolder } from './support/folders.js';
import { TARGET_CLIPS_PER_WORD, TARGET_OTHER_SPEECH_CLIPS } from '../../renderer/src/components/record/guidance.js';

const OTHER_SPEECH = '_unknown_';

const scratch = tempDir();
const folder = join(tempDir('hark-e2e-relabel-'), 'words');
let host: Host;

beforeAll(async () => { host = await startHost(); });
afterAll(async () => { await host?.stop(); });

/** The clip `rel` (e.g. "no/en-m1_nohash_0.wav") in the project's dataset on the engine's disk, or null. */
function clipOnDisk(rel: string): string | null {
  const found = readdirSync(host.dataDir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(/[/\\]/).join('/'))
    .find((p) => p.endsWith(`/dataset/${rel}`));
  return found === undefined ? null : join(host.dataDir, found);
}

function sha256Of(rel: string): string {
  const path = clipOnDisk(rel);
  if (path === null) throw new Error(`${rel} is not in the dataset folder`);
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function count(page: Page, word: string, n: number): Promise<void> {
  const target = word === OTHER_SPEECH ? TARGET_OTHER_SPEECH_CLIPS : TARGET_CLIPS_PER_WORD;
  await page.locator(`button.card[data-word="${word}"] .count`).filter({ hasText: new RegExp(`^${n} / ${target} clips$`) }).waitFor();
}

/** The paths listed for the selected word, sorted. */
async function listed(page: Page): Promise<string[]> {
  return (await page.locator('tr[data-clip]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-clip') ?? ''))).sort();
}

async function choose(page: Page, word: string, heading = word): Promise<void> {
  await page.locator(`button.card[data-word="${word}"]`).click();
  await page.getByRole('heading', { name: `Clips of “${heading}”` }).waitFor();
}

/** Opens the row's relabel choice ("Relabel…"): the choice gets the focus. */
async function openRelabel(page: Page, path: string): Promise<Locator> {
  const row = page.locator(`tr[data-clip="${path}"]`);
  expect(await row.getByRole('combobox').count()).toBe(0); // only on demand
  await row.getByRole('button', { name: `Relabel ${path}…`, exact: true }).click();
  const choice = row.getByLabel(`New label for ${path}`);
  await expect.poll(() => choice.evaluate((el) => el === document.activeElement)).toBe(true);
  return choice;
}

async function relabel(page: Page, path: string, to: string): Promise<void> {
  const row = page.locator(`tr[data-clip="${path}"]`);
  await (await openRelabel(page, path)).selectOption(to);
  await row.getByRole('button', { name: 'Relabel', exact: true }).click();
  await row.waitFor({ state: 'detached' });
}

describe('relabel, delete and undo in the browser host', () => {
  it('moves clips between words, deletes one and undoes the delete', async () => {
    mkdirSync(folder, { recursive: true });
    writeSpeechFolder(folder, [
      ...['en+m1', 'en+f1', 'en+m3', 'en+f3'].map((voice) => ({ word: 'yes', voice })),
      { word: 'no', voice: 'en+m2' },
    ], scratch);

    const browser = await launchChromium({ wav: noise(scratch, 2, 'quiet', 0.001) });
    try {
      const tp = await openPage(browser, host.url);
      const { page } = tp;
      await page.locator('[data-engine="connected"]').waitFor({ timeout: 30_000 });
      expect(await importFolder(page, folder)).toBe('Imported 5 clip(s) and 0 background file(s); 0 refused.');
      await count(page, 'yes', 4);
      await count(page, 'no', 1);
      const m1 = `yes/${speakerOf('en+m1')}_nohash_0.wav`;
      const f1 = `yes/${speakerOf('en+f1')}_nohash_0.wav`;
      const m1Audio = sha256Of(m1);

      // The choice lists the other words and other speech; Escape closes it, focus back on its button.
      await choose(page, 'yes');
      const choice = await openRelabel(page, m1);
      const options = await choice.locator('option:not([disabled])').allTextContents();
      expect(options.map((o) => o.trim())).toEqual(['no', 'Other speech']);
      expect(await page.locator(`tr[data-clip="${m1}"]`).getByRole('button', { name: 'Relabel', exact: true }).isDisabled()).toBe(true);
      await screenshot(page, 'relabel-open');
      await page.keyboard.press('Escape');
      await choice.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Relabel ${m1}…`);

      // yes → no: the clip leaves "yes" and arrives under "no" with the same audio.
      await relabel(page, m1, 'no');
      await count(page, 'yes', 3);
      await count(page, 'no', 2);
      expect(await listed(page)).toEqual([f1, `yes/${speakerOf('en+m3')}_nohash_0.wav`, `yes/${speakerOf('en+f3')}_nohash_0.wav`].sort());
      const moved = `no/${speakerOf('en+m1')}_nohash_0.wav`;
      expect(clipOnDisk(m1)).toBeNull();
      expect(sha256Of(moved)).toBe(m1Audio);
      await choose(page, 'no');
      expect(await listed(page)).toEqual([moved, `no/${speakerOf('en+m2')}_nohash_0.wav`]);
      expect(await page.locator(`tr[data-clip="${moved}"] td`).nth(1).textContent()).toBe(speakerOf('en+m1'));

      // To a word just added, which has no clips yet.
      await addWord(page, 'maybe');
      await count(page, 'maybe', 0);
      await choose(page, 'yes');
      const f1Audio = sha256Of(f1);
      await relabel(page, f1, 'maybe');
      await count(page, 'yes', 2);
      await count(page, 'maybe', 1);
      await choose(page, 'maybe');
      const maybe = `maybe/${speakerOf('en+f1')}_nohash_0.wav`;
      expect(await listed(page)).toEqual([maybe]);
      expect(sha256Of(maybe)).toBe(f1Audio);

      // yes → other speech (by keyboard): listed under "Other speech", never as `_unknown_`.
      await choose(page, 'yes');
      const f3 = `yes/${speakerOf('en+f3')}_nohash_0.wav`;
      const f3Audio = sha256Of(f3);
      const toOther = await openRelabel(page, f3);
      await toOther.selectOption({ label: 'Other speech' });
      await page.keyboard.press('Tab'); // to the Relabel button
      await page.keyboard.press('Enter');
      await page.locator(`tr[data-clip="${f3}"]`).waitFor({ state: 'detached' });
      await count(page, 'yes', 1);
      await count(page, OTHER_SPEECH, 1);
      await choose(page, OTHER_SPEECH, 'Other speech');
      const other = `${OTHER_SPEECH}/${speakerOf('en+f3')}_nohash_0.wav`;
      expect(await listed(page)).toEqual([other]);
      expect(sha256Of(other)).toBe(f3Audio);

      // Delete the moved clip from "no", then undo.
      await choose(page, 'no');
      await page.getByRole('button', { name: `Delete ${moved}` }).click();
      await page.getByRole('status').filter({ hasText: `Deleted ${moved}.` }).waitFor();
      await count(page, 'no', 1);
      expect(await listed(page)).toEqual([`no/${speakerOf('en+m2')}_nohash_0.wav`]);
      expect(clipOnDisk(moved)).toBeNull();
      await screenshot(page, 'relabel-deleted');
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.getByRole('status').filter({ hasText: 'Deleted' }).waitFor({ state: 'detached' });
      await count(page, 'no', 2);
      expect(await listed(page)).toEqual([moved, `no/${speakerOf('en+m2')}_nohash_0.wav`]);
      expect(sha256Of(moved)).toBe(m1Audio);
      await screenshot(page, 'relabel-restored');

      expect(await page.getByRole('alert').count()).toBe(0);
      expect(tp.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
