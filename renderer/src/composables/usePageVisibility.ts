// Whether the page can be seen: false while the tab is in the background or the window is
// minimised (document.visibilityState 'hidden'; the desktop app keeps Electron's default
// backgroundThrottling, so a minimised window reports it too). Live views stop painting
// while it is false (useFrameThrottle). VueUse's useDocumentVisibility as a boolean,
// without the dependency; the listener goes with the owning scope.

import { getCurrentScope, onScopeDispose, readonly, shallowRef, type Ref } from 'vue';

/** The few members of `document` used, typed here so the Node-side tests typecheck without the DOM library. */
export interface VisibilityDocument {
  readonly visibilityState: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

export interface UsePageVisibilityOptions {
  /** The document to watch (default: the global one; none, as in Node: always visible). */
  document?: VisibilityDocument | null;
}

export function usePageVisibility(options: UsePageVisibilityOptions = {}): Readonly<Ref<boolean>> {
  const doc = options.document !== undefined
    ? options.document
    : ((globalThis as { document?: VisibilityDocument }).document ?? null);
  const read = (): boolean => doc?.visibilityState !== 'hidden';
  const visible = shallowRef(read());
  if (!doc) return readonly(visible);

  const update = (): void => { visible.value = read(); };
  doc.addEventListener('visibilitychange', update);
  if (getCurrentScope()) onScopeDispose(() => doc.removeEventListener('visibilitychange', update));
  return readonly(visible);
}
