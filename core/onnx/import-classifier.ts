// The stage of importOnnx (./import.ts) that recognises the classifier in a graph already
// checked to be well formed, and reads its weights. From the frames to the graph's output
// the nodes must form exactly this chain, each node read once, as core/onnx/export.ts
// writes it:
//
//   frames (T, B, F)
//     → [Sub mean (F)] → [Mul 1/std (F) | Div std (F)]      optional normalisation
//     → LSTM | GRU ×L, each Y (T, 1, B, H) → Squeeze axis 1 one cell and hidden size
//     → Squeeze axis 0 of the top layer's Y_h (1, B, H)      'last' pooling, or
//       ReduceMean of Y over T                              'mean' pooling: (B, H)
//     → Gemm (B, H)·(H, C) + (C) → [Softmax over C]         probabilities (B, C)
//
// Dimensions: T steps, B batch, F features, H hidden, I a layer's input (F for the first, H
// after), G gate rows (4H for an LSTM, 3H for a GRU), C classes, L layers.

import type onnxProto from 'onnx-proto';
// What SequenceClassifier accepts (CLASSIFIER_BOUNDS) is what an import may declare.
import { CLASSIFIER_BOUNDS, type ClassifierConfig, type Pooling } from '../nn/classifier.js';
import type { CellKind } from '../nn/layer.js';
import { fail } from './import-errors.js';
import { constantOf, expectDims, finiteValues, vectorOf, type Constants } from './import-tensors.js';

type NodeProto = onnxProto.onnx.INodeProto;

/** A node's attributes by name, decoded and checked against its operator. */
export type Attributes = Record<string, unknown>;


/** A graph the earlier stages checked: allowed operators in topological order, constants read, one input and one output. */
export interface CheckedGraph {
  /** The nodes in order, Identity nodes taken out and looked through. */
  chain: NodeProto[];
  attributes: ReadonlyMap<NodeProto, Attributes>;
  constants: Constants;
  /** The frames tensor, (T, B, F). */
  input: string;
  /** F, from the input's declared shape. */
  inputSize: number;
  /** The graph's output as it is declared, and the tensor it names once Identity nodes are looked through. */
  output: string;
  resolvedOutput: string;
  opsetVersion: number;
}

/** One recurrent layer's weights, flat, in ONNX's layout and gate order (which core/nn keeps). */
export interface RecurrentWeights {
  W: number[];        // (G, I)
  R: number[];        // (G, H)
  B: number[] | null; // (2G) Wb then Rb; null when the file has none (zeros)
  P: number[] | null; // (3H) peepholes i, o, f; null unless the cell is 'peephole'
  I: number;
}

/** The classifier a graph holds: its configuration and every weight. */
export interface RecognisedClassifier {
  config: ClassifierConfig;
  normalisation: { mean: number[] | null; std: number[] | null }; // each (F), null when the file has none
  layers: RecurrentWeights[];
  head: { W: number[]; b: number[] }; // W (C, H), b (C)
}

/** Where the walk along the chain is: its latest tensor, and the one node reading it (null: none). */
interface Position { tensor: string; node: NodeProto | null }

/** Hands out the chain's nodes in the order the classifier reads them, each at most once. */
interface ChainWalk {
  /** The one node reading `tensor`, or null when none does. */
  next(tensor: string): NodeProto | null;
  /** Past `node`: its first output, and the node reading that. */
  after(node: NodeProto): Position;
  attributesOf(node: NodeProto): Attributes;
  /** How many nodes of the chain were never handed out. */
  unvisited(): number;
}

/** The classifier in a checked graph, or an OnnxImportError saying where the graph departs from the chain above. */
export function recogniseClassifier(graph: CheckedGraph): RecognisedClassifier {
  const walk = walkChain(graph);
  const start = graph.input;
  const { normalisation, at } = readNormalisation(graph, walk, { tensor: start, node: walk.next(start) });
  const recurrent = readRecurrentLayers(graph, walk, at);
  const { pooling, pooled } = readPooling(graph, walk, recurrent.lastYh, recurrent.at);
  const head = readHead(graph, walk, pooled, recurrent.hiddenSize);
  const result = readSoftmax(graph, walk, head.logits);
  if (result !== graph.resolvedOutput) fail('bad-graph', `the graph's output ${graph.output} is not the classifier's result`);
  const unvisited = walk.unvisited();
  if (unvisited !== 0) fail('unsupported-graph', `${unvisited} node(s) are not part of the classifier chain`);
  const config: ClassifierConfig = {
    cell: recurrent.cell, inputSize: graph.inputSize, hiddenSize: recurrent.hiddenSize, layers: recurrent.layers.length,
    classes: head.classes, dropout: 0, pooling,
  };
  return { config, normalisation, layers: recurrent.layers, head: { W: head.W, b: head.b } };
}

