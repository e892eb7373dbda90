// The probability bars' elements and what was last written to them, for painting without
// a Vue render (ProbabilityBars.vue says why). Rows are keyed by label, not by position:
// when a word leaves the list, Vue unbinds its elements after rebinding the others at
// their new positions, so positions would let a leaving word's unbinding wipe the row of
// the word now in its place. Written values start unknown, so a new row's first paint
// writes everything. No DOM types: the few members used are declared here (Node tests).

export interface BarElement {
  style: { transform: string };
  classList: { toggle(token: string, force: boolean): unknown };
  textContent: string | null;
  setAttribute(name: string, value: string): void;
}

export type BarPart = 'fill' | 'track' | 'value';

/** A word's threshold from one for all or one per word (1 for a class without one: it never turns green). */
export function thresholdFor(threshold: number | Readonly<Record<string, number>>, label: string): number {
  return typeof threshold === 'number' ? threshold : (threshold[label] ?? 1);
}

interface Row { fill: BarElement | null; track: BarElement | null; value: BarElement | null; scale: string; over: boolean | null; percent: number }

export class BarRows {
  private readonly rows = new Map<string, Row>();
  private labels: readonly string[] = [];
  private latest = new Float32Array(0); // (labels) the values last painted, in label order
  private threshold: number | Readonly<Record<string, number>> = 1;

  /** A template ref: `el` is the element of `part` in the row of `label`, or null when Vue unbinds it. */
  bind(label: string, part: BarPart, el: BarElement | null): void {
    let row = this.rows.get(label);
    if (!row && !el) return; // the unbinding of a word that left
    if (!row) this.rows.set(label, row = { fill: null, track: null, value: null, scale: '', over: null, percent: Number.NaN });
    row[part] = el;
  }

  /** The words shown, in order: rows of words that left are forgotten. */
  setLabels(labels: readonly string[]): void {
    this.labels = [...labels];
    for (const label of this.rows.keys()) if (!labels.includes(label)) this.rows.delete(label);
    this.latest = new Float32Array(labels.length);
  }

  /** The threshold a bar turns green at, one for all or one per word (calibrated): bars are recoloured now. */
  setThreshold(threshold: number | Readonly<Record<string, number>>): void {
    this.threshold = threshold;
    this.labels.forEach((label, i) => this.writeColour(this.rows.get(label), this.latest[i] >= this.thresholdOf(label)));
  }

  /** A word's threshold (1 for a class without one: it never turns green). */
  thresholdOf(label: string): number {
    return thresholdFor(this.threshold, label);
  }

  /** Bars (transform and colour) for `values`, one per label in [0, 1]; only what changed is written. */
  paintBars(values: ArrayLike<number>): void {
    this.labels.forEach((label, i) => {
      const v = Math.max(0, Math.min(1, values[i] ?? 0));
      this.latest[i] = v;
      const row = this.rows.get(label);
      if (!row?.fill) return;
      const scale = `scaleX(${v.toFixed(3)})`;
      if (scale !== row.scale) { row.fill.style.transform = scale; row.scale = scale; }
      this.writeColour(row, v >= this.thresholdOf(label));
    });
  }

  /** The numbers and ARIA values of the last painted values, where they changed. */
  paintText(): void {
    this.labels.forEach((label, i) => {
      const row = this.rows.get(label);
      const v = this.latest[i];
      const percent = Math.round(v * 100);
      if (!row || percent === row.percent) return;
      if (row.value) row.value.textContent = `${percent}%`;
      row.track?.setAttribute('aria-valuenow', v.toFixed(2));
      row.percent = percent;
    });
  }

  private writeColour(row: Row | undefined, over: boolean): void {
    if (!row?.fill || over === row.over) return;
    row.fill.classList.toggle('over', over);
    row.over = over;
  }
}
