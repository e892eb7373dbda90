// Killing the engine mid-training (SIGKILL, as a crash would) leaves the dataset intact,
// the host starts a new engine and tells the UI, in-flight calls fail with a typed error,
// and restarts are bounded.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RestartPolicy } from '../../../app/node/engine-lifecycle.js';
import { engineScratch } from './engine-harness.js';
import { addToneWords, waitForEvent } from './tone-words.js';

const scratch = engineScratch();

async function checksums(dataDir: string, paths: string[]): Promise<string[]> {
  const root = join(dataDir, 'projects', 'p', 'dataset');
  return Promise.all(paths.map(async (p) => createHash('sha256').update(await readFile(join(root, p))).digest('hex')));
}

describe('engine crash', () => {
  it('keeps the dataset intact when the engine dies mid-training, and a new engine takes over', async () => {
    const { client, supervisor, dataDir } = await scratch.start();
    await client.call('project.open', { name: 'p', create: true });
    await addToneWords(client, 6);
    const before = await client.call('dataset.clips');
    expect(await checksums(dataDir, before.map((c) => c.path))).toEqual(before.map((c) => c.sha256));

    const training = waitForEvent(client, 'training.progress', (e) => e.event.type === 'step');
    await client.call('training.start', { recipe: { cell: 'lstm', hiddenSize: 32, epochs: 400, seed: 2 } });
    await training;

    const oldPid = supervisor.pid;
    const restarted = waitForEvent(client, 'host.engine-restarted');
    const inFlight = client.call('training.list').then(
      () => 'answered',
      (err: { code: string }) => err.code,
    );
    supervisor.kill('SIGKILL');
    expect(await restarted).toMatchObject({ type: 'host.engine-restarted', restarts: 1, gaveUp: false, reason: 'killed by SIGKILL' });
    // Either the old engine answered before it died or the call failed with a typed error.
    expect(['answered', 'engine-crashed']).toContain(await inFlight);

    const info = await client.call('engine.info');
    expect(info.pid).not.toBe(oldPid);
    const reopened = await client.call('project.open', { name: 'p' });
    expect(reopened.clips).toEqual(before);
    expect(reopened.recovery.map((r) => r.code)).toContain('stale-lock');
    expect(await checksums(dataDir, before.map((c) => c.path))).toEqual(before.map((c) => c.sha256));
    expect(await client.call('models.list')).toEqual([]);
    expect(await client.call('training.list')).toEqual([]);
  });

  it('gives up after too many crashes in the window and says so', async () => {
    const { client, supervisor } = await scratch.start({ policy: new RestartPolicy({ maxRestarts: 1, windowMs: 60_000 }) });
    const first = waitForEvent(client, 'host.engine-restarted');
    supervisor.kill();
    expect(await first).toMatchObject({ restarts: 1, gaveUp: false });
    await client.call('engine.info');

    const second = waitForEvent(client, 'host.engine-restarted');
    supervisor.kill();
    expect(await second).toMatchObject({ restarts: 2, gaveUp: true });
    await expect(client.call('engine.info')).rejects.toMatchObject({ code: 'engine-unavailable' });
  });
});
