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
//
// importOnnx runs these as stages, in this order (the first refusal wins, so the order is
// part of the behaviour):
//   file size → wire walk (./import-wire.ts) → decode → header (graph, opset)
//   → nodes (allow-list, arity, attributes) → constants (./import-tensors.ts)
//   → input and output → topological order → Identity looked through
//   → the classifier's chain recognised and its weights read (./import-classifier.ts)
//   → metadata (labels, features, hark.model) → the SequenceClassifier built.
//
// Dimensions: F features, H hidden, I a layer's input (F for the first, H after), C classes.

import onnxProto from 'onnx-proto';
import { CLASSIFIER_BOUNDS, SequenceClassifier, type ClassifierConfig } from '../nn/classifier.js';
import { MAX_MODEL_BYTES } from './limits.js';
import { HARK_MODEL_FORMAT } from './export.js';
import { recogniseClassifier, type Attributes, type RecognisedClassifier } from './import-classifier.js';
import { fail, NOT_ONNX, OnnxImportError } from './import-errors.js';
import { collectConstants, type Constants } from './import-tensors.js';
import { checkWire } from './import-wire.js';

export { NOT_ONNX, OnnxImportError } from './import-errors.js';

const { onnx } = onnxProto;
type ModelProto = onnxProto.onnx.IModelProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** Bounds on what a file may make the import allocate; each defaults to DEFAULT_LIMITS. */
export interface ImportLimits {
  maxBytes?: number;
  maxTensorElements?: number; // per tensor
  maxNodes?: number;
}

const DEFAULT_LIMITS: Required<ImportLimits> = {
  maxBytes: MAX_MODEL_BYTES,           // 64 MiB
  maxTensorElements: 16 * 1024 * 1024, // 16 M values per tensor
  maxNodes: 256,
};

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

/** The versions of the default domain's operator set whose LSTM, GRU and the rest behave as read here. */
const OPSETS = { min: 7, max: 23 };

/** The metadata Hark writes into every file it exports. */
const HARK_METADATA_KEYS = ['hark.labels', 'hark.features', 'hark.model'];

