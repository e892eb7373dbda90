// The cells' plain names: one for each of core's kinds, shown the same on every screen; a
// kind Hark does not know (never from our own models) is shown as it is, not as "undefined".
import { describe, expect, it } from 'vitest';
import { CELL_KINDS } from '../../core/nn/layer.js';
import { CELLS, cellName } from '../../renderer/src/components/train/cells.js';

describe('cellName', () => {
  it('names every kind as the Train screen does, never as the raw kind', () => {
    for (const kind of CELL_KINDS) {
      expect(cellName(kind)).toBe(CELLS.find((c) => c.id === kind)?.name);
      expect(cellName(kind)).not.toBe(kind);
    }
    expect(cellName('lstm')).toBe('LSTM');
  });

  it('shows an unknown kind as it is', () => {
    expect(cellName('mystery')).toBe('mystery');
    expect(cellName('toString')).toBe('toString');
  });
});
