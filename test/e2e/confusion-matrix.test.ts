// The confusion matrix of the Train screen's report (ReportView.vue) under the browser
// host: a cell plays the clips behind it. The data set is imported as a folder of
// espeak-ng clips (yes/no in nine training voices, one validation and two testing voices),
// with one mistake planted in the testing split: a "yes" filed under no/. A small GRU is
// trained from the Train screen (few epochs); the report must count that clip as said
// "no", heard "yes", and choosing that cell must name it and play exactly its audio (every
// buffer the page starts is recorded and matched sample for sample against the clips on
// the engine's disk). A cell on the diagonal and an empty cell say why nothing plays.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, openPage, screenshot } from './support/browser.js';
import { startHost, type Host } from './support/host.js';
import { noise, tempDir } from './support/speech.js';
import { importFolder, speakerOf, writeSpeechFolder, type FolderClip } from './support/folders.js';
import { decodeWav } from '../../core/audio/wav.js';
import { whichSet } from '../../app/node/dataset/split.js';

const TRAINING = ['en+m1', 'en+m2', 'en+m5', 'en+m6', 'en+m7', 'en+f1', 'en+f3', 'en+f4', 'en+f5'];
const VALIDATION = ['en+m3'];
const TESTING = ['en+m4', 'en+f2'];
/** The planted mistake: en+f2 says "yes", filed under no/ (its second clip there). */
const PLANTED = `no/${speakerOf('en+f2')}_nohash_1.wav`;

const scratch = tempDir();
const folder = join(tempDir('hark-e2e-confusion-'), 'yes-no');
let host: Host;

beforeAll(async () => { host = await startHost(); });
afterAll(async () => { await host?.stop(); });

interface Played { length: number; sampleRate: number; sum: number; sumSquares: number }

/** In the page: record every AudioBuffer that starts playing (its length, rate and a checksum). */
function recordPlayback(): void {
  const played: Played[] = [];
  (window as unknown as { __played: Played[] }).__played = played;
  const start = AudioBufferSourceNode.prototype.start;
  AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, ...args: Parameters<AudioBufferSourceNode['start']>) {
    const buffer = this.buffer;
    if (buffer) {
      const data = buffer.getChannelData(0);
      let sum = 0, sumSquares = 0;
      for (const x of data) { sum += x; sumSquares += x * x; }
      played.push({ length: buffer.length, sampleRate: buffer.sampleRate, sum, sumSquares });
    }
    return start.apply(this, args);
  };
}

const playedSoFar = (page: Page): Promise<Played[]> => page.evaluate(() => (window as unknown as { __played: Played[] }).__played.slice());

/** The clip `rel` as stored by the engine, summarised as the page summarises what it plays. */
function storedClip(rel: string): Played {
  const found = readdirSync(host.dataDir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(/[/\\]/).join('/'))
    .find((p) => p.endsWith(`/dataset/${rel}`));
  if (found === undefined) throw new Error(`${rel} is not in the dataset folder`);
  const { samples, sampleRate } = decodeWav(new Uint8Array(readFileSync(join(host.dataDir, found))));
  let sum = 0, sumSquares = 0;
  for (const x of samples) { sum += x; sumSquares += x * x; }
  return { length: samples.length, sampleRate, sum, sumSquares };
}

function expectSameAudio(played: Played, stored: Played): void {
  expect(played.length).toBe(stored.length);
  expect(played.sampleRate).toBe(stored.sampleRate);
  expect(played.sum).toBeCloseTo(stored.sum, 3);
  expect(played.sumSquares).toBeCloseTo(stored.sumSquares, 3);
}

