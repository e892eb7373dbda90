// Delete with undo, as the Record screen's clip and background lists do it: the engine
// moves the item to the dataset's trash and says where; the latest delete can be undone
// (an <UndoNotice> shows it) until the next one replaces it. Both refresh the list after.
// Errors reach the caller, who shows them where the action was.

import { readonly, shallowRef, type Ref } from 'vue';

export interface UseUndoableDeleteOptions<T> {
  /** Moves the item to the trash; resolves to where it went (the engine's `trashed` path). */
  trash: (item: T) => Promise<{ trashed: string }>;
  /** Moves a trashed item back. */
  untrash: (trashed: string) => Promise<unknown>;
  /** Reads the list again, after a delete and after an undo. */
  refresh: () => Promise<unknown>;
  /** How the undo notice names the item. */
  name: (item: T) => string;
}

export interface UndoableDelete<T> {
  /** The latest delete that can be undone, or null. */
  last: Readonly<Ref<{ trashed: string; name: string } | null>>;
  remove: (item: T) => Promise<void>;
  undo: () => Promise<void>;
}

export function useUndoableDelete<T>(options: UseUndoableDeleteOptions<T>): UndoableDelete<T> {
  const last = shallowRef<{ trashed: string; name: string } | null>(null);

  async function remove(item: T): Promise<void> {
    const { trashed } = await options.trash(item);
    last.value = { trashed, name: options.name(item) };
    await options.refresh();
  }

  async function undo(): Promise<void> {
    const deleted = last.value;
    if (!deleted) return;
    await options.untrash(deleted.trashed);
    if (last.value === deleted) last.value = null; // a delete during the undo keeps its own notice
    await options.refresh();
  }

  return { last: readonly(last), remove, undo };
}
