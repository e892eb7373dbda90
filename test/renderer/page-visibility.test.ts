// usePageVisibility: follows document.visibilityState through 'visibilitychange', stops
// listening with its scope, and is always visible where there is no document (Node).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { usePageVisibility } from '../../renderer/src/composables/usePageVisibility.js';
import { FakeDocument } from './fake-document.js';

afterEach(() => { vi.unstubAllGlobals(); });

describe('usePageVisibility', () => {
  it('starts from the document and follows each change', () => {
    const doc = new FakeDocument();
    doc.visibilityState = 'hidden';
    const scope = effectScope();
    const visible = scope.run(() => usePageVisibility({ document: doc }))!;
    expect(visible.value).toBe(false);
    doc.set('visible');
    expect(visible.value).toBe(true);
    doc.set('hidden');
    expect(visible.value).toBe(false);
    scope.stop();
  });

  it('watches the global document by default', () => {
    const doc = new FakeDocument();
    vi.stubGlobal('document', doc);
    const scope = effectScope();
    const visible = scope.run(() => usePageVisibility())!;
    doc.set('hidden');
    expect(visible.value).toBe(false);
    scope.stop();
  });

  it('stops listening when its scope is disposed', () => {
    const doc = new FakeDocument();
    const scope = effectScope();
    const visible = scope.run(() => usePageVisibility({ document: doc }))!;
    expect(doc.listeners.size).toBe(1);
    scope.stop();
    expect(doc.listeners.size).toBe(0);
    doc.set('hidden');
    expect(visible.value).toBe(true);
  });

  it('is visible without a document', () => {
    expect(usePageVisibility({ document: null }).value).toBe(true);
  });
});
