// Shared by the engine integration tests: a real engine in a real child process (the
// TypeScript source through tsx, so the tests do not depend on a build), a client over
// the supervisor's channel, and temp data folders removed after each test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { afterEach } from 'vitest';
import { EngineSupervisor } from '../../../app/host/engine-supervisor.js';
import { RestartPolicy } from '../../../app/node/engine-lifecycle.js';
import { createEngineClient, type EngineClient } from '../../../app/shared/client.js';
import type { MessageChannelLike } from '../../../app/shared/channel.js';
import { EngineService } from '../../../app/engine/service.js';

export const ENGINE_SOURCE = join(import.meta.dirname, '../../../app/engine/main.ts');

export interface RunningEngine {
  dataDir: string;
  supervisor: EngineSupervisor;
  client: EngineClient;
}

export function engineScratch(): { start(options?: { dataDir?: string; policy?: RestartPolicy }): Promise<RunningEngine>; tempDir(): Promise<string> } {
  const dirs: string[] = [];
  const running: RunningEngine[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) {
      r.client.close();
      await r.supervisor.stop();
    }
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'hark-engine-'));
    dirs.push(d);
    return d;
  };
  return {
    tempDir,
    async start(options = {}) {
      const dataDir = options.dataDir ?? (await tempDir());
      const supervisor = new EngineSupervisor({
        enginePath: ENGINE_SOURCE,
        execArgv: ['--import', 'tsx'],
        dataDir,
        version: '0.0.0-test',
        policy: options.policy,
      });
      await supervisor.start();
      const client = createEngineClient(supervisor.channel, { timeoutMs: 120_000 });
      const engine = { dataDir, supervisor, client };
      running.push(engine);
      return engine;
    },
  };
}

/** A deterministic tone-like clip (no randomness needed for store tests). */
export function tone(seconds: number, frequency: number, amplitude = 0.3): Float32Array {
  const n = Math.round(seconds * 16000);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / 16000);
  return out;
}

/**
 * An EngineService in this process, with a client over a MessageChannel and a fresh data
 * folder; `cleanup` gets what closes it all (call it after the test).
 */
export async function inProcessEngine(cleanup: Array<() => Promise<void> | void>, host: 'electron' | 'node' = 'node'): Promise<{ dataDir: string; service: EngineService; client: EngineClient }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hark-engine-'));
  const service = new EngineService({ dataDir, host, version: '0.0.0-test' });
  const { port1, port2 } = new MessageChannel();
  service.connect(port2 as unknown as MessageChannelLike);
  const client = createEngineClient(port1 as unknown as MessageChannelLike, { timeoutMs: 30_000 });
  cleanup.push(async () => {
    client.close();
    await service.shutdown();
    port1.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { dataDir, service, client };
}
