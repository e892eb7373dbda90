// The microphone path in real Chromium, fed by espeak-ng speech as the fake microphone:
// the MFCC frames the renderer computes (AudioWorklet → core Resampler → core
// FeatureStream, in the page) equal what the engine computes in Node with
// extractFeatures on the same 16 kHz samples, which the page sends back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { extractFeatures } from '../../core/features/mfcc.js';
import { DEFAULT_FEATURE_CONFIG, featureCount } from '../../core/features/config.js';
import { findSpeech } from '../../core/audio/endpoint.js';
import { launchChromium, openPage, type TestPage } from './support/browser.js';
import { buildHarness } from './support/harness.js';
import { serveStatic, type StaticServer } from './support/server.js';
import { tempDir, wordSequence } from './support/speech.js';

interface CaptureResult { deviceRate: number | null; resamplerWasm: boolean; samples16k: number[]; frames: number[]; error: string | null }
type Harness = { capture(samples: number): Promise<CaptureResult> };

describe('microphone capture in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let tp: TestPage;

  beforeAll(async () => {
    const wav = wordSequence(tempDir(), 'yes-no', ['yes', 'no', 'yes']);
    server = await serveStatic(await buildHarness('capture'));
    browser = await launchChromium({ wav });
    tp = await openPage(browser, server.url);
    await tp.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('computes the same MFCC frames as the engine does in Node (to 1e-4)', async () => {
    const result = await tp.page.evaluate((n) => (globalThis as unknown as { harness: Harness }).harness.capture(n), 4 * 16000);
    expect(result.error).toBeNull();
    // Chromium's fake device runs at 44.1 kHz: core's resampler, not Chromium, made the 16 kHz.
    expect(result.deviceRate).toBe(44100);
    expect(result.resamplerWasm).toBe(true); // the page's CSP lets core's resampler compile its kernel
    const samples = Float32Array.from(result.samples16k);
    expect(samples.length).toBeGreaterThanOrEqual(4 * 16000);
    // It is the spoken file, not silence: the endpointer finds speech in it.
    expect(findSpeech(samples, 16000)).not.toBeNull();

    const F = featureCount(DEFAULT_FEATURE_CONFIG);
    const reference = extractFeatures(samples, DEFAULT_FEATURE_CONFIG);
    const frames = Float32Array.from(result.frames);
    expect(frames.length).toBe(reference.length);
    expect(frames.length / F).toBeGreaterThan(390);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(frames[i] - reference[i]));
    expect(worst).toBeLessThanOrEqual(1e-4);
    expect(tp.errors).toEqual([]);
  });
});
