// The recurrent cells (core's CELL_KINDS, in its order), each with its plain name and the
// one sentence the Train screen shows.
import { CELL_KINDS, type CellKind } from '../../../../core/nn/layer.js';

const ABOUT: Readonly<Record<CellKind, { name: string; sentence: string }>> = {
  lstm: { name: 'LSTM', sentence: 'The standard choice: a separate long-term memory with gates that decide what to write, keep and show.' },
  peephole: { name: 'Peephole LSTM', sentence: 'An LSTM whose gates also look at the memory itself, which can help with precise timing.' },
  cifg: { name: 'CIFG', sentence: 'An LSTM where one gate decides both what to write and what to forget: a quarter fewer weights to learn.' },
  gru: { name: 'GRU', sentence: 'Two gates and no separate memory: smaller and often as accurate on short words.' },
};

/** A cell's plain name as every screen shows it ('lstm' → 'LSTM'); a kind Hark does not know, as it is. */
export function cellName(cell: string): string {
  return Object.hasOwn(ABOUT, cell) ? ABOUT[cell as CellKind].name : cell;
}

export const CELLS: readonly { id: CellKind; name: string; sentence: string }[] = CELL_KINDS.map((id) => ({ id, ...ABOUT[id] }));
