// Import of an ONNX classifier back into a trainable SequenceClassifier: files Hark
// exported (core/onnx/export.ts) and any graph of the same shape — optional constant
// normalisation (Sub, then Mul or Div), a stack of single-direction LSTM or GRU nodes of one
// cell and size, the last step's Y_h or the mean over time, a Gemm head, optional Softmax;
// Identity nodes anywhere are looked through.
//
// A user's file is untrusted. Before anything is built from it: a size limit, a walk over
// the protobuf wire format that bounds nesting and the number of objects decoding would
// create, protobuf decoding inside a try, operators on an allow-list from the default
// domain only with their arity and attributes checked, a topologically sorted graph, no
// external data, every tensor's declared size bounded and matched by its data, finite
// weights, shapes checked against each other, labels matching the head, and a Hark file's
// own metadata present and agreeing with its graph. Each refusal is an OnnxImportError
// with its own code.

import onnxProto from 'onnx-proto';
import { HarkError } from '../errors.js';
import { SequenceClassifier, type ClassifierConfig, type Pooling } from '../nn/classifier.js';
import type { CellKind } from '../nn/layer.js';
import { HARK_MODEL_FORMAT } from './export.js';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type Constant = { dims: number[]; type: 'float' | 'int64'; values: Float32Array | number[] };
type Attributes = Record<string, unknown>;

/**
 * A file importOnnx refuses. `message` says why in words a user can read; `detail` keeps the
 * particulars a developer needs (for a file that is not ONNX at all: which protobuf field,
 * at which byte), and is the message itself when it says everything.
 */
export class OnnxImportError extends HarkError {
  readonly detail: string;
  constructor(code: string, message: string, options?: { cause?: unknown; detail?: string }) {
    super(code, message, options);
    this.detail = options?.detail ?? message;
  }
}

/** Why bytes that do not decode as ONNX are refused, in plain words (the protobuf particulars go in `detail`). */
export const NOT_ONNX = 'it is another kind of file, or an ONNX file that is cut short or damaged';

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
  /** Every metadata property of the file, by key (e.g. hark.calibration, which the keyword model reads). */
  metadata: Record<string, string>;
}

const { INT, FLOAT, STRING, INTS, FLOATS, STRINGS } = onnx.AttributeProto.AttributeType;
const RECURRENT_ATTRIBUTES = { activation_alpha: FLOATS, activation_beta: FLOATS, activations: STRINGS, clip: FLOAT, direction: STRING, hidden_size: INT, layout: INT };

/** Per operator: how many inputs and outputs a node may list, and its attributes with their types. */
const OPERATORS: Record<string, { inputs: [number, number]; outputs: [number, number]; attributes: Record<string, number> }> = {
  LSTM: { inputs: [3, 8], outputs: [0, 3], attributes: { ...RECURRENT_ATTRIBUTES, input_forget: INT } },
  GRU: { inputs: [3, 6], outputs: [0, 2], attributes: { ...RECURRENT_ATTRIBUTES, linear_before_reset: INT } },
  Sub: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Mul: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Div: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Squeeze: { inputs: [1, 2], outputs: [1, 1], attributes: { axes: INTS } },
  ReduceMean: { inputs: [1, 2], outputs: [1, 1], attributes: { axes: INTS, keepdims: INT, noop_with_empty_axes: INT } },
  Gemm: { inputs: [2, 3], outputs: [1, 1], attributes: { alpha: FLOAT, beta: FLOAT, transA: INT, transB: INT } },
  Softmax: { inputs: [1, 1], outputs: [1, 1], attributes: { axis: INT } },
  Identity: { inputs: [1, 1], outputs: [1, 1], attributes: {} },
};

export const ALLOWED_OPERATORS: readonly string[] = Object.keys(OPERATORS);

/** Nesting and object bounds of the wire walk; a Hark file nests 7 deep and holds a few hundred objects. */
const MAX_DEPTH = 32;
const MAX_OBJECTS = 1 << 18;

