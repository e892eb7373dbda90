// The bundle `npm run serve` and Electron start (out/main/engine.js, built by electron-vite;
// npm test builds first) runs under plain Node and serves a project.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineSupervisor } from '../../../app/host/engine-supervisor.js';
import { createEngineClient } from '../../../app/shared/client.js';

const built = join(import.meta.dirname, '../../../out/main/engine.js');

describe('built engine bundle', () => {
  it('starts under Node from out/main/engine.js and answers', async () => {
    expect(existsSync(built), `${built} missing: run npm run build`).toBe(true);
    const dataDir = await mkdtemp(join(tmpdir(), 'hark-built-'));
    const supervisor = new EngineSupervisor({ enginePath: built, dataDir, version: '9.9.9' });
    try {
      await supervisor.start();
      const client = createEngineClient(supervisor.channel);
      expect(await client.call('engine.info')).toMatchObject({ host: 'node', version: '9.9.9' });
      await client.call('project.open', { name: 'built', create: true });
      const clip = await client.call('dataset.addClip', { label: 'yes', speaker: 'a', samples: new Float32Array(1600).fill(0.1) });
      expect(clip.path).toBe('yes/a_nohash_0.wav');
      client.close();
    } finally {
      await supervisor.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