describe('confusion matrix in the browser host', () => {
  it('has training, validation and testing speakers', () => {
    const split = (voices: string[]) => new Set(voices.map((v) => whichSet(`${speakerOf(v)}_nohash_0.wav`)));
    expect(split(TRAINING)).toEqual(new Set(['training']));
    expect(split(VALIDATION)).toEqual(new Set(['validation']));
    expect(split(TESTING)).toEqual(new Set(['testing']));
  });

  it('plays the clips behind a cell of the confusion matrix', async () => {
    const clips: FolderClip[] = [];
    for (const voice of [...TRAINING, ...VALIDATION, ...TESTING]) for (const word of ['yes', 'no']) clips.push({ word, voice });
    clips.push({ word: 'no', voice: 'en+f2', say: 'yes' });
    expect(writeSpeechFolder(folder, clips, scratch).at(-1)).toBe(PLANTED);

    const browser = await launchChromium({ wav: noise(scratch, 2, 'quiet', 0.001) });
    try {
      const tp = await openPage(browser, host.url, recordPlayback);
      const { page } = tp;
      await page.locator('[data-engine="connected"]').waitFor({ timeout: 30_000 });
      expect(await importFolder(page, folder)).toBe(`Imported ${clips.length} clip(s) and 0 background file(s); 0 refused.`);

      await page.getByRole('tab', { name: 'Train' }).click();
      await page.getByLabel(/^GRU/).check();
      await page.getByLabel('Size (units)').selectOption('32');
      await page.getByLabel('Epochs').fill('60');
      await page.locator('[data-action="train"]').click();
      const state = page.locator('[data-training-state]');
      await state.waitFor({ timeout: 600_000 });
      expect(await state.getAttribute('data-training-state'), await page.locator('main').innerText()).toBe('done');

      // The report is on the testing split, two voices it never heard: the planted clip said "no", heard "yes".
      await page.locator('[data-measured-on]').filter({ hasText: /^Measured on \d+ clips of 2 speakers it never heard\.$/ }).waitFor();
      const saidNoHeardYes = page.getByRole('button', { name: /^said no, heard yes: \d+ clips$/ });
      const inCell = Number(await saidNoHeardYes.textContent());
      expect(inCell, await page.locator('.matrix').innerText()).toBeGreaterThanOrEqual(1);
      await screenshot(page, 'confusion-matrix');

      // That cell names the clip while it plays it, then clears.
      const before = (await playedSoFar(page)).length;
      await saidNoHeardYes.click();
      const status = page.getByRole('status').filter({ hasText: /^Playing / });
      // Named by speaker and number, not by its path in the dataset.
      await status.filter({ hasText: new RegExp(`^Playing 1 of ${inCell}: clip \\d+ by \\S+ \\(said “no”, heard “yes”\\)$`) }).waitFor();
      await status.waitFor({ state: 'detached', timeout: 60_000 });

      // It played one buffer per clip of the cell, each exactly a clip filed under no/ in
      // the testing split, the planted clip among them.
      const played = (await playedSoFar(page)).slice(before);
      expect(played).toHaveLength(inCell);
      const noClips = [...TESTING.map((v) => `no/${speakerOf(v)}_nohash_0.wav`), PLANTED];
      const matched = played.map((p) => noClips.find((rel) => {
        const s = storedClip(rel);
        return s.length === p.length && Math.abs(s.sum - p.sum) < 1e-3 && Math.abs(s.sumSquares - p.sumSquares) < 1e-3;
      }));
      expect(matched.every((m) => m !== undefined), JSON.stringify(played)).toBe(true);
      expect(matched).toContain(PLANTED);
      expectSameAudio(played[matched.indexOf(PLANTED)], storedClip(PLANTED));

      // A diagonal cell is counted, not listed; an empty off-diagonal cell has nothing to play.
      await page.getByRole('button', { name: /^said yes, heard yes: \d+ clips$/ }).click();
      await page.getByRole('status').filter({ hasText: 'Correct answers are counted, not listed.' }).waitFor();
      // (A word's Background column nearly always has one. The Background row itself has no
      // test clips at all, and says so instead of a row of zeros.)
      await page.locator('[data-empty-row="_background_"]').filter({ hasText: 'no test clips' }).waitFor();
      const empty = page.getByRole('button', { name: /^said (\S+), heard (?!\1:)\S+: 0 clips$/ }).first();
      expect(await empty.textContent()).toBe('0');
      await empty.click();
      await page.getByRole('status').filter({ hasText: 'No clips to play.' }).waitFor();
      expect((await playedSoFar(page)).length).toBe(before + inCell);

      // What the cell is for: the planted clip is fixed on the Record screen (relabelled to
      // "yes"). The report still lists it under its old name; choosing the cell again must
      // say so, not fail silently or leave "Playing…" on the screen.
      await page.getByRole('tab', { name: 'Record' }).click();
      await page.locator('button.card[data-word="no"]').click();
      const row = page.locator(`tr[data-clip="${PLANTED}"]`);
      await row.getByRole('button', { name: `Relabel ${PLANTED}…`, exact: true }).click();
      await row.getByLabel(`New label for ${PLANTED}`).selectOption('yes');
      await row.getByRole('button', { name: 'Relabel', exact: true }).click();
      await row.waitFor({ state: 'detached' });
      await page.getByRole('tab', { name: 'Train' }).click();
      await saidNoHeardYes.click();
      await page.getByRole('status').filter({ hasText: 'Cannot play clip 1 by en-f2: it is not in the dataset any more (relabelled or deleted since this report was made).' }).waitFor();
      expect(await status.count()).toBe(0);
      expect((await playedSoFar(page)).length).toBe(before + inCell);
      await screenshot(page, 'confusion-matrix-stale');

      expect(tp.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 600_000);
});
