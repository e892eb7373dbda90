// BarRows, the probability bars' painter: writes only what changed, keys rows by label so
// a word leaving the list (Vue unbinding its elements after rebinding the others at their
// new positions) cannot freeze another word's bar, and writes everything on a new row's
// first paint.
import { describe, expect, it } from 'vitest';
import { BarRows, type BarElement, type BarPart } from '../../renderer/src/components/listen/bar-rows.js';

/** A fake element that counts its writes. */
function element() {
  const el = {
    style: { transform: '' },
    classes: new Set<string>(),
    classList: { toggle: (t: string, force: boolean) => { if (force) el.classes.add(t); else el.classes.delete(t); el.writes++; } },
    textContent: '' as string | null,
    attributes: new Map<string, string>(),
    setAttribute: (n: string, v: string) => { el.attributes.set(n, v); el.writes++; },
    writes: 0,
  };
  return el;
}
type Fake = ReturnType<typeof element>;

/** Binds fresh elements for `labels` as Vue would on mount; returns them by label. */
function mount(rows: BarRows, labels: string[]): Map<string, Record<BarPart, Fake>> {
  const out = new Map<string, Record<BarPart, Fake>>();
  for (const label of labels) {
    const parts = { fill: element(), track: element(), value: element() };
    for (const part of ['fill', 'track', 'value'] as const) rows.bind(label, part, parts[part] as unknown as BarElement);
    out.set(label, parts);
  }
  return out;
}
const shown = (p: Record<BarPart, Fake>) => ({ scale: p.fill.style.transform, over: p.fill.classes.has('over'), text: p.value.textContent, aria: p.track.attributes.get('aria-valuenow') });

describe('BarRows', () => {
  it('paints bars, colours over the threshold and writes text when asked', () => {
    const rows = new BarRows();
    rows.setLabels(['_background_', 'yes']);
    rows.setThreshold(0.9);
    const els = mount(rows, ['_background_', 'yes']);
    rows.paintBars([0.05, 0.95]);
    rows.paintText();
    expect(shown(els.get('_background_')!)).toEqual({ scale: 'scaleX(0.050)', over: false, text: '5%', aria: '0.05' });
    expect(shown(els.get('yes')!)).toEqual({ scale: 'scaleX(0.950)', over: true, text: '95%', aria: '0.95' });
    rows.setThreshold(0.99); // recoloured at once
    expect(els.get('yes')!.fill.classes.has('over')).toBe(false);
  });

  it('writes nothing when nothing changed', () => {
    const rows = new BarRows();
    rows.setLabels(['a']);
    const els = mount(rows, ['a']);
    rows.paintBars([0.5]); rows.paintText();
    const writes = els.get('a')!.fill.writes + els.get('a')!.track.writes;
    rows.paintBars([0.5]); rows.paintText();
    expect(els.get('a')!.fill.writes + els.get('a')!.track.writes).toBe(writes);
  });

  it('keeps painting the right bars after a word leaves the middle of the list', () => {
    const rows = new BarRows();
    rows.setLabels(['a', 'b', 'c']);
    const els = mount(rows, ['a', 'b', 'c']);
    rows.paintBars([0.1, 0.2, 0.3]); rows.paintText();
    // Vue's order on removing b: the props change (setLabels), the kept rows rebound, then b unbound.
    rows.setLabels(['a', 'c']);
    for (const label of ['a', 'c']) for (const part of ['fill', 'track', 'value'] as const) { rows.bind(label, part, null); rows.bind(label, part, els.get(label)![part] as unknown as BarElement); }
    for (const part of ['fill', 'track', 'value'] as const) rows.bind('b', part, null);
    rows.paintBars([0.4, 0.9]); rows.paintText();
    expect(shown(els.get('a')!)).toMatchObject({ scale: 'scaleX(0.400)', text: '40%', aria: '0.40' });
    expect(shown(els.get('c')!)).toMatchObject({ scale: 'scaleX(0.900)', text: '90%', aria: '0.90' });
  });

  it('writes everything on a new row\'s first paint, even values equal to the template\'s', () => {
    const rows = new BarRows();
    rows.setLabels(['a']);
    const first = mount(rows, ['a']);
    rows.paintBars([0.73]); rows.paintText();
    rows.setLabels(['a', 'b']); // a new session's labels: a is kept, b is new
    const b = mount(rows, ['b']).get('b')!;
    b.value.textContent = 'stale'; b.fill.style.transform = 'scaleX(0.730)'; // whatever the elements showed before
    rows.paintBars([0, 0]); rows.paintText();
    expect(shown(first.get('a')!)).toMatchObject({ scale: 'scaleX(0.000)', text: '0%', aria: '0.00' });
    expect(b.fill.style.transform).toBe('scaleX(0.000)');
    expect(b.value.textContent).toBe('0%');
    expect(b.track.attributes.get('aria-valuenow')).toBe('0.00');
  });
});