/** The walk over the chain; a tensor read by more than one node is refused, as the classifier is a chain. */
function walkChain(graph: CheckedGraph): ChainWalk {
  const consumers = new Map<string, NodeProto[]>();
  for (const n of graph.chain) {
    for (const name of n.input ?? []) if (name && !graph.constants.has(name)) consumers.set(name, [...(consumers.get(name) ?? []), n]);
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
  return {
    next,
    after: (node) => {
      const tensor = node.output?.[0] ?? '';
      return { tensor, node: next(tensor) };
    },
    attributesOf: (node) => graph.attributes.get(node) ?? {},
    unvisited: () => graph.chain.length - used.size,
  };
}

/** The optional normalisation: Sub(mean), then Mul(1/std) or Div(std), each of F values. */
function readNormalisation(graph: CheckedGraph, walk: ChainWalk, at: Position): { normalisation: RecognisedClassifier['normalisation']; at: Position } {
  const F = graph.inputSize;
  let mean: number[] | null = null, std: number[] | null = null;
  let { tensor, node } = at;
  if (node?.opType === 'Sub') {
    if (node.input?.[0] !== tensor) fail('bad-graph', 'normalisation must subtract from the input');
    mean = vectorOf(graph.constants, node.input?.[1], F, 'the normalisation mean', 3);
    ({ tensor, node } = walk.after(node));
  }
  if (node?.opType === 'Mul' || node?.opType === 'Div') {
    const [a, b] = node.input ?? [];
    // x / k is not k / x; a product may come either way round.
    if (a !== tensor && !(node.opType === 'Mul' && b === tensor)) fail('bad-graph', `normalisation must ${node.opType === 'Mul' ? 'multiply' : 'divide'} the input`);
    const k = vectorOf(graph.constants, a === tensor ? b : a, F, 'the normalisation scale', 3);
    const bad = k.find((v) => !(v > 0));
    if (bad !== undefined) fail('bad-tensor', `the normalisation scale must be positive, it holds ${bad}`);
    std = node.opType === 'Mul' ? k.map((v) => 1 / v) : k;
    ({ tensor, node } = walk.after(node));
  }
  return { normalisation: { mean, std }, at: { tensor, node } };
}

/** The stack of LSTM or GRU layers, all of one cell and hidden size, each layer's Y read through Squeeze. */
function readRecurrentLayers(graph: CheckedGraph, walk: ChainWalk, at: Position): { cell: CellKind; hiddenSize: number; layers: RecurrentWeights[]; lastYh: string; at: Position } {
  const layers: RecurrentWeights[] = [];
  let cell: CellKind | null = null;
  let H = 0;
  let lastYh = ''; // the top layer's Y_h (1, B, H), for 'last' pooling
  let { tensor, node } = at;
  while (node && (node.opType === 'LSTM' || node.opType === 'GRU')) {
    if (layers.length === CLASSIFIER_BOUNDS.maxLayers) fail('unsupported-graph', `at most ${CLASSIFIER_BOUNDS.maxLayers} recurrent layers are supported`);
    const op = node.opType;
    const a = walk.attributesOf(node);
    const h = checkRecurrentAttributes(op, a);
    const ins = node.input ?? [];
    if (ins[0] !== tensor) fail('bad-graph', `${op} must read the previous layer`);
    if (ins[4] || ins[5] || ins[6]) fail('unsupported-graph', `${op} with sequence_lens or initial states is not supported in a window graph`);
    const { kind, G } = recurrentCell(op, a, ins, h);
    if (cell !== null && (kind !== cell || h !== H)) fail('unsupported-graph', `all recurrent layers must share one cell and hidden size (${cell} ${H}, then ${kind} ${h})`);
    cell = kind; H = h;
    const l = layers.length;
    layers.push(readRecurrentWeights(graph.constants, node, kind, { l, G, I: l === 0 ? graph.inputSize : H, H }));
    const [Y, Yh] = node.output ?? [];
    lastYh = Yh ?? '';
    const squeeze = Y ? walk.next(Y) : null;
    node = null;
    if (!squeeze) break;
    // Y is (T, 1, B, H): whatever reads it must first drop the direction axis.
    if (squeeze.opType !== 'Squeeze' || squeeze.input?.[0] !== Y) fail('unsupported-graph', `${op} output Y must be read through Squeeze (axis 1), not ${squeeze.opType}`);
    checkSqueezeAxis(graph.constants, squeeze, walk.attributesOf(squeeze), 1);
    ({ tensor, node } = walk.after(squeeze));
  }
  if (layers.length === 0 || cell === null) return fail('unsupported-graph', 'the graph has no LSTM or GRU layer');
  return { cell, hiddenSize: H, layers, lastYh, at: { tensor, node } };
}

/** An LSTM's or GRU's attributes as the classifier runs it (forward, default layout and activations, no clip); its hidden_size. */
function checkRecurrentAttributes(op: string, a: Attributes): number {
  const h = Number(a.hidden_size ?? 0);
  if (!(h >= 1 && h <= CLASSIFIER_BOUNDS.maxHidden)) fail('bad-shape', `${op} needs a hidden_size in [1, ${CLASSIFIER_BOUNDS.maxHidden}]`);
  const direction = a.direction ?? 'forward';
  if (direction !== 'forward') fail('unsupported-attribute', `${op} direction ${String(direction)} is not supported (forward only)`);
  if (a.layout !== undefined && a.layout !== 0) fail('unsupported-attribute', `${op} layout = ${String(a.layout)} is not supported`);
  if (a.activations !== undefined || a.activation_alpha !== undefined || a.activation_beta !== undefined) fail('unsupported-attribute', `${op} with custom activations is not supported`);
  if (a.clip !== undefined) fail('unsupported-attribute', `${op} with clip is not supported`);
  return h;
}

/** Which of Hark's cells a recurrent node is, and its gate rows G. */
function recurrentCell(op: string, a: Attributes, ins: string[], h: number): { kind: CellKind; G: number } {
  if (op === 'GRU') {
    if (a.linear_before_reset !== 1) fail('unsupported-attribute', 'GRU needs linear_before_reset = 1');
    return { kind: 'gru', G: 3 * h };
  }
  const inputForget = a.input_forget ?? 0;
  if (inputForget !== 0 && inputForget !== 1) fail('unsupported-attribute', `LSTM input_forget = ${String(inputForget)} is not 0 or 1`);
  const peephole = Boolean(ins[7]);
  if (inputForget === 1 && peephole) fail('unsupported-graph', 'an LSTM with both input_forget and peepholes is not one of the supported cells');
  return { kind: inputForget === 1 ? 'cifg' : peephole ? 'peephole' : 'lstm', G: 4 * h };
}

/** Layer l's W (1, G, I), R (1, G, H), optional B (1, 2G) and, for a peephole cell, P (1, 3H); shapes first, then finiteness. */
function readRecurrentWeights(constants: Constants, node: NodeProto, kind: CellKind, { l, G, I, H }: { l: number; G: number; I: number; H: number }): RecurrentWeights {
  const op = node.opType ?? '';
  const ins = node.input ?? [];
  const W = constantOf(constants, ins[1], `${op} W`), R = constantOf(constants, ins[2], `${op} R`);
  expectDims(W.dims, [1, G, I], `${op} W (layer ${l})`);
  expectDims(R.dims, [1, G, H], `${op} R (layer ${l})`);
  let B: number[] | null = null;
  if (ins[3]) { const b = constantOf(constants, ins[3], `${op} B`); expectDims(b.dims, [1, 2 * G], `${op} B (layer ${l})`); B = finiteValues(b, `${op} B (layer ${l})`); }
  let P: number[] | null = null;
  if (kind === 'peephole') { const p = constantOf(constants, ins[7], 'LSTM P'); expectDims(p.dims, [1, 3 * H], `LSTM P (layer ${l})`); P = finiteValues(p, `LSTM P (layer ${l})`); }
  return { W: finiteValues(W, `${op} W (layer ${l})`), R: finiteValues(R, `${op} R (layer ${l})`), B, P, I };
}

/** What the head sees, (B, H): the top layer's last step (Squeeze of Y_h), or the mean of Y over time (ReduceMean). */
function readPooling(graph: CheckedGraph, walk: ChainWalk, lastYh: string, at: Position): { pooling: Pooling; pooled: string } {
  const yhNode = lastYh ? walk.next(lastYh) : null;
  if (yhNode) {
    if (yhNode.opType !== 'Squeeze' || yhNode.input?.[0] !== lastYh) fail('unsupported-graph', `the last step must be read through Squeeze, not ${yhNode.opType}`);
    checkSqueezeAxis(graph.constants, yhNode, walk.attributesOf(yhNode), 0);
    if (at.node) fail('unsupported-graph', 'the graph reads both the last step and the whole sequence');
    return { pooling: 'last', pooled: yhNode.output?.[0] ?? '' };
  }
  const node = at.node;
  if (!node || node.opType !== 'ReduceMean' || node.input?.[0] !== at.tensor) return fail('unsupported-graph', 'the recurrent output must be pooled by its last step (Y_h) or ReduceMean over time');
  const a = walk.attributesOf(node);
  const axes = (a.axes as number[] | undefined) ?? (node.input?.[1] ? Array.from(constantOf(graph.constants, node.input[1], 'ReduceMean axes', 'int64').values) : undefined);
  if (!axes || axes.length !== 1 || axes[0] !== 0 || (a.keepdims ?? 1) !== 0) fail('unsupported-attribute', 'ReduceMean must average over time (axes [0], keepdims 0)');
  return { pooling: 'mean', pooled: node.output?.[0] ?? '' };
}

/** The Gemm head on the pooled state, weight (C, H) whichever way round the file stores it, bias (C); and its output, the logits. */
function readHead(graph: CheckedGraph, walk: ChainWalk, pooled: string, H: number): { W: number[]; b: number[]; classes: number; logits: string } {
  const gemm = walk.next(pooled);
  if (!gemm || gemm.opType !== 'Gemm' || gemm.input?.[0] !== pooled) return fail('unsupported-graph', 'the head must be a Gemm on the pooled state');
  const a = walk.attributesOf(gemm);
  if ((a.transA ?? 0) !== 0) fail('unsupported-attribute', `Gemm with transA = ${String(a.transA)} is not supported`);
  if ((a.alpha ?? 1) !== 1 || (a.beta ?? 1) !== 1) fail('unsupported-attribute', `Gemm must have alpha = beta = 1, it has alpha = ${String(a.alpha ?? 1)}, beta = ${String(a.beta ?? 1)}`);
  const transBValue = a.transB ?? 0;
  if (transBValue !== 0 && transBValue !== 1) fail('unsupported-attribute', `Gemm transB = ${String(transBValue)} is not 0 or 1`);
  const transB = transBValue === 1;
  const weight = constantOf(graph.constants, gemm.input?.[1], 'the head weight'); // (C, H) with transB, else (H, C)
  if (weight.dims.length !== 2 || weight.dims[transB ? 1 : 0] !== H) fail('bad-shape', `the head weight has shape [${weight.dims.join(', ')}], expected [C, ${H}] (transB = 1) or [${H}, C]`);
  const C = weight.dims[transB ? 0 : 1];
  const { minClasses, maxClasses } = CLASSIFIER_BOUNDS;
  if (!(C >= minClasses && C <= maxClasses)) fail('bad-shape', `the head has ${C} classes; ${minClasses} to ${maxClasses} are supported`);
  const values = finiteValues(weight, 'the head weight');
  const W = transB ? values : transpose(values, H, C);
  const b = gemm.input?.[2] ? vectorOf(graph.constants, gemm.input[2], C, 'the head bias', 2) : new Array<number>(C).fill(0);
  return { W, b, classes: C, logits: gemm.output?.[0] ?? '' };
}

/** The optional Softmax over the classes that ends the chain; the chain's result. */
function readSoftmax(graph: CheckedGraph, walk: ChainWalk, logits: string): string {
  const softmax = walk.next(logits);
  if (!softmax) return logits;
  if (softmax.opType !== 'Softmax') fail('unsupported-graph', `unexpected ${softmax.opType} after the head`);
  // Softmax's default axis became -1 in opset 13; before, 1 (the same for a (B, C) input).
  const axis = Number(walk.attributesOf(softmax).axis ?? (graph.opsetVersion >= 13 ? -1 : 1));
  if (axis !== 1 && axis !== -1) fail('unsupported-attribute', `Softmax must run over the classes (axis 1), not axis ${axis}`);
  const probabilities = softmax.output?.[0] ?? '';
  const after = walk.next(probabilities);
  if (after) fail('unsupported-graph', `nodes after the Softmax are not supported (${after.opType})`);
  return probabilities;
}

/** Fails unless a Squeeze removes exactly `axis`, given as its attribute (opset < 13) or its second input (opset ≥ 13). */
function checkSqueezeAxis(constants: Constants, n: NodeProto, a: Attributes, axis: number): void {
  const axes = (a.axes as number[] | undefined) ?? (n.input?.[1] ? Array.from(constantOf(constants, n.input[1], 'Squeeze axes', 'int64').values) : undefined);
  if (!axes || axes.length !== 1 || axes[0] !== axis) fail('unsupported-graph', `Squeeze must remove axis ${axis}`);
}

/** (rows, cols) → (cols, rows). */
function transpose(values: ArrayLike<number>, rows: number, cols: number): number[] {
  const out = new Array<number>(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}
