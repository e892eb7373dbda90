// Folder import on the Record screen under the browser host (app/host/serve.ts, what
// `npm run serve` runs). In a browser the folder is chosen with the page's folder picker
// (<input type=file webkitdirectory>; Electron's dialog grant is not offered there), and
// the files travel to the engine as bytes. A Speech Commands-layout folder of espeak-ng
// clips — two words, a room-noise recording under _background_noise_, a malformed .wav and
// a text file — must land as clips under the right words with the right counts, speakers
// and file names, the noise as a background recording in the project, the malformed file
// listed with the decoder's own reason, and the text file ignored.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, screenshot } from './support/browser.js';
import { startHost, type Host } from './support/host.js';
import { noise, tempDir } from './support/speech.js';
import { importFolder, malformedWav, speakerOf, writeBackground, writeMalformedWav, writeSpeechFolder } from './support/folders.js';
import { decodeWav } from '../../core/audio/wav.js';

const scratch = tempDir();
const folder = join(tempDir('hark-e2e-import-'), 'my-words');
let host: Host;

beforeAll(async () => { host = await startHost(); });
afterAll(async () => { await host?.stop(); });

/** The decoder's own refusal of the malformed file: what the app must show. */
function decoderReason(): string {
  try {
    decodeWav(malformedWav());
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the malformed WAV decoded: the test file is not malformed');
}

describe('folder import in the browser host', () => {
  it('imports a Speech Commands folder: clips under their words, background noise, refusals listed', async () => {
    mkdirSync(folder, { recursive: true });
    const voices = { yes: ['en+m1', 'en+f1', 'en+m3'], no: ['en+m2', 'en+f3'] };
    for (const [word, vs] of Object.entries(voices)) writeSpeechFolder(folder, vs.map((voice) => ({ word, voice })), scratch);
    writeBackground(folder, scratch, 'kitchen');
    writeMalformedWav(folder, 'no/broken.wav');
    writeFileSync(join(folder, 'README.txt'), 'not audio\n');

    const browser = await launchChromium({ wav: noise(scratch, 2, 'quiet', 0.001) });
    try {
      const tp = await openPage(browser, host.url);
      const { page } = tp;
      await page.locator('[data-engine="connected"]').waitFor({ timeout: 30_000 });

      const summary = await importFolder(page, folder);
      expect(summary).toBe('Imported 5 clip(s) and 1 background file(s); 1 refused.');

      // The malformed file is listed, with its folder, and the reason the decoder gives;
      // nothing else is (the text file is not even sent).
      const panel = page.getByRole('region', { name: 'Import a folder' });
      expect((await panel.getByRole('listitem').allTextContents()).map((t) => t.trim())).toEqual([`no/broken.wav: ${decoderReason()}`]);

      // One card per word, with its count, and the card for other speech that every dataset has.
      const cards = page.getByRole('list', { name: 'Words' }).getByRole('button');
      expect(await cards.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-word')))).toEqual(['no', 'yes', '_unknown_']);
      await page.locator('button.card[data-word="_unknown_"] .word').filter({ hasText: /^Other speech$/ }).waitFor();
      await page.locator('button.card[data-word="yes"] .count').filter({ hasText: /^3 \/ 20 clips$/ }).waitFor();
      await page.locator('button.card[data-word="no"] .count').filter({ hasText: /^2 \/ 20 clips$/ }).waitFor();

      // Each word's clips, under their own names, with the speaker taken from the file name.
      for (const [word, vs] of Object.entries(voices)) {
        await page.locator(`button.card[data-word="${word}"]`).click();
        await page.getByRole('heading', { name: `Clips of “${word}”` }).waitFor();
        const rows = page.locator('tr[data-clip]');
        await expect.poll(() => rows.count()).toBe(vs.length);
        const listed = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-clip'), tr.querySelectorAll('td')[1]?.textContent]));
        expect(listed.sort()).toEqual(vs.map((v) => [`${word}/${speakerOf(v)}_nohash_0.wav`, speakerOf(v)]).sort());
        if (word === 'yes') await screenshot(page, 'import-folder');
      }

      // The room noise became a background recording of the project (on the engine's disk).
      const background = readdirSync(host.dataDir, { recursive: true, encoding: 'utf8' })
        .filter((p) => p.split(/[/\\]/).slice(-2, -1)[0] === '_background_noise_');
      expect(background.map((p) => p.split(/[/\\]/).pop())).toEqual(['kitchen.wav']);

      expect(tp.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
