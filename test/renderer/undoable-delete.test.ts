// useUndoableDelete: the engine's trash path is kept for the latest delete only, undo
// restores that one and clears the notice, both refresh the list, and a failed trash or
// untrash leaves the notice as it was and reaches the caller.
import { describe, expect, it } from 'vitest';
import { useUndoableDelete } from '../../renderer/src/composables/useUndoableDelete.js';

function fakeTrash() {
  const calls: string[] = [];
  let failNext: string | null = null;
  const fail = (what: string): void => { if (failNext === what) { failNext = null; throw new Error(`${what} failed`); } };
  const deleter = useUndoableDelete<{ path: string }>({
    trash: async (item) => { fail('trash'); calls.push(`trash ${item.path}`); return { trashed: `.hark-trash/${item.path}` }; },
    untrash: async (trashed) => { fail('untrash'); calls.push(`untrash ${trashed}`); },
    refresh: async () => { calls.push('refresh'); },
    name: (item) => item.path,
  });
  return { deleter, calls, failOn: (what: string) => { failNext = what; } };
}

describe('useUndoableDelete', () => {
  it('keeps the latest delete, undoes it, and refreshes after each', async () => {
    const { deleter, calls } = fakeTrash();
    expect(deleter.last.value).toBeNull();
    await deleter.remove({ path: 'yes/a.wav' });
    await deleter.remove({ path: 'yes/b.wav' });
    expect(deleter.last.value).toEqual({ trashed: '.hark-trash/yes/b.wav', name: 'yes/b.wav' });
    await deleter.undo();
    expect(deleter.last.value).toBeNull();
    await deleter.undo(); // nothing left to undo: no call
    expect(calls).toEqual(['trash yes/a.wav', 'refresh', 'trash yes/b.wav', 'refresh', 'untrash .hark-trash/yes/b.wav', 'refresh']);
  });

  it('a failed trash or untrash throws and leaves the notice as it was', async () => {
    const { deleter, calls, failOn } = fakeTrash();
    failOn('trash');
    await expect(deleter.remove({ path: 'yes/a.wav' })).rejects.toThrow('trash failed');
    expect(deleter.last.value).toBeNull();
    await deleter.remove({ path: 'yes/a.wav' });
    failOn('untrash');
    await expect(deleter.undo()).rejects.toThrow('untrash failed');
    expect(deleter.last.value).toEqual({ trashed: '.hark-trash/yes/a.wav', name: 'yes/a.wav' });
    expect(calls).toEqual(['trash yes/a.wav', 'refresh']);
  });
});
