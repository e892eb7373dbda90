import type { DType } from '../tensor/vec.js';
import { GruLayer } from './gru.js';
import type { CellKind, RecurrentLayer } from './layer.js';
import { LstmLayer } from './lstm.js';

export function createRecurrentLayer(cell: CellKind, inputSize: number, hiddenSize: number, dtype: DType): RecurrentLayer {
  switch (cell) {
    case 'lstm':
    case 'peephole':
    case 'cifg':
      return new LstmLayer(cell, inputSize, hiddenSize, dtype);
    case 'gru':
      return new GruLayer(inputSize, hiddenSize, dtype);
  }
}
