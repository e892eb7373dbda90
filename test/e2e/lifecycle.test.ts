// 200 start/stop cycles of the microphone composable (each waits for real audio, then
// disposes the effect scope as an unmounting component would) leave no AudioContext open,
// no live track, and no growing heap. An init script counts AudioContexts created and
// closed and keeps weak references to every context and track.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, CDPSession } from 'playwright-core';
import { launchChromium, openPage, type TestPage } from './support/browser.js';
import { buildHarness } from './support/harness.js';
import { serveStatic, type StaticServer } from './support/server.js';
import { noise, tempDir } from './support/speech.js';

type Harness = { cycles(n: number): Promise<{ completed: number; errors: string[] }> };
interface Census { created: number; closed: number; notClosed: number; liveTracks: number }

/** Init script: counts AudioContexts and tracks (runs in the page before any app code). */
function instrument(): void {
  const w = globalThis as unknown as Record<string, unknown> & typeof globalThis;
  const contexts: WeakRef<AudioContext>[] = [];
  const tracks: WeakRef<MediaStreamTrack>[] = [];
  const counts = { created: 0, closed: 0 };
  const Original = w.AudioContext;
  class CountingAudioContext extends Original {
    constructor(options?: AudioContextOptions) {
      super(options);
      counts.created++;
      contexts.push(new WeakRef(this));
    }
    override close(): Promise<void> {
      return super.close().then(() => { counts.closed++; });
    }
  }
  w.AudioContext = CountingAudioContext;
  const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => {
    const stream = await gum(c);
    for (const t of stream.getTracks()) tracks.push(new WeakRef(t));
    return stream;
  };
  w.__census = (): Census => ({
    ...counts,
    notClosed: contexts.filter((r) => { const c = r.deref(); return c !== undefined && c.state !== 'closed'; }).length,
    liveTracks: tracks.filter((r) => r.deref()?.readyState === 'live').length,
  });
}

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

describe('microphone lifecycle in Chromium', () => {
  let server: StaticServer;
  let browser: Browser;
  let tp: TestPage;

  beforeAll(async () => {
    server = await serveStatic(await buildHarness('lifecycle'));
    browser = await launchChromium({ wav: noise(tempDir(), 3) });
    tp = await openPage(browser, server.url, instrument);
    await tp.page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('200 start/stop cycles leave no open AudioContext, no live track and no growing heap', async () => {
    const cdp = await tp.context.newCDPSession(tp.page);
    await cdp.send('HeapProfiler.enable');
    const run = (n: number) => tp.page.evaluate((k) => (globalThis as unknown as { harness: Harness }).harness.cycles(k), n);
    const census = () => tp.page.evaluate(() => (globalThis as unknown as { __census(): Census }).__census());

    // Warm-up: first-use allocations (the resampler's filter bank, Meyda's tables, code).
    expect(await run(20)).toEqual({ completed: 20, errors: [] });
    const before = await heapAfterGc(cdp);

    expect(await run(200)).toEqual({ completed: 200, errors: [] });
    // close() resolves asynchronously; wait for the last one.
    await tp.page.waitForFunction(() => {
      const c = (globalThis as unknown as { __census(): Census }).__census();
      return c.closed === c.created;
    });
    const after = await heapAfterGc(cdp);
    const c = await census();
    expect(c.created).toBe(220);
    expect(c.closed).toBe(220);
    expect(c.notClosed).toBe(0);
    expect(c.liveTracks).toBe(0);
    // 200 sessions' worth of buffers would be megabytes (each holds a 4096-sample stream
    // buffer, resampler state and a worklet port); allow 1 MB of noise for the whole run.
    console.log(`heap after GC: ${(before / 1e6).toFixed(2)} MB → ${(after / 1e6).toFixed(2)} MB`);
    expect(after - before).toBeLessThan(1_000_000);
    expect(tp.errors).toEqual([]);
  });
});
