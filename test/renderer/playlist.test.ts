// createPlaylist: clips in order; a second list started while the first plays ends the
// first (its clip stopped, none of its later clips played); a load error ends the list
// with that path; stop() ends it too.
import { describe, expect, it } from 'vitest';
import { createPlaylist } from '../../renderer/src/audio/playlist.js';

/** Fake audio: play() resolves when stop() is called or finish() ends the current clip. */
function fakeAudio(failOn: string | null = null) {
  const log: string[] = [];
  let end: (() => void) | null = null;
  const deps = {
    load: async (path: string) => {
      await Promise.resolve();
      if (path === failOn) throw new Error(`no such clip: ${path}`);
      return path;
    },
    play: (clip: string) => new Promise<void>((resolve) => { log.push(`play ${clip}`); end = resolve; }),
    stop: () => { if (end) { log.push('stop'); end(); end = null; } },
  };
  const finish = async (): Promise<void> => { const e = end; end = null; e?.(); for (let i = 0; i < 5; i++) await Promise.resolve(); };
  return { deps, log, finish, tick: async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); } };
}

describe('createPlaylist', () => {
  it('plays every clip in order', async () => {
    const audio = fakeAudio();
    const list = createPlaylist(audio.deps);
    const result = list.play(['a', 'b', 'c']);
    await audio.tick(); await audio.finish(); await audio.finish(); await audio.finish();
    expect(await result).toEqual({ kind: 'done' });
    expect(audio.log).toEqual(['play a', 'play b', 'play c']);
  });

  it('ends the first list when a second starts: its clip stops and its later clips never play', async () => {
    const audio = fakeAudio();
    const list = createPlaylist(audio.deps);
    const first = list.play(['a1', 'a2', 'a3']);
    await audio.tick(); // a1 playing
    const second = list.play(['b1', 'b2']);
    expect(await first).toEqual({ kind: 'superseded' });
    await audio.tick(); await audio.finish(); await audio.finish();
    expect(await second).toEqual({ kind: 'done' });
    expect(audio.log).toEqual(['play a1', 'stop', 'play b1', 'play b2']);
  });

  it('ends with the path that could not be loaded', async () => {
    const audio = fakeAudio('b');
    const list = createPlaylist(audio.deps);
    const result = list.play(['a', 'b', 'c']);
    await audio.tick(); await audio.finish();
    const r = await result;
    expect(r.kind).toBe('failed');
    expect(r.kind === 'failed' && r.path).toBe('b');
    expect(audio.log).toEqual(['play a']);
  });

  it('ends a list whose clip is still loading when a second starts: that clip never plays', async () => {
    const audio = fakeAudio();
    let release: (() => void) | null = null;
    const slowFirst = { ...audio.deps, load: (path: string) => path === 'a1' ? new Promise<string>((r) => { release = () => r(path); }) : audio.deps.load(path) };
    const list = createPlaylist(slowFirst);
    const first = list.play(['a1', 'a2']);
    const second = list.play(['b1']);
    release!(); // a1 arrives after b1's list started
    expect(await first).toEqual({ kind: 'superseded' });
    await audio.tick(); await audio.finish();
    expect(await second).toEqual({ kind: 'done' });
    expect(audio.log).toEqual(['play b1']);
  });

  it('reports a load that fails after its list was superseded as superseded, not as an error', async () => {
    const audio = fakeAudio();
    let fail: (() => void) | null = null;
    const list = createPlaylist({ ...audio.deps, load: () => new Promise<string>((_, reject) => { fail = () => reject(new Error('gone')); }) });
    const first = list.play(['a1']);
    list.stop();
    fail!();
    expect(await first).toEqual({ kind: 'superseded' });
  });

  it('stop() ends the list and its clip', async () => {
    const audio = fakeAudio();
    const list = createPlaylist(audio.deps);
    const result = list.play(['a', 'b']);
    await audio.tick();
    list.stop();
    expect(await result).toEqual({ kind: 'superseded' });
    await audio.tick();
    expect(audio.log).toEqual(['play a', 'stop']);
  });
});
