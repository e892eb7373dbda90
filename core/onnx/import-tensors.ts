// The constant tensors of an imported graph (./import.ts): its initializers, each checked
// before anything reads it — self-contained, of a supported type, its declared size bounded
// and matched by its data — and read back by name as what the classifier needs.

import onnxProto from 'onnx-proto';
import { fail } from './import-errors.js';

const { onnx } = onnxProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/** A constant tensor: its shape, and its values in row-major order. */
export interface Constant { dims: number[]; type: 'float' | 'int64'; values: Float32Array | number[] }

/** The graph's constants by name. */
export type Constants = ReadonlyMap<string, Constant>;

/** Reads every initializer: each named once, within maxElements, none sparse. */
export function collectConstants(graph: GraphProto, maxElements: number): Constants {
  const constants = new Map<string, Constant>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) fail('bad-tensor', 'an initializer has no name');
    if (constants.has(name)) fail('bad-graph', `initializer ${name} is defined twice`);
    constants.set(name, readTensor(t, maxElements));
  }
  if ((graph.sparseInitializer ?? []).length > 0) fail('bad-tensor', 'sparse initializers are not supported');
  return constants;
}

/** The constant a node input names, of the type `what` must have. */
export function constantOf(constants: Constants, name: string | undefined, what: string, type: Constant['type'] = 'float'): Constant {
  const c = name ? constants.get(name) : undefined;
  if (!c) return fail('bad-graph', `${what} must be a constant tensor`);
  if (c.type !== type) fail('bad-tensor', `${what} must be ${type === 'float' ? 'a float32' : 'an int64'} tensor`);
  return c;
}

/** A constant's values as weights, all finite. */
export function finiteValues(c: Constant, what: string): number[] {
  if (c.values.some((v) => !Number.isFinite(v))) fail('non-finite', `${what} holds NaN or Infinity`);
  return Array.from(c.values);
}

/** A float vector of n finite values (n), broadcast along the last axis: leading dimensions 1, rank at most maxRank. */
export function vectorOf(constants: Constants, name: string | undefined, n: number, what: string, maxRank: number): number[] {
  const c = constantOf(constants, name, what);
  if (c.values.length !== n) fail('bad-shape', `${what} has ${c.values.length} values, ${n} expected`);
  if (c.dims.length > maxRank || c.dims.length === 0 || c.dims.slice(0, -1).some((d) => d !== 1)) fail('bad-shape', `${what} has shape [${c.dims.join(', ')}], expected [${n}]`);
  return finiteValues(c, what);
}

/** Fails unless `dims` is exactly `expected`. */
export function expectDims(dims: number[], expected: number[], what: string): void {
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    fail('bad-shape', `${what} has shape [${dims.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

/** One initializer, float32 or int64, from raw_data or its typed field. */
function readTensor(t: TensorProto, maxElements: number): Constant {
  const name = t.name ?? '';
  if ((t.dataLocation ?? 0) !== onnx.TensorProto.DataLocation.DEFAULT || (t.externalData ?? []).length > 0) {
    const path = (t.externalData ?? []).find((e) => e.key === 'location')?.value;
    fail('external-data', `tensor ${name} points to external data${path ? ` (${JSON.stringify(path)})` : ''}; only self-contained files are accepted`);
  }
  const dims = (t.dims ?? []).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) fail('bad-tensor', `tensor ${name} has an invalid dimension in [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > maxElements) fail('too-large', `tensor ${name} declares ${count} elements; at most ${maxElements} are accepted`);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const typed = [t.floatData, t.int32Data, t.int64Data, t.doubleData, t.uint64Data, t.stringData].some((d) => (d ?? []).length > 0);
  if (raw && typed) fail('bad-tensor', `tensor ${name} holds both raw_data and typed data`);
  if (t.dataType === onnx.TensorProto.DataType.FLOAT) {
    if (raw) {
      if (raw.length !== count * 4) fail('bad-tensor', `tensor ${name} holds ${raw.length} bytes of raw_data for ${count} floats`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
      return { dims, type: 'float', values };
    }
    const data = t.floatData ?? [];
    if (data.length !== count) fail('bad-tensor', `tensor ${name} holds ${data.length} floats in float_data, its shape needs ${count}`);
    return { dims, type: 'float', values: Float32Array.from(data) };
  }
  if (t.dataType === onnx.TensorProto.DataType.INT64) {
    if (raw) {
      if (raw.length !== count * 8) fail('bad-tensor', `tensor ${name} holds ${raw.length} bytes of raw_data for ${count} int64 values`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return { dims, type: 'int64', values: Array.from({ length: count }, (_, i) => Number(view.getBigInt64(i * 8, true))) };
    }
    const data = (t.int64Data ?? []).map(Number);
    if (data.length !== count) fail('bad-tensor', `tensor ${name} holds ${data.length} values in int64_data, its shape needs ${count}`);
    return { dims, type: 'int64', values: data };
  }
  return fail('bad-tensor', `tensor ${name} has data type ${t.dataType}; float32 and int64 are supported`);
}
