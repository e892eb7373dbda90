// Each microphone failure shows its message in the app (the built renderer, no engine
// needed to open the microphone). How each case is produced:
//   denied     — real: Chromium with a fake device but without --use-fake-ui-for-media-stream
//                denies the permission prompt (NotAllowedError).
//   no device  — real: Chromium without a fake device on a machine with no microphone
//                (NotFoundError).
//   busy       — simulated: an init script makes getUserMedia reject with a DOMException
//                named NotReadableError, what Chromium gives when the device is in use.
//   unplugged  — simulated on the real fake-device track: dispatching 'ended' on it mid-
//                recording, which is what the browser fires when the device goes away.
//                The take in progress must be discarded, not processed or saved.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { MIC_MESSAGES } from '../../renderer/src/audio/mic-errors.js';
import { launchChromium, openPage, screenshot } from './support/browser.js';
import { addWord, requireBuiltRenderer } from './support/app.js';
import { serveStatic, type StaticServer } from './support/server.js';
import { tempDir, wordSequence } from './support/speech.js';

let server: StaticServer;
let wav: string;
const browsers: Browser[] = [];

beforeAll(async () => {
  server = await serveStatic(requireBuiltRenderer());
  wav = wordSequence(tempDir(), 'yes', ['yes']);
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await server?.close();
});

async function appWith(options: Parameters<typeof launchChromium>[0], init?: () => void) {
  const browser = await launchChromium(options);
  browsers.push(browser);
  const tp = await openPage(browser, server.url, init);
  await tp.page.locator('[data-engine="absent"]').waitFor();
  await addWord(tp.page, 'yes');
  return tp;
}

describe('microphone failures in the app', () => {
  it('permission denied', async () => {
    const { page, errors } = await appWith({ wav, autoAllow: false });
    await page.locator('[data-action="record"]').click();
    const alert = page.locator('[data-mic-error]');
    await alert.waitFor();
    expect(await alert.getAttribute('data-mic-error')).toBe('denied');
    expect(await alert.textContent()).toContain(MIC_MESSAGES.denied);
    await screenshot(page, 'mic-denied');
    expect(errors).toEqual([]);
  });

  it('no microphone', async () => {
    const { page, errors } = await appWith({ wav: null });
    await page.locator('[data-action="record"]').click();
    const alert = page.locator('[data-mic-error]');
    await alert.waitFor();
    expect(await alert.getAttribute('data-mic-error')).toBe('no-device');
    expect(await alert.textContent()).toContain(MIC_MESSAGES['no-device']);
    await screenshot(page, 'mic-no-device');
    expect(errors).toEqual([]);
  });

  it('device busy (simulated NotReadableError)', async () => {
    const { page, errors } = await appWith({ wav }, () => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Could not start audio source', 'NotReadableError'));
    });
    await page.locator('[data-action="record"]').click();
    const alert = page.locator('[data-mic-error]');
    await alert.waitFor();
    expect(await alert.getAttribute('data-mic-error')).toBe('busy');
    expect(await alert.textContent()).toContain(MIC_MESSAGES.busy);
    expect(errors).toEqual([]);
  });

  it('unplugged mid-recording: message shown, the take discarded', async () => {
    const { page, errors } = await appWith({ wav }, () => {
      const w = globalThis as unknown as { __tracks: MediaStreamTrack[] };
      w.__tracks = [];
      const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        const s = await gum(c);
        w.__tracks.push(...s.getAudioTracks());
        return s;
      };
    });
    const record = page.locator('[data-action="record"]');
    await record.click();
    await page.getByText(/Recording… (0\.[5-9]|[1-9])/).waitFor(); // half a second of real audio captured
    expect(await record.getAttribute('aria-pressed')).toBe('true');
    await page.evaluate(() => {
      for (const t of (globalThis as unknown as { __tracks: MediaStreamTrack[] }).__tracks) t.dispatchEvent(new Event('ended'));
    });
    const alert = page.locator('[data-mic-error]');
    await alert.waitFor();
    expect(await alert.getAttribute('data-mic-error')).toBe('unplugged');
    expect(await alert.textContent()).toContain(MIC_MESSAGES.unplugged);
    expect(await record.getAttribute('aria-pressed')).toBe('false');
    // Discarded: not cut into clips ("Saved …", "No word heard …") nor offered for saving
    // ("Not saved: there is no engine …" is what a processed take says without an engine).
    expect(await page.locator('[data-record-result]').count()).toBe(0);
    expect(await page.locator('.recorder .note').count()).toBe(0);
    // The real track was stopped by the app.
    expect(await page.evaluate(() => (globalThis as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState))).toEqual(['ended']);
    await screenshot(page, 'mic-unplugged');
    expect(errors).toEqual([]);
  });
});
