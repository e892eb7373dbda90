// The clip list's thumbnail loader (renderer/src/components/record/envelope-loader.ts):
// rows that ask at one moment share one call, each clip is fetched once (by its bytes'
// sha256), batches stay within the protocol's limit, and a failed call can be asked again.
import { describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_CLIPS, type ClipEnvelope } from '../../app/shared/protocol.js';
import { createEnvelopeLoader } from '../../renderer/src/components/record/envelope-loader.js';

const clip = (i: number, sha = `sha-${i}`) => ({ path: `yes/me_nohash_${i}.wav`, sha256: sha });
const peaksOf = (path: string) => Float32Array.from([-Number(/_(\d+)\.wav$/.exec(path)?.[1]), 1]);

function setup(fail = () => false) {
  const calls: string[][] = [];
  const tasks: Array<() => void> = [];
  const loader = createEnvelopeLoader(async (paths) => {
    calls.push(paths);
    if (fail()) throw new Error('engine gone');
    // The engine leaves out a clip it cannot read (here: number 13).
    return paths.filter((p) => !p.includes('_13.')).map((path): ClipEnvelope => ({ path, peaks: peaksOf(path) }));
  }, (run) => tasks.push(run));
  const settle = async () => {
    for (const t of tasks.splice(0)) t();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { loader, calls, settle };
}

describe('createEnvelopeLoader', () => {
  it('one call for the rows that ask together, each clip once', async () => {
    const { loader, calls, settle } = setup();
    loader.request(clip(1));
    loader.request(clip(2));
    loader.request(clip(1));
    expect(calls).toEqual([]); // nothing until the scheduled flush
    await settle();
    expect(calls).toEqual([['yes/me_nohash_1.wav', 'yes/me_nohash_2.wav']]);
    expect([...loader.get('sha-2')!]).toEqual([-2, 1]);
    // Asked again (scrolled back into view), or under a new path with the same bytes (relabelled): no call.
    loader.request(clip(2));
    loader.request({ path: 'no/me_nohash_0.wav', sha256: 'sha-1' });
    await settle();
    expect(calls).toHaveLength(1);
  });

  it(`splits a long list into calls of at most ${MAX_ENVELOPE_CLIPS}`, async () => {
    const { loader, calls, settle } = setup();
    for (let i = 0; i < MAX_ENVELOPE_CLIPS + 5; i++) loader.request(clip(i));
    await settle();
    expect(calls.map((c) => c.length)).toEqual([MAX_ENVELOPE_CLIPS, 5]);
    expect(loader.get(`sha-${MAX_ENVELOPE_CLIPS + 4}`)).not.toBeNull();
  });

  it('a clip the engine left out is not asked for again; clips of a failed call are', async () => {
    let failing = false;
    const { loader, calls, settle } = setup(() => failing);
    loader.request(clip(13));
    await settle();
    expect(loader.get('sha-13')).toBeNull();
    loader.request(clip(13));
    await settle();
    expect(calls).toHaveLength(1);

    failing = true;
    loader.request(clip(5));
    await settle();
    expect(loader.get('sha-5')).toBeNull();
    failing = false;
    loader.request(clip(5));
    await settle();
    expect(calls).toHaveLength(3);
    expect(loader.get('sha-5')).not.toBeNull();
  });
});
