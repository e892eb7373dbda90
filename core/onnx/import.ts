// Import of an ONNX classifier back into a trainable SequenceClassifier: files Hark
// exported (core/onnx/export.ts) and any graph of the same shape — optional constant
// normalisation (Sub, then Mul or Div), a stack of single-direction LSTM or GRU nodes of one
// cell and size, the last step's Y_h or the mean over time, a Gemm head, optional Softmax.
//
// A user's file is untrusted. Before anything is built from it: a size limit, protobuf
// decoding inside a try, operators on an allow-list from the default domain only, no
// external data, every tensor's declared size bounded and matched by its data, finite
// weights, shapes checked against each other, labels matching the head. Each refusal is
// an OnnxImportError with its own code.

import onnxProto from 'onnx-proto';
import { HarkError } from '../errors.js';
import { SequenceClassifier, type ClassifierConfig, type Pooling } from '../nn/classifier.js';
import type { CellKind } from '../nn/layer.js';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

export class OnnxImportError extends HarkError {}

export interface ImportLimits {
  maxBytes?: number;          // default 64 MiB
  maxTensorElements?: number; // default 16 M per tensor
  maxNodes?: number;          // default 256
}

export interface ImportedModel {
  model: SequenceClassifier;
  labels: string[];
  /** hark.features: the feature configuration, {} when the file has none. */
  features: Record<string, unknown>;
  producer: string;
}

export const ALLOWED_OPERATORS: readonly string[] = ['LSTM', 'GRU', 'Sub', 'Mul', 'Div', 'Squeeze', 'ReduceMean', 'Gemm', 'Softmax', 'Identity'];

const fail = (code: string, message: string): never => { throw new OnnxImportError(code, message); };