/** The classifier an ONNX file holds, with its labels and metadata; or an OnnxImportError saying why not. Synchronous. */
export function importOnnx(bytes: Uint8Array, limits: ImportLimits = {}): ImportedModel {
  checkFileSize(bytes, limits.maxBytes ?? DEFAULT_LIMITS.maxBytes);
  checkWire(bytes);
  const proto = decodeModel(bytes);
  const { graph, opsetVersion } = checkHeader(proto);
  const attributes = checkNodes(graph, limits.maxNodes ?? DEFAULT_LIMITS.maxNodes);
  const constants = collectConstants(graph, limits.maxTensorElements ?? DEFAULT_LIMITS.maxTensorElements);
  const { input, inputSize, output } = checkInputAndOutput(graph, constants);
  checkTopologicalOrder(graph, constants);
  const { chain, resolvedOutput } = lookThroughIdentity(graph.node ?? [], output);
  const classifier = recogniseClassifier({ chain, attributes, constants, input, inputSize, output, resolvedOutput, opsetVersion });
  const metadata = readMetadata(proto);
  const labels = readLabels(metadata, classifier.config.classes);
  const features = readFeatureConfig(metadata);
  checkModelDescription(metadata, classifier.config);
  const model = buildModel(classifier);
  return { model, labels, features, producer: `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim(), metadata: Object.fromEntries(metadata) };
}

/** Something to read, and no more than maxBytes of it. */
function checkFileSize(bytes: Uint8Array, maxBytes: number): void {
  if (bytes.length === 0) fail('not-onnx', 'the file is empty');
  if (bytes.length > maxBytes) fail('too-large', `the file is ${bytes.length} bytes; models up to ${maxBytes} are accepted`);
}

/** The ModelProto, from bytes the wire walk has passed. */
function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new OnnxImportError('not-onnx', NOT_ONNX, { cause, detail: `the protobuf decoder refused it (${cause instanceof Error ? cause.message : 'undecodable'})` });
  }
}

/** The model's graph, and the one version of the default domain's operator set it imports. */
function checkHeader(proto: ModelProto): { graph: GraphProto; opsetVersion: number } {
  const graph = proto.graph;
  if (!graph) return fail('not-onnx', 'the file holds no graph');
  const opsets = (proto.opsetImport ?? []).filter((o) => !o.domain || o.domain === 'ai.onnx');
  if (opsets.length > 1) fail('unsupported-opset', `the default domain is imported ${opsets.length} times`);
  const opsetVersion = opsets.length ? Number(opsets[0].version) : 0;
  if (opsetVersion < OPSETS.min || opsetVersion > OPSETS.max) fail('unsupported-opset', `opset ${opsetVersion || 'missing'} of the default domain is not supported (${OPSETS.min}-${OPSETS.max})`);
  return { graph, opsetVersion };
}

/** Between 1 and maxNodes nodes, each an allowed operator with its arity and attributes; their decoded attributes. */
function checkNodes(graph: GraphProto, maxNodes: number): Map<NodeProto, Attributes> {
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
    attrs.set(n, decodeAttributes(n, spec.attributes));
  }
  return attrs;
}

/** A node's attributes, each one the operator has, of its type, given once. */
function decodeAttributes(n: NodeProto, allowed: Record<string, number>): Attributes {
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

/** One input besides the constants, float32 frames (T, B, F) with F declared; one output, float32 when typed. Their names and F. */
function checkInputAndOutput(graph: GraphProto, constants: Constants): { input: string; inputSize: number; output: string } {
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
  if (!(F >= 1 && F <= CLASSIFIER_BOUNDS.maxFeatures)) fail('bad-input', `input ${input.name} must declare its feature count (last dimension)`);
  const outputType = outputs[0].type?.tensorType;
  if (!outputs[0].name) fail('bad-graph', 'the graph output has no name');
  if (outputType && outputType.elemType !== onnx.TensorProto.DataType.FLOAT) fail('bad-graph', `output ${outputs[0].name} must be float32`);
  return { input: input.name ?? '', inputSize: F, output: outputs[0].name ?? '' };
}

/**
 * ONNX requires nodes in topological order: every input is a graph input, a constant or
 * an output of an earlier node. This also rules out cycles.
 */
function checkTopologicalOrder(graph: GraphProto, constants: Constants): void {
  const known = new Set<string>([...(graph.input ?? []).map((i) => i.name ?? ''), ...constants.keys()]);
  for (const n of graph.node ?? []) {
    for (const name of n.input ?? []) {
      if (name && !known.has(name)) fail('bad-graph', `${n.opType} reads ${name} before any node produces it (the graph has a cycle, is out of order or reads a missing tensor)`);
    }
    for (const name of n.output ?? []) {
      if (!name) continue;
      if (known.has(name)) fail('bad-graph', `tensor ${name} is produced twice`);
      known.add(name);
    }
  }
}

/**
 * The nodes without their Identity nodes, each reader of an Identity's output rewired to
 * read its input (in place), and the tensor the graph's output then names. Topological
 * order makes each hop go backwards, so the lookup ends.
 */
function lookThroughIdentity(nodes: NodeProto[], output: string): { chain: NodeProto[]; resolvedOutput: string } {
  const alias = new Map<string, string>();
  const readers = new Set<string>([output]);
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
  return { chain, resolvedOutput: resolve(output) };
}

/** The metadata properties by key, each given once; in a file Hark wrote, all of Hark's own. */
function readMetadata(proto: ModelProto): Map<string, string> {
  const meta = new Map<string, string>();
  for (const p of proto.metadataProps ?? []) {
    const key = p.key ?? '';
    if (meta.has(key)) fail('bad-metadata', `metadata ${key} appears twice`);
    meta.set(key, p.value ?? '');
  }
  // One missing from a Hark file means it was cut short or edited.
  if (proto.producerName === 'hark') {
    for (const key of HARK_METADATA_KEYS) if (!meta.has(key)) fail('bad-metadata', `the file was written by Hark but has no ${key} (truncated?)`);
  }
  return meta;
}

/** A metadata property that is present, parsed as JSON. */
function parseJson(meta: ReadonlyMap<string, string>, key: string): unknown {
  try { return JSON.parse(meta.get(key) as string); } catch { return fail('bad-metadata', `${key} is not JSON`); }
}

/** The class names: hark.labels, one distinct non-empty name per class of the head; class0, class1, … without it. */
function readLabels(meta: ReadonlyMap<string, string>, C: number): string[] {
  if (!meta.has('hark.labels')) return Array.from({ length: C }, (_, c) => `class${c}`);
  const parsed = parseJson(meta, 'hark.labels');
  if (!Array.isArray(parsed) || parsed.some((l) => typeof l !== 'string')) return fail('bad-metadata', 'hark.labels must be a JSON array of strings');
  if (parsed.length !== C) fail('label-mismatch', `hark.labels names ${parsed.length} classes, the head has ${C}`);
  if (parsed.some((l) => l === '')) fail('bad-metadata', 'hark.labels has an empty name');
  const twice = parsed.find((l, i) => parsed.indexOf(l) !== i);
  if (twice !== undefined) fail('bad-metadata', `hark.labels names ${JSON.stringify(twice)} twice`);
  return parsed as string[];
}

/** The feature configuration: hark.features, a JSON object; {} without it. */
function readFeatureConfig(meta: ReadonlyMap<string, string>): Record<string, unknown> {
  if (!meta.has('hark.features')) return {};
  const parsed = parseJson(meta, 'hark.features');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) fail('bad-metadata', 'hark.features must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** hark.model, when present: of a format this import reads, and describing the classifier the graph holds. */
function checkModelDescription(meta: ReadonlyMap<string, string>, config: ClassifierConfig): void {
  if (!meta.has('hark.model')) return;
  const parsed = parseJson(meta, 'hark.model');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('bad-metadata', 'hark.model must be a JSON object');
  const described = parsed as Record<string, unknown>;
  if (described.format !== HARK_MODEL_FORMAT) fail('bad-metadata', `hark.model has format ${JSON.stringify(described.format)}; format ${HARK_MODEL_FORMAT} is supported`);
  for (const key of ['cell', 'inputSize', 'hiddenSize', 'layers', 'classes', 'pooling'] as const) {
    if (described[key] !== config[key]) fail('bad-metadata', `hark.model says ${key} ${JSON.stringify(described[key])}, the graph has ${String(config[key])}`);
  }
}

/** A SequenceClassifier holding the recognised weights, all finite. */
function buildModel({ config, normalisation, layers, head }: RecognisedClassifier): SequenceClassifier {
  const H = config.hiddenSize, F = config.inputSize;
  const model = new SequenceClassifier(config, { seed: 0 });
  const views = new Map(model.tensors().map((t) => [t.name, t.data]));
  // Copies values into the named view; null (a bias the file leaves out) means zeros.
  const put = (name: string, values: ArrayLike<number> | null) => {
    const view = views.get(name);
    if (!view) return;
    if (values === null) { view.fill(0); return; }
    for (let i = 0; i < view.length; i++) view[i] = values[i];
  };
  layers.forEach((layer, l) => {
    put(`layer${l}.W`, layer.W); put(`layer${l}.R`, layer.R); put(`layer${l}.B`, layer.B); put(`layer${l}.P`, layer.P);
  });
  if (config.cell === 'cifg') {
    // ONNX ignores the forget block (gate block 2 of i, o, f, c) with input_forget = 1; our CIFG keeps it at zero.
    for (let l = 0; l < layers.length; l++) {
      const I = layers[l].I;
      views.get(`layer${l}.W`)?.fill(0, 2 * H * I, 3 * H * I);         // W (4H, I)
      views.get(`layer${l}.R`)?.fill(0, 2 * H * H, 3 * H * H);         // R (4H, H)
      const b = views.get(`layer${l}.B`);                              // B (8H): Wb then Rb
      b?.fill(0, 2 * H, 3 * H); b?.fill(0, 4 * H + 2 * H, 4 * H + 3 * H);
    }
  }
  put('head.W', head.W); put('head.b', head.b);
  for (let i = 0; i < model.params.length; i++) if (!Number.isFinite(model.params[i])) fail('non-finite', 'the model holds non-finite weights');
  const { mean, std } = normalisation;
  if (mean || std) model.setNormalization({ mean: mean ?? new Array<number>(F).fill(0), std: std ?? new Array<number>(F).fill(1) });
  return model;
}