const fail = (code: string, message: string): never => { throw new OnnxImportError(code, message); };
/** Bytes that are not protobuf as ONNX writes it: the plain reason, with the particulars as detail. */
const malformed = (detail: string): never => { throw new OnnxImportError('not-onnx', NOT_ONNX, { detail }); };

export function importOnnx(bytes: Uint8Array, limits: ImportLimits = {}): ImportedModel {
  const maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
  const maxElements = limits.maxTensorElements ?? 16 * 1024 * 1024;
  const maxNodes = limits.maxNodes ?? 256;
  if (bytes.length === 0) fail('not-onnx', 'the file is empty');
  if (bytes.length > maxBytes) fail('too-large', `the file is ${bytes.length} bytes; models up to ${maxBytes} are accepted`);

  checkWire(bytes);
  let proto: InstanceType<typeof onnx.ModelProto>;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new OnnxImportError('not-onnx', NOT_ONNX, { cause, detail: `the protobuf decoder refused it (${cause instanceof Error ? cause.message : 'undecodable'})` });
  }
  const graph = proto.graph;
  if (!graph) return fail('not-onnx', 'the file holds no graph');
  const opsets = (proto.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (opsets.length > 1) fail('unsupported-opset', `the default domain is imported ${opsets.length} times`);
  const opsetVersion = opsets.length ? Number(opsets[0].version) : 0;
  if (opsetVersion < 7 || opsetVersion > 23) fail('unsupported-opset', `opset ${opsetVersion || 'missing'} of the default domain is not supported (7-23)`);
  const nodes = graph.node ?? [];
  if (nodes.length === 0) fail('bad-graph', 'the graph has no nodes');
  if (nodes.length > maxNodes) fail('too-large', `the graph has ${nodes.length} nodes; at most ${maxNodes} are accepted`);
  const attrs = new Map<NodeProto, Attributes>();
  const range = ([lo, hi]: [number, number]) => (lo === hi ? `${lo}` : `${lo} to ${hi}`);
  for (const n of nodes) {
    if (n.domain && n.domain !== 'ai.onnx') fail('forbidden-operator', `operator ${n.domain}.${n.opType} is from another domain`);
    const spec = Object.hasOwn(OPERATORS, n.opType ?? '') ? OPERATORS[n.opType as string] : null;
    if (!spec) return fail('forbidden-operator', `operator ${n.opType || '(unnamed)'} is not allowed in a keyword classifier`);
    const ins = (n.input ?? []).length, outs = (n.output ?? []).length;
    if (ins < spec.inputs[0] || ins > spec.inputs[1]) fail('bad-graph', `${n.opType} takes ${range(spec.inputs)} input(s), node ${n.name || n.opType} lists ${ins}`);
    if (outs < spec.outputs[0] || outs > spec.outputs[1]) fail('bad-graph', `${n.opType} has ${range(spec.outputs)} output(s), node ${n.name || n.opType} lists ${outs}`);
    attrs.set(n, attributes(n, spec.attributes));
  }
  const attrsOf = (n: NodeProto): Attributes => attrs.get(n) ?? {};

  // Constant tensors, checked before any is read.
  const constants = new Map<string, Constant>();
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
  if (!input.name) fail('bad-input', 'the graph input has no name');
  const inputType = input.type?.tensorType;
  if (!inputType || inputType.elemType !== onnx.TensorProto.DataType.FLOAT) fail('bad-input', `input ${input.name} must be float32`);
  const inputDims = inputType?.shape?.dim ?? [];
  if (inputDims.length !== 3) fail('bad-input', `input ${input.name} must have rank 3 [T, B, F], it has rank ${inputDims.length}`);
  const F = Number(inputDims[2]?.dimValue ?? 0);
  if (!(F >= 1 && F <= 4096)) fail('bad-input', `input ${input.name} must declare its feature count (last dimension)`);
  const outputType = outputs[0].type?.tensorType;
  if (!outputs[0].name) fail('bad-graph', 'the graph output has no name');
  if (outputType && outputType.elemType !== onnx.TensorProto.DataType.FLOAT) fail('bad-graph', `output ${outputs[0].name} must be float32`);

  // ONNX requires nodes in topological order: every input is a graph input, a constant or
  // an output of an earlier node. This also rules out cycles.
  const known = new Set<string>([...(graph.input ?? []).map((i) => i.name ?? ''), ...constants.keys()]);
  for (const n of nodes) {
    for (const name of n.input ?? []) {
      if (name && !known.has(name)) fail('bad-graph', `${n.opType} reads ${name} before any node produces it (the graph has a cycle, is out of order or reads a missing tensor)`);
    }
    for (const name of n.output ?? []) {
      if (!name) continue;
      if (known.has(name)) fail('bad-graph', `tensor ${name} is produced twice`);
      known.add(name);
    }
  }
  // Identity nodes are looked through: whoever reads an Identity's output reads its input.
  // Order makes each hop go backwards, so the lookup ends.
  const alias = new Map<string, string>();
  const readers = new Set<string>([outputs[0].name ?? '']);
  for (const n of nodes) for (const name of n.input ?? []) readers.add(name);
  for (const n of nodes) {
    if (n.opType !== 'Identity') continue;
    const [from, to] = [(n.input ?? [])[0], (n.output ?? [])[0]];
    if (!from || !to || !readers.has(to)) fail('unsupported-graph', `Identity ${n.name || to || '(unnamed)'} is not part of the classifier chain`);
    alias.set(to, alias.get(from) ?? from);
  }
  const resolve = (name: string): string => alias.get(name) ?? name;
  const chain = nodes.filter((n) => n.opType !== 'Identity');
  for (const n of chain) n.input = (n.input ?? []).map(resolve);
  const outputName = resolve(outputs[0].name ?? '');

  // Walk the chain from the input; every tensor must be consumed by exactly one node.
  const consumers = new Map<string, NodeProto[]>();
  for (const n of chain) for (const name of n.input ?? []) if (name && !constants.has(name)) consumers.set(name, [...(consumers.get(name) ?? []), n]);
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
  const constant = (name: string | undefined, what: string, type: Constant['type'] = 'float'): Constant => {
    const c = name ? constants.get(name) : undefined;
    if (!c) return fail('bad-graph', `${what} must be a constant tensor`);
    if (c.type !== type) fail('bad-tensor', `${what} must be ${type === 'float' ? 'a float32' : 'an int64'} tensor`);
    return c;
  };
  const weights = (c: Constant, what: string): number[] => {
    if (c.values.some((v) => !Number.isFinite(v))) fail('non-finite', `${what} holds NaN or Infinity`);
    return Array.from(c.values);
  };
  // A vector of n values, broadcast along the last axis (leading dimensions 1, at most maxRank).
  const vector = (name: string | undefined, n: number, what: string, maxRank: number): number[] => {
    const c = constant(name, what);
    if (c.values.length !== n) fail('bad-shape', `${what} has ${c.values.length} values, ${n} expected`);
    if (c.dims.length > maxRank || c.dims.length === 0 || c.dims.slice(0, -1).some((d) => d !== 1)) fail('bad-shape', `${what} has shape [${c.dims.join(', ')}], expected [${n}]`);
    return weights(c, what);
  };

  let current = input.name ?? '';
  let node = next(current);
  // Optional normalisation.
  let mean: number[] | null = null, std: number[] | null = null;
  if (node?.opType === 'Sub') {
    if (node.input?.[0] !== current) fail('bad-graph', 'normalisation must subtract from the input');
    mean = vector(node.input?.[1], F, 'the normalisation mean', 3);
    current = node.output?.[0] ?? '';
    node = next(current);
  }
  if (node?.opType === 'Mul' || node?.opType === 'Div') {
    const [a, b] = node.input ?? [];
    // x / k is not k / x; a product may come either way round.
    if (a !== current && !(node.opType === 'Mul' && b === current)) fail('bad-graph', `normalisation must ${node.opType === 'Mul' ? 'multiply' : 'divide'} the input`);
    const k = vector(a === current ? b : a, F, 'the normalisation scale', 3);
    const bad = k.find((v) => !(v > 0));
    if (bad !== undefined) fail('bad-tensor', `the normalisation scale must be positive, it holds ${bad}`);
    std = node.opType === 'Mul' ? k.map((v) => 1 / v) : k;
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
    const op = node.opType;
    const a = attrsOf(node);
    const h = Number(a.hidden_size ?? 0);
    if (!(h >= 1 && h <= 4096)) fail('bad-shape', `${op} needs a hidden_size in [1, 4096]`);
    const direction = a.direction ?? 'forward';
    if (direction !== 'forward') fail('unsupported-attribute', `${op} direction ${String(direction)} is not supported (forward only)`);
    if (a.layout !== undefined && a.layout !== 0) fail('unsupported-attribute', `${op} layout = ${String(a.layout)} is not supported`);
    if (a.activations !== undefined || a.activation_alpha !== undefined || a.activation_beta !== undefined) fail('unsupported-attribute', `${op} with custom activations is not supported`);
    if (a.clip !== undefined) fail('unsupported-attribute', `${op} with clip is not supported`);
    const ins = node.input ?? [];
    if (ins[0] !== current) fail('bad-graph', `${op} must read the previous layer`);
    if (ins[4] || ins[5] || ins[6]) fail('unsupported-graph', `${op} with sequence_lens or initial states is not supported in a window graph`);
    let kind: CellKind;
    let G: number;
    if (op === 'GRU') {
      if (a.linear_before_reset !== 1) fail('unsupported-attribute', 'GRU needs linear_before_reset = 1');
      kind = 'gru'; G = 3 * h;
    } else {
      const inputForget = a.input_forget ?? 0;
      if (inputForget !== 0 && inputForget !== 1) fail('unsupported-attribute', `LSTM input_forget = ${String(inputForget)} is not 0 or 1`);
      const peephole = Boolean(ins[7]);
      if (inputForget === 1 && peephole) fail('unsupported-graph', 'an LSTM with both input_forget and peepholes is not one of the supported cells');
      kind = inputForget === 1 ? 'cifg' : peephole ? 'peephole' : 'lstm'; G = 4 * h;
    }
    if (cell !== null && (kind !== cell || h !== H)) fail('unsupported-graph', `all recurrent layers must share one cell and hidden size (${cell} ${H}, then ${kind} ${h})`);
    cell = kind; H = h;
    const l = layers.length;
    const I = l === 0 ? F : H;
    const W = constant(ins[1], `${op} W`), R = constant(ins[2], `${op} R`);
    expectDims(W.dims, [1, G, I], `${op} W (layer ${l})`);
    expectDims(R.dims, [1, G, H], `${op} R (layer ${l})`);
    let B: number[] | null = null;
    if (ins[3]) { const b = constant(ins[3], `${op} B`); expectDims(b.dims, [1, 2 * G], `${op} B (layer ${l})`); B = weights(b, `${op} B (layer ${l})`); }
    let P: number[] | null = null;
    if (kind === 'peephole') { const p = constant(ins[7], 'LSTM P'); expectDims(p.dims, [1, 3 * H], `LSTM P (layer ${l})`); P = weights(p, `LSTM P (layer ${l})`); }
    layers.push({ W: weights(W, `${op} W (layer ${l})`), R: weights(R, `${op} R (layer ${l})`), B, P, I });
    const [Y, Yh] = node.output ?? [];
    lastYh = Yh ?? '';
    const squeeze = Y ? next(Y) : null;
    node = null;
    if (!squeeze) break;
    // Y is (T, 1, B, H): whatever reads it must first drop the direction axis.
    if (squeeze.opType !== 'Squeeze' || squeeze.input?.[0] !== Y) fail('unsupported-graph', `${op} output Y must be read through Squeeze (axis 1), not ${squeeze.opType}`);
    checkAxes(squeeze, attrsOf(squeeze), constant, 1);
    current = squeeze.output?.[0] ?? '';
    node = next(current);
  }
  if (layers.length === 0 || cell === null) return fail('unsupported-graph', 'the graph has no LSTM or GRU layer');

  // Pooling: the last step's Y_h squeezed, or the mean of Y over time.
  let pooling: Pooling;
  let pooled: string;
  const yhNode = lastYh ? next(lastYh) : null;
  if (yhNode) {
    if (yhNode.opType !== 'Squeeze' || yhNode.input?.[0] !== lastYh) fail('unsupported-graph', `the last step must be read through Squeeze, not ${yhNode.opType}`);
    checkAxes(yhNode, attrsOf(yhNode), constant, 0);
    if (node) fail('unsupported-graph', 'the graph reads both the last step and the whole sequence');
    pooling = 'last'; pooled = yhNode.output?.[0] ?? '';
  } else {
    if (!node || node.opType !== 'ReduceMean' || node.input?.[0] !== current) return fail('unsupported-graph', 'the recurrent output must be pooled by its last step (Y_h) or ReduceMean over time');
    const a = attrsOf(node);
    const axes = (a.axes as number[] | undefined) ?? (node.input?.[1] ? Array.from(constant(node.input[1], 'ReduceMean axes', 'int64').values) : undefined);
    if (!axes || axes.length !== 1 || axes[0] !== 0 || (a.keepdims ?? 1) !== 0) fail('unsupported-attribute', 'ReduceMean must average over time (axes [0], keepdims 0)');
    pooling = 'mean'; pooled = node.output?.[0] ?? '';
  }

  // Head.
  const gemm = next(pooled);
  if (!gemm || gemm.opType !== 'Gemm' || gemm.input?.[0] !== pooled) return fail('unsupported-graph', 'the head must be a Gemm on the pooled state');
  const ga = attrsOf(gemm);
  if ((ga.transA ?? 0) !== 0) fail('unsupported-attribute', `Gemm with transA = ${String(ga.transA)} is not supported`);
  if ((ga.alpha ?? 1) !== 1 || (ga.beta ?? 1) !== 1) fail('unsupported-attribute', `Gemm must have alpha = beta = 1, it has alpha = ${String(ga.alpha ?? 1)}, beta = ${String(ga.beta ?? 1)}`);
  const transBValue = ga.transB ?? 0;
  if (transBValue !== 0 && transBValue !== 1) fail('unsupported-attribute', `Gemm transB = ${String(transBValue)} is not 0 or 1`);
  const transB = transBValue === 1;
  const hw = constant(gemm.input?.[1], 'the head weight');
  if (hw.dims.length !== 2 || hw.dims[transB ? 1 : 0] !== H) fail('bad-shape', `the head weight has shape [${hw.dims.join(', ')}], expected [C, ${H}] (transB = 1) or [${H}, C]`);
  const C = hw.dims[transB ? 0 : 1];
  if (!(C >= 2 && C <= 4096)) fail('bad-shape', `the head has ${C} classes; 2 to 4096 are supported`);
  const hwValues = weights(hw, 'the head weight');
  const headW = transB ? hwValues : transpose(hwValues, H, C);
  const headB = gemm.input?.[2] ? vector(gemm.input[2], C, 'the head bias', 2) : new Array<number>(C).fill(0);
  let out = gemm.output?.[0] ?? '';
  const softmax = next(out);
  if (softmax) {
    if (softmax.opType !== 'Softmax') fail('unsupported-graph', `unexpected ${softmax.opType} after the head`);
    const axis = Number(attrsOf(softmax).axis ?? (opsetVersion >= 13 ? -1 : 1));
    if (axis !== 1 && axis !== -1) fail('unsupported-attribute', `Softmax must run over the classes (axis 1), not axis ${axis}`);
    out = softmax.output?.[0] ?? '';
    const after = next(out);
    if (after) fail('unsupported-graph', `nodes after the Softmax are not supported (${after.opType})`);
  }
  if (out !== outputName) fail('bad-graph', `the graph's output ${outputs[0].name} is not the classifier's result`);
  if (used.size !== chain.length) fail('unsupported-graph', `${chain.length - used.size} node(s) are not part of the classifier chain`);

  // Metadata.
  const meta = new Map<string, string>();
  for (const p of proto.metadataProps ?? []) {
    const key = p.key ?? '';
    if (meta.has(key)) fail('bad-metadata', `metadata ${key} appears twice`);
    meta.set(key, p.value ?? '');
  }
  // Hark writes all three; one missing from a Hark file means it was cut short or edited.
  if (proto.producerName === 'hark') {
    for (const key of ['hark.labels', 'hark.features', 'hark.model']) if (!meta.has(key)) fail('bad-metadata', `the file was written by Hark but has no ${key} (truncated?)`);
  }
  const json = (key: string): unknown => {
    try { return JSON.parse(meta.get(key) as string); } catch { return fail('bad-metadata', `${key} is not JSON`); }
  };
  let labels = Array.from({ length: C }, (_, c) => `class${c}`);
  if (meta.has('hark.labels')) {
    const parsed = json('hark.labels');
    if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) return fail('bad-metadata', 'hark.labels must be a JSON array of strings');
    if (parsed.length !== C) fail('label-mismatch', `hark.labels names ${parsed.length} classes, the head has ${C}`);
    if (parsed.some((l) => l === '')) fail('bad-metadata', 'hark.labels has an empty name');
    const twice = parsed.find((l, i) => parsed.indexOf(l) !== i);
    if (twice !== undefined) fail('bad-metadata', `hark.labels names ${JSON.stringify(twice)} twice`);
    labels = parsed as string[];
  }
  let features: Record<string, unknown> = {};
  if (meta.has('hark.features')) {
    const parsed = json('hark.features');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('bad-metadata', 'hark.features must be a JSON object');
    features = parsed as Record<string, unknown>;
  }
  const config: ClassifierConfig = { cell, inputSize: F, hiddenSize: H, layers: layers.length, classes: C, dropout: 0, pooling };
  if (meta.has('hark.model')) {
    const parsed = json('hark.model');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('bad-metadata', 'hark.model must be a JSON object');
    const described = parsed as Record<string, unknown>;
    if (described.format !== HARK_MODEL_FORMAT) fail('bad-metadata', `hark.model has format ${JSON.stringify(described.format)}; format ${HARK_MODEL_FORMAT} is supported`);
    for (const key of ['cell', 'inputSize', 'hiddenSize', 'layers', 'classes', 'pooling'] as const) {
      if (described[key] !== config[key]) fail('bad-metadata', `hark.model says ${key} ${JSON.stringify(described[key])}, the graph has ${String(config[key])}`);
    }
  }

  // Build.
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
  return { model, labels, features, producer: `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim(), metadata: Object.fromEntries(meta) };
}

// The ONNX 1.10 schema as onnx-proto decodes it, for the wire walk: per message, its fields'
// kinds — another message, or v a 64-bit varint, i a 32-bit one, s a string or bytes, f a
// float, d a double; V, I, F, D repeated (packed or not).
const SCHEMA: Record<string, Record<number, string>> = {
  Model: { 1: 'v', 2: 's', 3: 's', 4: 's', 5: 'v', 6: 's', 7: 'Graph', 8: 'OpsetId', 14: 'Entry', 20: 'TrainingInfo', 25: 'Function' },
  OpsetId: { 1: 's', 2: 'v' },
  Entry: { 1: 's', 2: 's' },
  TrainingInfo: { 1: 'Graph', 2: 'Graph', 3: 'Entry', 4: 'Entry' },
  Function: { 1: 's', 4: 's', 5: 's', 6: 's', 7: 'Node', 8: 's', 9: 'OpsetId', 10: 's' },
  Graph: { 1: 'Node', 2: 's', 5: 'Tensor', 10: 's', 11: 'ValueInfo', 12: 'ValueInfo', 13: 'ValueInfo', 14: 'Annotation', 15: 'Sparse' },
  Node: { 1: 's', 2: 's', 3: 's', 4: 's', 5: 'Attribute', 6: 's', 7: 's' },
  Attribute: { 1: 's', 2: 'f', 3: 'v', 4: 's', 5: 'Tensor', 6: 'Graph', 7: 'F', 8: 'V', 9: 's', 10: 'Tensor', 11: 'Graph', 13: 's', 14: 'Type', 15: 'Type', 20: 'i', 21: 's', 22: 'Sparse', 23: 'Sparse' },
  Annotation: { 1: 's', 2: 'Entry' },
  ValueInfo: { 1: 's', 2: 'Type', 3: 's' },
  Tensor: { 1: 'V', 2: 'i', 3: 'Segment', 4: 'F', 5: 'I', 6: 's', 7: 'V', 8: 's', 9: 's', 10: 'D', 11: 'V', 12: 's', 13: 'Entry', 14: 'i' },
  Segment: { 1: 'v', 2: 'v' },
  Sparse: { 1: 'Tensor', 2: 'Tensor', 3: 'V' },
  Type: { 1: 'TypeTensor', 4: 'TypeElement', 5: 'TypeMap', 6: 's', 8: 'TypeTensor', 9: 'TypeElement' },
  TypeTensor: { 1: 'i', 2: 'Shape' },
  TypeElement: { 1: 'Type' },
  TypeMap: { 1: 'i', 2: 'Type' },
  Shape: { 1: 'Dim' },
  Dim: { 1: 'v', 2: 's', 3: 's' },
};
const WIRE: Record<string, number> = { v: 0, i: 0, f: 5, d: 1, s: 2 };

/**
 * Walks the protobuf wire format as onnx-proto's decoder will read it, without recursion and
 * without building anything, and refuses what would hurt that decoder: nesting deep enough
 * to exhaust its stack, more objects than a classifier needs (every 2 bytes of a hostile
 * file can become an empty message, a string or a Long), and anything it would read
 * differently from the bytes — a known field of the wrong wire type, a length or varint
 * running past its message, groups.
 */
function checkWire(bytes: Uint8Array): void {
  const stack: { type: string; end: number }[] = [{ type: 'Model', end: bytes.length }];
  let pos = 0;
  let objects = 1;
  const count = (n: number) => {
    objects += n;
    if (objects > MAX_OBJECTS) fail('too-large', `the file holds more than ${MAX_OBJECTS} messages, names and integers`);
  };
  // A varint from pos, within end: its value (exact below 2^53) and where it ends. uint32
  // reads (tags, lengths, 32-bit fields) take at most 5 bytes, or skip to 10.
  const varint = (end: number, what: string, uint32 = false): [number, number] => {
    let value = 0;
    for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
      if (pos + i >= end) break;
      const byte = bytes[pos + i];
      value += (byte & 127) * scale;
      if (byte < 128) return [value, pos + i + 1];
      if (uint32 && i === 4) return [value, pos + 10 <= end ? pos + 10 : malformed(`${what} at byte ${pos} runs past its end (truncated?)`)];
    }
    return malformed(`${what} at byte ${pos} is not a valid varint or runs past its end (truncated?)`);
  };
  while (stack.length > 0) {
    const { type, end } = stack[stack.length - 1];
    if (pos === end) { stack.pop(); continue; }
    const [tag, afterTag] = varint(end, `a field tag in ${type}Proto`);
    if (afterTag - pos > 5 || tag > 0xffffffff) malformed(`the field tag at byte ${pos} is longer than 32 bits`);
    if (tag >>> 3 === 0) malformed(`field number 0 at byte ${pos} is not valid protobuf`);
    pos = afterTag;
    const field = tag >>> 3, wire = tag & 7;
    const kind = SCHEMA[type][field] as string | undefined;
    const where = `field ${field} of ${type}Proto`;
    const length = (): number => {
      const [n, after] = varint(end, `the length of ${where}`);
      if (after - pos > 5) malformed(`the length of ${where} at byte ${pos} is malformed`);
      pos = after;
      if (n > end - pos) malformed(`${where} at byte ${pos} runs past the end of its message (truncated?)`);
      return n;
    };
    if (kind === undefined) {
      // An unknown field, which the decoder skips.
      if (wire === 0) pos = varint(end, where)[1];
      else if (wire === 1 || wire === 5) { if (end - pos < (wire === 1 ? 8 : 4)) malformed(`${where} runs past its end (truncated?)`); pos += wire === 1 ? 8 : 4; }
      else if (wire === 2) { const n = length(); pos += n; }
      else malformed(`${where} has wire type ${wire} (groups or invalid), which ONNX never uses`);
      continue;
    }
    if (kind in SCHEMA) {
      if (wire !== 2) malformed(`${where} has wire type ${wire}; a message has 2`);
      const n = length();
      if (stack.length >= MAX_DEPTH) fail('too-large', `the file nests messages more than ${MAX_DEPTH} deep`);
      count(1);
      stack.push({ type: kind, end: pos + n });
      continue;
    }
    const scalar = kind.toLowerCase();
    if (kind !== scalar && wire === 2) {
      // A packed run of scalars, which must end exactly at its length.
      const n = length(), runEnd = pos + n;
      if (scalar === 'f' || scalar === 'd') {
        if (n % (scalar === 'f' ? 4 : 8) !== 0) malformed(`${where} packs ${n} bytes, not whole ${scalar === 'f' ? 'floats' : 'doubles'}`);
        pos = runEnd;
      } else {
        while (pos < runEnd) { pos = varint(runEnd, where, scalar === 'i')[1]; count(1); }
      }
      continue;
    }
    if (wire !== WIRE[scalar]) malformed(`${where} has wire type ${wire}; its schema says ${WIRE[scalar]}`);
    if (scalar === 's') { const n = length(); pos += n; count(1); }
    else if (scalar === 'v' || scalar === 'i') { pos = varint(end, where, scalar === 'i')[1]; count(1); }
    else { const n = scalar === 'f' ? 4 : 8; if (end - pos < n) malformed(`${where} runs past its end (truncated?)`); pos += n; }
  }
}

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

/** A node's attributes, each one the operator has, of its type, given once. */
function attributes(n: NodeProto, allowed: Record<string, number>): Attributes {
  const out: Attributes = {};
  for (const a of n.attribute ?? []) {
    const name = a.name ?? '';
    if (!Object.hasOwn(allowed, name)) fail('unsupported-attribute', `${n.opType} has no attribute ${name || '(unnamed)'}`);
    if (Object.hasOwn(out, name)) fail('unsupported-attribute', `attribute ${name} of ${n.opType} is given twice`);
    if (a.type !== allowed[name]) {
      const typeName = (t: number | null | undefined) => onnx.AttributeProto.AttributeType[t ?? 0] ?? `type ${t}`;
      fail('unsupported-attribute', `attribute ${name} of ${n.opType} is ${typeName(a.type)}, ${typeName(allowed[name])} expected`);
    }
    switch (a.type) {
      case INT: out[name] = Number(a.i); break;
      case FLOAT: out[name] = a.f; break;
      case STRING: out[name] = new TextDecoder().decode(a.s ?? new Uint8Array(0)); break;
      case INTS: out[name] = (a.ints ?? []).map(Number); break;
      case FLOATS: out[name] = a.floats ?? []; break;
      default: out[name] = (a.strings ?? []).map((s) => new TextDecoder().decode(s)); break;
    }
  }
  return out;
}

function checkAxes(n: NodeProto, a: Attributes, constant: (name: string, what: string, type: 'int64') => Constant, axis: number): void {
  const axes = (a.axes as number[] | undefined) ?? (n.input?.[1] ? Array.from(constant(n.input[1], 'Squeeze axes', 'int64').values) : undefined);
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