export function importOnnx(bytes: Uint8Array, limits: ImportLimits = {}): ImportedModel {
  const maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
  const maxElements = limits.maxTensorElements ?? 16 * 1024 * 1024;
  const maxNodes = limits.maxNodes ?? 256;
  if (bytes.length === 0) fail('not-onnx', 'the file is empty');
  if (bytes.length > maxBytes) fail('too-large', `the file is ${bytes.length} bytes; models up to ${maxBytes} are accepted`);

  let proto: InstanceType<typeof onnx.ModelProto>;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new OnnxImportError('not-onnx', `not an ONNX model (${cause instanceof Error ? cause.message : 'undecodable'})`, { cause });
  }
  const graph = proto.graph;
  if (!graph) return fail('not-onnx', 'the file holds no graph');
  const opsets = proto.opsetImport ?? [];
  const defaultOpset = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opsetVersion = defaultOpset ? Number(defaultOpset.version) : 0;
  if (opsetVersion < 7 || opsetVersion > 23) fail('unsupported-opset', `opset ${opsetVersion || 'missing'} of the default domain is not supported (7-23)`);
  const nodes = graph.node ?? [];
  if (nodes.length === 0) fail('bad-graph', 'the graph has no nodes');
  if (nodes.length > maxNodes) fail('too-large', `the graph has ${nodes.length} nodes; at most ${maxNodes} are accepted`);
  for (const n of nodes) {
    if (n.domain && n.domain !== 'ai.onnx') fail('forbidden-operator', `operator ${n.domain}.${n.opType} is from another domain`);
    if (!ALLOWED_OPERATORS.includes(n.opType ?? '')) fail('forbidden-operator', `operator ${n.opType || '(unnamed)'} is not allowed in a keyword classifier`);
  }

  // Constant tensors, checked before any is read.
  const constants = new Map<string, { dims: number[]; values: Float32Array | number[] }>();
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? '';
    if (!name) fail('bad-tensor', 'an initializer has no name');
    if (constants.has(name)) fail('bad-graph', `initializer ${name} is defined twice`);
    constants.set(name, readTensor(t, maxElements));
  }
  if ((graph.sparseInitializer ?? []).length > 0) fail('bad-tensor', 'sparse initializers are not supported');

  const realInputs = (graph.input ?? []).filter((i) => !constants.has(i.name ?? ''));
  if (realInputs.length !== 1) fail('bad-graph', `the graph must take one input (frames), it takes ${realInputs.length}`);
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) fail('bad-graph', `the graph must have one output (probabilities), it has ${outputs.length}`);
  const input = realInputs[0];
  const inputType = input.type?.tensorType;
  if (!inputType || inputType.elemType !== onnx.TensorProto.DataType.FLOAT) fail('bad-input', `input ${input.name} must be float32`);
  const inputDims = inputType?.shape?.dim ?? [];
  if (inputDims.length !== 3) fail('bad-input', `input ${input.name} must have rank 3 [T, B, F], it has rank ${inputDims.length}`);
  const F = Number(inputDims[2]?.dimValue ?? 0);
  if (!(F >= 1 && F <= 4096)) fail('bad-input', `input ${input.name} must declare its feature count (last dimension)`);

  // Walk the chain from the input; every tensor must be consumed by exactly one node.
  const consumers = new Map<string, NodeProto[]>();
  const produced = new Set<string>();
  for (const n of nodes) {
    for (const name of n.input ?? []) if (name && !constants.has(name)) consumers.set(name, [...(consumers.get(name) ?? []), n]);
    for (const name of n.output ?? []) {
      if (!name) continue;
      if (produced.has(name) || constants.has(name) || name === input.name) fail('bad-graph', `tensor ${name} is produced twice`);
      produced.add(name);
    }
  }
  const used = new Set<NodeProto>();
  const next = (tensor: string): NodeProto | null => {
    const list = consumers.get(tensor) ?? [];
    if (list.length > 1) fail('bad-graph', `tensor ${tensor} feeds ${list.length} nodes; a classifier is a chain`);
    const n = list[0] ?? null;
    if (n) {
      if (used.has(n)) fail('bad-graph', 'the graph has a cycle');
      used.add(n);
    }
    return n;
  };
  const constant = (name: string | undefined, what: string) => {
    const c = name ? constants.get(name) : undefined;
    if (!c) return fail('bad-graph', `${what} must be a constant tensor`);
    return c;
  };
  const vector = (name: string | undefined, n: number, what: string): number[] => {
    const c = constant(name, what);
    if (c.values.length !== n) fail('bad-shape', `${what} has ${c.values.length} values, ${n} expected`);
    return Array.from(c.values);
  };

  let current = input.name ?? '';
  let node = next(current);
  // Optional normalisation.
  let mean: number[] | null = null, std: number[] | null = null;
  if (node?.opType === 'Sub') {
    if (node.input?.[0] !== current) fail('bad-graph', 'normalisation must subtract from the input');
    mean = vector(node.input?.[1], F, 'the normalisation mean');
    current = node.output?.[0] ?? '';
    node = next(current);
  }
  if (node?.opType === 'Mul' || node?.opType === 'Div') {
    const k = vector(node.input?.[1], F, 'the normalisation scale');
    std = node.opType === 'Mul' ? k.map((v) => 1 / v) : k;
    if (std.some((v) => !(Number.isFinite(v) && v > 0))) fail('bad-tensor', 'the normalisation scale must be finite and positive');
    current = node.output?.[0] ?? '';
    node = next(current);
  }

  // Recurrent layers.
  interface Layer { W: number[]; R: number[]; B: number[] | null; P: number[] | null; I: number }
  const layers: Layer[] = [];
  let cell: CellKind | null = null;
  let H = 0;
  let lastYh = '';
  while (node && (node.opType === 'LSTM' || node.opType === 'GRU')) {
    if (layers.length === 3) fail('unsupported-graph', 'at most 3 recurrent layers are supported');
    const attrs = attributes(node);
    const h = Number(attrs.hidden_size ?? 0);
    if (!(h >= 1 && h <= 4096)) fail('bad-shape', `${node.opType} needs a hidden_size in [1, 4096]`);
    const direction = attrs.direction ?? 'forward';
    if (direction !== 'forward') fail('unsupported-attribute', `${node.opType} direction ${direction} is not supported (forward only)`);
    if (Number(attrs.layout ?? 0) !== 0) fail('unsupported-attribute', `${node.opType} layout = 1 is not supported`);
    if (attrs.activations !== undefined || attrs.clip !== undefined) fail('unsupported-attribute', `${node.opType} with custom activations or clip is not supported`);
    const ins = node.input ?? [];
    if (ins[0] !== current) fail('bad-graph', `${node.opType} must read the previous layer`);
    if (ins[4] || ins[5] || ins[6]) fail('unsupported-graph', `${node.opType} with sequence_lens or initial states is not supported in a window graph`);
    let kind: CellKind;
    let G: number;
    if (node.opType === 'GRU') {
      if (Number(attrs.linear_before_reset ?? 0) !== 1) fail('unsupported-attribute', 'GRU needs linear_before_reset = 1');
      kind = 'gru'; G = 3 * h;
    } else {
      const coupled = Number(attrs.input_forget ?? 0) === 1;
      const peephole = Boolean(ins[7]);
      if (coupled && peephole) fail('unsupported-graph', 'an LSTM with both input_forget and peepholes is not one of the supported cells');
      kind = coupled ? 'cifg' : peephole ? 'peephole' : 'lstm'; G = 4 * h;
    }
    if (cell !== null && (kind !== cell || h !== H)) fail('unsupported-graph', 'all recurrent layers must share one cell and hidden size');
    cell = kind; H = h;
    const I = layers.length === 0 ? F : H;
    const W = constant(ins[1], `${node.opType} W`), R = constant(ins[2], `${node.opType} R`);
    expectDims(W.dims, [1, G, I], `${node.opType} W`);
    expectDims(R.dims, [1, G, H], `${node.opType} R`);
    let B: number[] | null = null;
    if (ins[3]) { const b = constant(ins[3], `${node.opType} B`); expectDims(b.dims, [1, 2 * G], `${node.opType} B`); B = Array.from(b.values); }
    let P: number[] | null = null;
    if (kind === 'peephole') { const p = constant(ins[7], 'LSTM P'); expectDims(p.dims, [1, 3 * H], 'LSTM P'); P = Array.from(p.values); }
    layers.push({ W: Array.from(W.values), R: Array.from(R.values), B, P, I });
    const [Y, Yh] = node.output ?? [];
    lastYh = Yh ?? '';
    const squeeze = Y ? next(Y) : null;
    if (squeeze && squeeze.opType === 'Squeeze') {
      checkAxes(squeeze, constants, 1);
      current = squeeze.output?.[0] ?? '';
      node = next(current);
      if (node?.opType === 'LSTM' || node?.opType === 'GRU') continue;
      break;
    }
    node = squeeze;
    current = Y ?? '';
    break;
  }
  if (layers.length === 0 || cell === null) return fail('unsupported-graph', 'the graph has no LSTM or GRU layer');

  // Pooling: the last step's Y_h squeezed, or the mean of Y over time.
  let pooling: Pooling;
  let pooled: string;
  const yhNode = lastYh ? next(lastYh) : null;
  if (yhNode) {
    if (yhNode.opType !== 'Squeeze') fail('unsupported-graph', `the last step must be read through Squeeze, not ${yhNode.opType}`);
    checkAxes(yhNode, constants, 0);
    if (node) fail('unsupported-graph', 'the graph reads both the last step and the whole sequence');
    pooling = 'last'; pooled = yhNode.output?.[0] ?? '';
  } else {
    if (!node || node.opType !== 'ReduceMean' || node.input?.[0] !== current) return fail('unsupported-graph', 'the recurrent output must be pooled by its last step (Y_h) or ReduceMean over time');
    const a = attributes(node);
    const axes = (a.axes as number[] | undefined) ?? (node.input?.[1] ? Array.from(constant(node.input[1], 'ReduceMean axes').values) : undefined);
    if (!axes || axes.length !== 1 || axes[0] !== 0 || Number(a.keepdims ?? 1) !== 0) fail('unsupported-attribute', 'ReduceMean must average over time (axes [0], keepdims 0)');
    pooling = 'mean'; pooled = node.output?.[0] ?? '';
  }

  // Head.
  const gemm = next(pooled);
  if (!gemm || gemm.opType !== 'Gemm' || gemm.input?.[0] !== pooled) return fail('unsupported-graph', 'the head must be a Gemm on the pooled state');
  const ga = attributes(gemm);
  if (Number(ga.transA ?? 0) !== 0 || Number(ga.alpha ?? 1) !== 1 || Number(ga.beta ?? 1) !== 1) fail('unsupported-attribute', 'Gemm must have transA = 0, alpha = beta = 1');
  const hw = constant(gemm.input?.[1], 'the head weight');
  const transB = Number(ga.transB ?? 0) === 1;
  if (hw.dims.length !== 2 || hw.dims[transB ? 1 : 0] !== H) fail('bad-shape', `the head weight has shape [${hw.dims.join(', ')}], expected [C, ${H}] (transB = 1) or [${H}, C]`);
  const C = hw.dims[transB ? 0 : 1];
  if (!(C >= 2 && C <= 4096)) fail('bad-shape', `the head has ${C} classes; 2 to 4096 are supported`);
  const headW = transB ? Array.from(hw.values) : transpose(hw.values, H, C);
  const headB = gemm.input?.[2] ? vector(gemm.input[2], C, 'the head bias') : new Array<number>(C).fill(0);
  let out = gemm.output?.[0] ?? '';
  const softmax = next(out);
  if (softmax) {
    if (softmax.opType !== 'Softmax') fail('unsupported-graph', `unexpected ${softmax.opType} after the head`);
    const axis = Number(attributes(softmax).axis ?? (opsetVersion >= 13 ? -1 : 1));
    if (axis !== 1 && axis !== -1) fail('unsupported-attribute', 'Softmax must run over the classes (axis 1)');
    out = softmax.output?.[0] ?? '';
    if (next(out)) fail('unsupported-graph', 'nodes after the Softmax are not supported');
  }
  if (out !== outputs[0].name) fail('bad-graph', `the graph's output ${outputs[0].name} is not the classifier's result`);
  if (used.size !== nodes.length) fail('unsupported-graph', `${nodes.length - used.size} node(s) are not part of the classifier chain`);

  // Metadata.
  const meta = new Map((proto.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  let labels = Array.from({ length: C }, (_, c) => `class${c}`);
  if (meta.has('hark.labels')) {
    let parsed: unknown;
    try { parsed = JSON.parse(meta.get('hark.labels') as string); } catch { fail('bad-metadata', 'hark.labels is not JSON'); }
    if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) fail('bad-metadata', 'hark.labels must be a JSON array of strings');
    if ((parsed as string[]).length !== C) fail('label-mismatch', `hark.labels names ${(parsed as string[]).length} classes, the head has ${C}`);
    labels = parsed as string[];
  }
  let features: Record<string, unknown> = {};
  if (meta.has('hark.features')) {
    let parsed: unknown;
    try { parsed = JSON.parse(meta.get('hark.features') as string); } catch { fail('bad-metadata', 'hark.features is not JSON'); }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('bad-metadata', 'hark.features must be a JSON object');
    features = parsed as Record<string, unknown>;
  }

  // Build.
  const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: H, layers: layers.length, classes: C, dropout: 0, pooling };
  const model = new SequenceClassifier(config, { seed: 0 });
  const views = new Map(model.tensors().map((t) => [t.name, t.data]));
  const put = (name: string, values: ArrayLike<number> | null) => {
    const view = views.get(name);
    if (!view) return;
    if (values === null) { view.fill(0); return; }
    for (let i = 0; i < view.length; i++) view[i] = values[i];
  };
  layers.forEach((layer, l) => {
    put(`layer${l}.W`, layer.W); put(`layer${l}.R`, layer.R); put(`layer${l}.B`, layer.B); put(`layer${l}.P`, layer.P);
  });
  if (cell === 'cifg') {
    // ONNX ignores the forget block with input_forget = 1; our CIFG keeps it at zero.
    for (let l = 0; l < layers.length; l++) {
      const I = layers[l].I;
      views.get(`layer${l}.W`)?.fill(0, 2 * H * I, 3 * H * I);
      views.get(`layer${l}.R`)?.fill(0, 2 * H * H, 3 * H * H);
      const b = views.get(`layer${l}.B`);
      b?.fill(0, 2 * H, 3 * H); b?.fill(0, 4 * H + 2 * H, 4 * H + 3 * H);
    }
  }
  put('head.W', headW); put('head.b', headB);
  for (let i = 0; i < model.params.length; i++) if (!Number.isFinite(model.params[i])) fail('non-finite', 'the model holds non-finite weights');
  if (mean || std) model.setNormalization({ mean: mean ?? new Array<number>(F).fill(0), std: std ?? new Array<number>(F).fill(1) });
  return { model, labels, features, producer: `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim() };
}

function readTensor(t: TensorProto, maxElements: number): { dims: number[]; values: Float32Array | number[] } {
  const name = t.name ?? '';
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0) {
    fail('external-data', `tensor ${name} points to external data; only self-contained files are accepted`);
  }
  const dims = (t.dims ?? []).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) fail('bad-tensor', `tensor ${name} has an invalid dimension`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > maxElements) fail('too-large', `tensor ${name} declares ${count} elements; at most ${maxElements} are accepted`);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (t.dataType === onnx.TensorProto.DataType.FLOAT) {
    if (raw) {
      if (raw.length !== count * 4) fail('bad-tensor', `tensor ${name} holds ${raw.length} bytes for ${count} floats`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
      return { dims, values };
    }
    const data = t.floatData ?? [];
    if (data.length !== count) fail('bad-tensor', `tensor ${name} holds ${data.length} floats, its shape needs ${count}`);
    return { dims, values: Float32Array.from(data) };
  }
  if (t.dataType === onnx.TensorProto.DataType.INT64) {
    if (raw) {
      if (raw.length !== count * 8) fail('bad-tensor', `tensor ${name} holds ${raw.length} bytes for ${count} int64 values`);
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return { dims, values: Array.from({ length: count }, (_, i) => Number(view.getBigInt64(i * 8, true))) };
    }
    const data = (t.int64Data ?? []).map(Number);
    if (data.length !== count) fail('bad-tensor', `tensor ${name} holds ${data.length} values, its shape needs ${count}`);
    return { dims, values: data };
  }
  return fail('bad-tensor', `tensor ${name} has data type ${t.dataType}; float32 and int64 are supported`);
}

function attributes(n: NodeProto): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of n.attribute ?? []) {
    const name = a.name ?? '';
    switch (a.type) {
      case onnx.AttributeProto.AttributeType.INT: out[name] = Number(a.i); break;
      case onnx.AttributeProto.AttributeType.FLOAT: out[name] = a.f; break;
      case onnx.AttributeProto.AttributeType.STRING: out[name] = new TextDecoder().decode(a.s ?? new Uint8Array(0)); break;
      case onnx.AttributeProto.AttributeType.INTS: out[name] = (a.ints ?? []).map(Number); break;
      case onnx.AttributeProto.AttributeType.STRINGS: out[name] = (a.strings ?? []).map((s) => new TextDecoder().decode(s)); break;
      case onnx.AttributeProto.AttributeType.FLOATS: out[name] = a.floats ?? []; break;
      default: fail('unsupported-attribute', `attribute ${name} of ${n.opType} has an unsupported type`);
    }
  }
  return out;
}

function checkAxes(n: NodeProto, constants: Map<string, { dims: number[]; values: Float32Array | number[] }>, axis: number): void {
  const a = attributes(n);
  const axes = (a.axes as number[] | undefined) ?? (n.input?.[1] ? Array.from(constants.get(n.input[1])?.values ?? []) : undefined);
  if (!axes || axes.length !== 1 || axes[0] !== axis) fail('unsupported-graph', `Squeeze must remove axis ${axis}`);
}

function expectDims(dims: number[], expected: number[], what: string): void {
  if (dims.length !== expected.length || dims.some((d, i) => d !== expected[i])) {
    fail('bad-shape', `${what} has shape [${dims.join(', ')}], expected [${expected.join(', ')}]`);
  }
}

function transpose(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const out = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}
