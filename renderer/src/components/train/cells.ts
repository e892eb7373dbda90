// The four recurrent cells, each with the one sentence the Train screen shows.
export const CELLS = [
  { id: 'lstm', name: 'LSTM', sentence: 'The standard choice: a separate long-term memory with gates that decide what to write, keep and show.' },
  { id: 'peephole', name: 'Peephole LSTM', sentence: 'An LSTM whose gates also look at the memory itself, which can help with precise timing.' },
  { id: 'cifg', name: 'CIFG', sentence: 'An LSTM where one gate decides both what to write and what to forget: a quarter fewer weights to learn.' },
  { id: 'gru', name: 'GRU', sentence: 'Two gates and no separate memory: smaller and often as accurate on short words.' },
] as const;

export type CellId = (typeof CELLS)[number]['id'];
