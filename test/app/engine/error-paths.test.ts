// Errors the engine sends to the page name paths relative to the project, never the
// absolute data folder of this machine: in a call's answer and in an event alike.
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectDir } from '../../../app/engine/projects.js';
import type { EngineEvent } from '../../../app/shared/protocol.js';
import { inProcessEngine } from './engine-harness.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const connected = () => inProcessEngine(cleanup, 'electron');

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the call succeeded');
}

describe('engine errors sent to the page', () => {
  it('name a clip relative to the dataset, in an answer and in a protocol.error event', async () => {
    const { dataDir, client } = await connected();
    await client.call('project.open', { name: 'words', create: true });
    const clip = await client.call('dataset.addClip', { label: 'yes', speaker: 'me', samples: new Float32Array(1600).fill(0.1) });
    // The file goes missing behind the store's back.
    await rm(join(projectDir(dataDir, 'words'), 'dataset', clip.path));

    const err = await rejection(client.call('dataset.readClip', { path: clip.path }));
    expect(err.message).toContain(clip.path);
    expect(err.message).not.toContain(dataDir);
    expect(err.message).not.toContain(tmpdir());

    const events: EngineEvent[] = [];
    client.onAny((e) => events.push(e));
    client.send('dataset.readClip', { path: clip.path });
    await expect.poll(() => events.length).toBeGreaterThan(0);
    const [event] = events;
    expect(event.type).toBe('protocol.error');
    const message = (event as Extract<EngineEvent, { type: 'protocol.error' }>).error.message;
    expect(message).toContain(clip.path);
    expect(message).not.toContain(dataDir);
  });

  it('relativePaths: nearest root first, roots named, other text untouched', async () => {
    const { dataDir, service, client } = await connected();
    await client.call('project.open', { name: 'words', create: true });
    const project = projectDir(dataDir, 'words');
    expect(service.relativePaths(`open '${join(project, 'dataset', 'yes', 'a_nohash_0.wav')}'`)).toBe(`open '${join('yes', 'a_nohash_0.wav')}'`);
    expect(service.relativePaths(`cannot read ${join(project, 'models', 'm-1', 'model.hark')}: gone`)).toBe(`cannot read ${join('models', 'm-1', 'model.hark')}: gone`);
    expect(service.relativePaths(`${join(project, 'dataset')} is locked`)).toBe('the dataset is locked');
    expect(service.relativePaths(`cannot open ${project}.`)).toBe('cannot open the project words.');
    expect(service.relativePaths(`${join(project, 'stray.txt')} and ${dataDir}`)).toBe('stray.txt and the data folder');
    expect(service.relativePaths(`${dataDir}2/elsewhere stays`)).toBe(`${dataDir}2/elsewhere stays`);
    expect(service.relativePaths('no paths here: 42 clips')).toBe('no paths here: 42 clips');
  });
});
