// A document that only has a visibility state, for Node-side tests of the live views'
// gating: set() changes it and fires 'visibilitychange' as a browser does.
import type { VisibilityDocument } from '../../renderer/src/composables/usePageVisibility.js';

export class FakeDocument implements VisibilityDocument {
  visibilityState: 'visible' | 'hidden' = 'visible';
  readonly listeners = new Set<() => void>();

  addEventListener(type: 'visibilitychange', listener: () => void): void {
    if (type === 'visibilitychange') this.listeners.add(listener);
  }

  removeEventListener(type: 'visibilitychange', listener: () => void): void {
    if (type === 'visibilitychange') this.listeners.delete(listener);
  }

  set(state: 'visible' | 'hidden'): void {
    this.visibilityState = state;
    for (const listener of [...this.listeners]) listener();
  }
}
