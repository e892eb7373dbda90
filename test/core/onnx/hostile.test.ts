// A corpus of malformed and hostile .onnx files, each refused by importOnnx with its own
// OnnxImportError code and a detail naming the problem (for bytes that are not ONNX at all,
// the message says so in plain words and the protobuf particulars are the detail),
// synchronously and without onnxruntime. Most cases start from a valid Hark export and change one thing in the decoded
// ModelProto; the rest are raw bytes (truncations, random data, protobuf built by hand to
// nest deeply, explode into objects or mislabel wire types). The unmodified exports import,
// so the corpus does not pass by accident.
import onnxProto from 'onnx-proto';
import { describe, expect, it, vi } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/classifier.js';
import { exportOnnx } from '../../../core/onnx/export.js';
import { importOnnx, NOT_ONNX, OnnxImportError, type ImportLimits } from '../../../core/onnx/import.js';

// Importing must never need onnxruntime: loading it through anything the import pulls in fails.
vi.mock('onnxruntime-node', () => { throw new Error('onnxruntime-node must not be loaded by the import'); });

const { onnx } = onnxProto;
type Model = InstanceType<typeof onnx.ModelProto>;
type Node = onnxProto.onnx.INodeProto;
type Tensor = onnxProto.onnx.ITensorProto;
const { AttributeType } = onnx.AttributeProto;
const { FLOAT: FLOAT32, INT64, DOUBLE } = onnx.TensorProto.DataType;

interface Case { name: string; bytes: Uint8Array; code: string; message?: RegExp; limits?: ImportLimits }

const LABELS = ['yes', 'no', '_background_'];
function exported(config: Partial<ClassifierConfig>): Uint8Array {
  const model = new SequenceClassifier({ cell: 'lstm', inputSize: 4, hiddenSize: 5, layers: 2, classes: 3, dropout: 0, pooling: 'last', ...config }, { seed: 1 });
  model.setNormalization({ mean: [0.5, -1, 2, 0], std: [1, 2, 0.5, 4] });
  return exportOnnx(model, { labels: LABELS, features: { sampleRate: 16000 } });
}
const BASE = exported({});
const GRU = exported({ cell: 'gru' });
const PEEPHOLE = exported({ cell: 'peephole', layers: 1 });
const MEAN = exported({ pooling: 'mean' });
const THREE = exported({ layers: 3 });

const encode = (m: Model): Uint8Array => onnx.ModelProto.encode(m).finish();
const edit = (bytes: Uint8Array, change: (m: Model) => void): Uint8Array => {
  const m = onnx.ModelProto.decode(bytes);
  change(m);
  return encode(m);
};
const nodes = (m: Model): Node[] => m.graph?.node ?? [];
const nodeOf = (m: Model, op: string, k = 0): Node => {
  const n = nodes(m).filter((x) => x.opType === op)[k];
  if (!n) throw new Error(`no ${op} #${k}`);
  return n;
};
const tensorOf = (m: Model, name: string): Tensor => {
  const t = m.graph?.initializer?.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t;
};
const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: AttributeType.INT, i });
const floatAttr = (name: string, f: number) => onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f });
const stringAttr = (name: string, s: string) => onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) });
/** Replaces (or adds) an attribute by name. */
const setAttr = (n: Node, a: InstanceType<typeof onnx.AttributeProto>) => { n.attribute = [...(n.attribute ?? []).filter((x) => x.name !== a.name), a]; };
const setMeta = (m: Model, key: string, value: string) => {
  const entry = m.metadataProps?.find((p) => p.key === key);
  if (!entry) throw new Error(`no metadata ${key}`);
  entry.value = value;
};
const floatTensor = (name: string, dims: number[], values: number[]) => onnx.TensorProto.create({ name, dims, dataType: FLOAT32, floatData: values });
const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => onnx.ValueInfoProto.create({
  name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

// Raw protobuf writing, for files onnx-proto would not write.
const varint = (v: number): number[] => { const out: number[] = []; while (v > 127) { out.push((v % 128) | 128); v = Math.floor(v / 128); } out.push(v); return out; };
const field = (tag: number, body: ArrayLike<number>): Uint8Array => Uint8Array.from([...varint(tag), ...varint(body.length), ...Array.from(body)]);
/** `levels` messages, each the only field of the one around it: ModelProto.graph, then (GraphProto.node, NodeProto.attribute, AttributeProto.g) over and over. */
function nested(levels: number): Uint8Array {
  const tags = Array.from({ length: levels }, (_, i) => (i === 0 ? 0x3a : [0x0a, 0x2a, 0x32][(i - 1) % 3]));
  const lengths = new Array<number>(levels); // content length of each level
  let inner = 0;
  for (let i = levels - 1; i >= 0; i--) { lengths[i] = inner; inner += 1 + varint(inner).length; }
  const out = new Uint8Array(inner);
  let pos = 0;
  for (let i = 0; i < levels; i++) { out[pos++] = tags[i]; for (const b of varint(lengths[i])) out[pos++] = b; }
  return out;
}
function repeated(count: number, unit: number[]): Uint8Array {
  const out = new Uint8Array(count * unit.length);
  for (let i = 0; i < count; i++) out.set(unit, i * unit.length);
  return out;
}
/** A deterministic byte stream (mulberry32). */
function randomBytes(seed: number, length: number): Uint8Array {
  let s = seed >>> 0;
  return Uint8Array.from({ length }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) >>> 24;
  });
}
/**
 * The same file with its repeated numbers unpacked, one tag per value, as ONNX's own (proto2)
 * writer stores dims and ints; onnx-proto always packs them.
 */
function unpacked(bytes: Uint8Array): Uint8Array {
  const children: Record<string, Record<number, string>> = { Model: { 7: 'Graph' }, Graph: { 1: 'Node', 5: 'Tensor' }, Node: { 5: 'Attribute' }, Tensor: { 1: 'varints', 4: 'floats', 7: 'varints' }, Attribute: { 8: 'varints' } };
  const out: number[] = [];
  const put = (a: ArrayLike<number>) => { for (let i = 0; i < a.length; i++) out.push(a[i]); };
  const walk = (buf: Uint8Array, type: string): void => {
    let pos = 0;
    const read = () => { let v = 0, scale = 1, b; do { b = buf[pos++]; v += (b & 127) * scale; scale *= 128; } while (b >= 128); return v; };
    while (pos < buf.length) {
      const start = pos, tag = read(), f = tag >>> 3, wire = tag & 7;
      if (wire !== 2) { if (wire === 0) read(); else pos += wire === 5 ? 4 : 8; put(buf.subarray(start, pos)); continue; }
      const n = read(), body = buf.subarray(pos, pos + n);
      pos += n;
      const kind = children[type]?.[f];
      if (kind === 'varints') for (let p = 0; p < body.length;) { const s = p; while (body[p++] >= 128); put(varint(f << 3)); put(body.subarray(s, p)); }
      else if (kind === 'floats') for (let p = 0; p < body.length; p += 4) { put(varint((f << 3) | 5)); put(body.subarray(p, p + 4)); }
      else if (kind) { const at = out.length; walk(body, kind); const inner = out.splice(at); put(varint(tag)); put(varint(inner.length)); put(inner); }
      else put(buf.subarray(start, pos));
    }
  };
  walk(bytes, 'Model');
  return Uint8Array.from(out);
}
/** Top-level fields of a ModelProto: [field number, start, end]. */
function topLevel(bytes: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  let pos = 0;
  const read = () => { let v = 0, scale = 1, b; do { b = bytes[pos++]; v += (b & 127) * scale; scale *= 128; } while (b >= 128); return v; };
  while (pos < bytes.length) {
    const start = pos, tag = read();
    if ((tag & 7) === 0) read();
    else if ((tag & 7) === 2) { const n = read(); pos += n; }
    else throw new Error('unexpected wire type in an export');
    out.push([tag >>> 3, start, pos]);
  }
  return out;
}
const metaField = (key: string): [number, number] => {
  const top = topLevel(BASE).filter(([f]) => f === 14);
  const hit = top.find(([, start, end]) => Buffer.from(BASE.subarray(start, end)).includes(key));
  if (!hit) throw new Error(`no ${key}`);
  return [hit[1], hit[2]];
};

const cases: Case[] = [];
const add = (name: string, bytes: Uint8Array, code: string, message?: RegExp, limits?: ImportLimits) => cases.push({ name, bytes, code, message, limits });

// --- Bytes that are not an ONNX model -----------------------------------------------------
add('empty file', new Uint8Array(0), 'not-onnx', /empty/);
add('random bytes, seed 2 (4 KiB)', randomBytes(2, 4096), 'not-onnx', /field 1335 of ModelProto has wire type 3/);
add('random bytes, seed 3 (100 bytes)', randomBytes(3, 100), 'not-onnx', /field 2 of ModelProto has wire type 3; its schema says 2/);
add('random bytes, seed 4 (64 KiB)', randomBytes(4, 65536), 'not-onnx', /field 1373 of ModelProto has wire type 4/);
add('random bytes, seed 5 (7 bytes)', randomBytes(5, 7), 'not-onnx', /field tag in ModelProto at byte 5 .*runs past its end/);
add('random bytes, seed 6', randomBytes(6, 1000), 'not-onnx', /field number 0 at byte 0/);
add('random bytes, seed 8', randomBytes(8, 1000), 'not-onnx', /field 235862 of ModelProto at byte 8 runs past/);
add('random bytes, seed 9', randomBytes(9, 1000), 'not-onnx', /field 6 of ModelProto at byte 3 runs past/);
add('random bytes, seed 10', randomBytes(10, 1000), 'not-onnx', /field tag at byte 0 is longer than 32 bits/);
add('a JSON file', new TextEncoder().encode('{"graph": {"node": []}}'), 'not-onnx', /wire type|byte/);
add('a huge declared length', Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]), 'not-onnx', /field 7 of ModelProto .*runs past/);
{
  const top = topLevel(BASE);
  const graph = top.find(([f]) => f === 7) as [number, number, number];
  const afterGraph = top[top.indexOf(graph) + 1];
  const [labelsStart, labelsEnd] = metaField('hark.labels');
  const [featuresStart, featuresEnd] = metaField('hark.features');
  const [, modelEnd] = metaField('hark.model');
  if (modelEnd !== BASE.length || featuresStart !== labelsEnd) throw new Error('the export no longer ends with hark.labels, hark.features, hark.model');
  add('truncated after 1 byte (inside the first field)', BASE.subarray(0, 1), 'not-onnx', /field 1 of ModelProto .*(runs past|not a valid varint)/);
  add('truncated after ir_version', BASE.subarray(0, top[0][2]), 'not-onnx', /no graph/);
  add('truncated inside the graph\'s length', BASE.subarray(0, graph[1] + 2), 'not-onnx', /length of field 7 of ModelProto|field 7 of ModelProto .*runs past/);
  add('truncated 100 bytes into the graph', BASE.subarray(0, graph[1] + 100), 'not-onnx', /field 7 of ModelProto .*runs past/);
  add('truncated 1 byte before the graph ends', BASE.subarray(0, graph[2] - 1), 'not-onnx', /field 7 of ModelProto .*runs past/);
  if (afterGraph[0] === 8) add('truncated after the graph (no opset_import)', BASE.subarray(0, graph[2]), 'unsupported-opset', /missing/);
  add('truncated before the metadata', BASE.subarray(0, labelsStart), 'bad-metadata', /written by Hark but has no hark\.labels/);
  add('truncated inside hark.labels', BASE.subarray(0, labelsStart + 5), 'not-onnx', /field 14 of ModelProto .*runs past/);
  add('truncated after hark.labels', BASE.subarray(0, labelsEnd), 'bad-metadata', /no hark\.features/);
  add('truncated after hark.features', BASE.subarray(0, featuresEnd), 'bad-metadata', /no hark\.model/);
  add('truncated by its last byte', BASE.subarray(0, BASE.length - 1), 'not-onnx', /field 14 of ModelProto .*runs past/);
}
add('over the size limit', BASE, 'too-large', new RegExp(`${BASE.length} bytes; models up to ${BASE.length - 1}`), { maxBytes: BASE.length - 1 });

// --- Wire format built to hurt the decoder ---------------------------------------------------
add('sub-graphs nested 30 000 deep in attributes', nested(30_000), 'too-large', /nests messages more than 32 deep/);
add('100 000 nested protobuf groups', repeated(100_000, [0xa3, 0x06]), 'not-onnx', /wire type 3 .*never uses/);
add('300 000 empty attributes on one node (an object bomb)', field(0x3a, field(0x0a, repeated(300_000, [0x2a, 0x00]))), 'too-large', /more than 262144 messages/);
add('300 000 packed dims (a Long bomb)', field(0x3a, field(0x2a, field(0x0a, repeated(300_000, [0x01])))), 'too-large', /more than 262144/);
add('the graph field as a varint (wrong wire type)', (() => { const b = Uint8Array.from(BASE); const [, start] = topLevel(BASE).find(([f]) => f === 7) as [number, number, number]; b[start] = 0x38; return b; })(), 'not-onnx', /field 7 of ModelProto has wire type 0; a message has 2/);
add('packed float_data of 5 bytes', field(0x3a, field(0x2a, field(0x22, [0, 0, 128, 63, 0]))), 'not-onnx', /field 4 of TensorProto packs 5 bytes/);

// --- Model-level structure -------------------------------------------------------------------
add('no graph', edit(BASE, (m) => { m.graph = null; }), 'not-onnx', /no graph/);
add('no opset_import', edit(BASE, (m) => { m.opsetImport = []; }), 'unsupported-opset', /opset missing/);
add('opset 3', edit(BASE, (m) => { m.opsetImport = [{ domain: '', version: 3 }]; }), 'unsupported-opset', /opset 3 /);
add('opset 99', edit(BASE, (m) => { m.opsetImport = [{ domain: '', version: 99 }]; }), 'unsupported-opset', /opset 99 /);
add('the default domain imported twice', edit(BASE, (m) => { m.opsetImport = [{ domain: '', version: 14 }, { domain: 'ai.onnx', version: 99 }]; }), 'unsupported-opset', /imported 2 times/);
add('zero nodes', edit(BASE, (m) => { (m.graph as Model['graph'] & object).node = []; }), 'bad-graph', /no nodes/);
add('more nodes than maxNodes', BASE, 'too-large', /9 nodes; at most 5/, { maxNodes: 5 });

// --- Operators -------------------------------------------------------------------------------
add('unknown operator Foo', edit(BASE, (m) => { nodeOf(m, 'Softmax').opType = 'Foo'; }), 'forbidden-operator', /operator Foo is not allowed/);
for (const op of ['Loop', 'If', 'Scan', 'Constant', 'Shape', 'Add']) {
  add(`forbidden operator ${op}`, edit(BASE, (m) => { nodeOf(m, 'Softmax').opType = op; }), 'forbidden-operator', new RegExp(`operator ${op} is not allowed`));
}
add('If carrying sub-graphs', edit(BASE, (m) => {
  const branch = onnx.GraphProto.create({ name: 'b', node: [{ opType: 'Identity', input: ['logits'], output: ['y'] }] });
  nodes(m).push(onnx.NodeProto.create({ opType: 'If', input: ['probabilities'], output: ['z'], attribute: [
    { name: 'then_branch', type: AttributeType.GRAPH, g: branch }, { name: 'else_branch', type: AttributeType.GRAPH, g: branch }] }));
}), 'forbidden-operator', /operator If is not allowed/);
add('operator from com.microsoft', edit(BASE, (m) => { nodeOf(m, 'Gemm').domain = 'com.microsoft'; }), 'forbidden-operator', /com\.microsoft\.Gemm is from another domain/);
add('an unnamed operator', edit(BASE, (m) => { nodeOf(m, 'Softmax').opType = ''; }), 'forbidden-operator', /\(unnamed\)/);
add('Sub with three inputs', edit(BASE, (m) => { nodeOf(m, 'Sub').input?.push('norm.mean'); }), 'bad-graph', /Sub takes 2 input\(s\), node Sub_0 lists 3/);
add('Softmax with two outputs', edit(BASE, (m) => { nodeOf(m, 'Softmax').output?.push('extra'); }), 'bad-graph', /Softmax has 1 output\(s\), node Softmax_\d+ lists 2/);

// --- Attributes ------------------------------------------------------------------------------
add('a GRAPH attribute on Sub', edit(BASE, (m) => { setAttr(nodeOf(m, 'Sub'), onnx.AttributeProto.create({ name: 'body', type: AttributeType.GRAPH, g: { name: 'x' } })); }), 'unsupported-attribute', /Sub has no attribute body/);
add('hidden_size as a GRAPH', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), onnx.AttributeProto.create({ name: 'hidden_size', type: AttributeType.GRAPH, g: { name: 'x' } })); }), 'unsupported-attribute', /hidden_size of LSTM is GRAPH, INT expected/);
add('hidden_size as INTS [5]', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), onnx.AttributeProto.create({ name: 'hidden_size', type: AttributeType.INTS, ints: [5] })); }), 'unsupported-attribute', /hidden_size of LSTM is INTS, INT expected/);
add('an attribute of no type', edit(BASE, (m) => { setAttr(nodeOf(m, 'Gemm'), onnx.AttributeProto.create({ name: 'transB', i: 1 })); }), 'unsupported-attribute', /transB of Gemm is UNDEFINED, INT expected/);
add('an unknown LSTM attribute', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), intAttr('peepholes', 1)); }), 'unsupported-attribute', /LSTM has no attribute peepholes/);
add('direction given twice', edit(BASE, (m) => { nodeOf(m, 'LSTM').attribute?.push(stringAttr('direction', 'reverse')); }), 'unsupported-attribute', /direction of LSTM is given twice/);
add('LSTM direction bidirectional', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), stringAttr('direction', 'bidirectional')); }), 'unsupported-attribute', /direction bidirectional is not supported/);
add('LSTM direction reverse', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM', 1), stringAttr('direction', 'reverse')); }), 'unsupported-attribute', /direction reverse is not supported/);
add('LSTM layout = 1', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), intAttr('layout', 1)); }), 'unsupported-attribute', /layout = 1/);
add('LSTM custom activations', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), onnx.AttributeProto.create({ name: 'activations', type: AttributeType.STRINGS, strings: ['Relu', 'Tanh', 'Tanh'].map((s) => new TextEncoder().encode(s)) })); }), 'unsupported-attribute', /custom activations/);
add('LSTM activation_alpha alone', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), onnx.AttributeProto.create({ name: 'activation_alpha', type: AttributeType.FLOATS, floats: [0.1] })); }), 'unsupported-attribute', /custom activations/);
add('LSTM clip', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), floatAttr('clip', 3)); }), 'unsupported-attribute', /with clip/);
add('LSTM input_forget = 2', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), intAttr('input_forget', 2)); }), 'unsupported-attribute', /input_forget = 2 is not 0 or 1/);
add('GRU linear_before_reset = 0', edit(GRU, (m) => { setAttr(nodeOf(m, 'GRU'), intAttr('linear_before_reset', 0)); }), 'unsupported-attribute', /linear_before_reset = 1/);
add('hidden_size 0', edit(BASE, (m) => { setAttr(nodeOf(m, 'LSTM'), intAttr('hidden_size', 0)); }), 'bad-shape', /hidden_size in \[1, 4096\]/);
add('Gemm transA = 1', edit(BASE, (m) => { setAttr(nodeOf(m, 'Gemm'), intAttr('transA', 1)); }), 'unsupported-attribute', /transA = 1/);
add('Gemm alpha = 2', edit(BASE, (m) => { setAttr(nodeOf(m, 'Gemm'), floatAttr('alpha', 2)); }), 'unsupported-attribute', /alpha = 2, beta = 1/);
add('Gemm transB = 7', edit(BASE, (m) => { setAttr(nodeOf(m, 'Gemm'), intAttr('transB', 7)); }), 'unsupported-attribute', /transB = 7 is not 0 or 1/);
add('Softmax over axis 0', edit(BASE, (m) => { setAttr(nodeOf(m, 'Softmax'), intAttr('axis', 0)); }), 'unsupported-attribute', /not axis 0/);
add('ReduceMean keepdims = 1', edit(MEAN, (m) => { setAttr(nodeOf(m, 'ReduceMean'), intAttr('keepdims', 1)); }), 'unsupported-attribute', /ReduceMean must average over time/);

// --- Graph inputs and outputs ----------------------------------------------------------------
const setInput = (m: Model, elemType: number, dims: (number | string)[]) => { (m.graph as { input: unknown[] }).input = [valueInfo('features', elemType, dims)]; };
add('input of rank 2', edit(BASE, (m) => setInput(m, FLOAT32, ['batch', 4])), 'bad-input', /rank 2/);
add('input of rank 4', edit(BASE, (m) => setInput(m, FLOAT32, ['time', 'batch', 1, 4])), 'bad-input', /rank 4/);
add('input of int64', edit(BASE, (m) => setInput(m, INT64, ['time', 'batch', 4])), 'bad-input', /features must be float32/);
add('input without a feature count', edit(BASE, (m) => setInput(m, FLOAT32, ['time', 'batch', 'F'])), 'bad-input', /feature count/);
add('input without a name', edit(BASE, (m) => { (m.graph as { input: unknown[] }).input = [valueInfo('', FLOAT32, ['time', 'batch', 4])]; }), 'bad-input', /no name/);
add('a graph input named x while the nodes read features', edit(BASE, (m) => { (m.graph as { input: unknown[] }).input = [valueInfo('x', FLOAT32, ['time', 'batch', 4])]; }), 'bad-graph', /Sub reads features before any node produces it/);
add('two graph inputs', edit(BASE, (m) => { m.graph?.input?.push(valueInfo('lengths', INT64, ['batch'])); }), 'bad-graph', /one input .*takes 2/);
add('two graph outputs', edit(BASE, (m) => { m.graph?.output?.push(valueInfo('logits', FLOAT32, ['batch', 3])); }), 'bad-graph', /one output .*has 2/);
add('the output is not the classifier\'s result', edit(BASE, (m) => { (m.graph as { output: unknown[] }).output = [valueInfo('logits', FLOAT32, ['batch', 3])]; }), 'bad-graph', /output logits is not the classifier's result/);
add('the output declared int64', edit(BASE, (m) => { (m.graph as { output: unknown[] }).output = [valueInfo('probabilities', INT64, ['batch', 3])]; }), 'bad-graph', /output probabilities must be float32/);

// --- Graph shape -----------------------------------------------------------------------------
add('a tensor produced twice', edit(BASE, (m) => { (nodeOf(m, 'Mul').output as string[])[0] = 'normalized.centered'; }), 'bad-graph', /normalized\.centered is produced twice/);
add('a cycle (Sub reads the probabilities)', edit(BASE, (m) => { (nodeOf(m, 'Sub').input as string[])[1] = 'probabilities'; }), 'bad-graph', /Sub reads probabilities before any node produces it .*cycle/);
add('nodes out of order', edit(BASE, (m) => { nodes(m).reverse(); }), 'bad-graph', /Softmax reads logits before any node produces it/);
add('a node reading a missing tensor', edit(BASE, (m) => { (nodeOf(m, 'Gemm').input as string[])[2] = 'nowhere'; }), 'bad-graph', /reads nowhere before/);
add('an extra node after the Softmax', edit(BASE, (m) => {
  nodes(m).push(onnx.NodeProto.create({ opType: 'Mul', input: ['probabilities', 'norm.inv_std'], output: ['scaled'] }));
  (m.graph as { output: unknown[] }).output = [valueInfo('scaled', FLOAT32, ['batch', 3])];
}), 'unsupported-graph', /nodes after the Softmax are not supported \(Mul\)/);
add('a dangling node reading layer 0\'s Y_h', edit(BASE, (m) => { nodes(m).push(onnx.NodeProto.create({ opType: 'Squeeze', input: ['layer0.Y_h', 'axes.0'], output: ['dangling'] })); }), 'unsupported-graph', /1 node\(s\) are not part of the classifier chain/);
add('a dangling Identity', edit(BASE, (m) => { nodes(m).push(onnx.NodeProto.create({ opType: 'Identity', input: ['logits'], output: ['copy'] })); }), 'unsupported-graph', /Identity .*copy.* not part of the classifier chain/);
add('a tensor feeding two nodes', edit(BASE, (m) => { nodes(m).push(onnx.NodeProto.create({ opType: 'Softmax', input: ['logits'], output: ['p2'] })); }), 'bad-graph', /logits feeds 2 nodes/);
add('Div with the scale first (k / x)', edit(BASE, (m) => { const n = nodeOf(m, 'Mul'); n.opType = 'Div'; n.input = ['norm.inv_std', 'normalized.centered']; }), 'bad-graph', /must divide the input/);
add('the layer input read from the wrong tensor', edit(BASE, (m) => { (nodeOf(m, 'LSTM', 1).input as string[])[0] = 'normalized'; }), 'bad-graph', /normalized feeds 2 nodes/);
add('no recurrent layer', edit(BASE, (m) => {
  const g = m.graph as { node: Node[] };
  g.node = [nodeOf(m, 'Sub'), nodeOf(m, 'Mul'), onnx.NodeProto.create({ opType: 'Gemm', input: ['normalized', 'head.W', 'head.b'], output: ['probabilities'], attribute: [intAttr('transB', 1)] })];
}), 'unsupported-graph', /no LSTM or GRU layer/);
add('mixed cells: LSTM then GRU', edit(BASE, (m) => { const n = nodeOf(m, 'LSTM', 1); n.opType = 'GRU'; setAttr(n, intAttr('linear_before_reset', 1)); }), 'unsupported-graph', /share one cell .*lstm 5, then gru 5/);
add('4 recurrent layers', edit(THREE, (m) => {
  const last = nodeOf(m, 'LSTM', 2), squeeze = nodes(m).find((n) => n.input?.[0] === 'layer2.Y') as Node;
  const lstm = onnx.NodeProto.create({ ...last, name: 'LSTM_extra', input: ['layer2.out', 'layer2.W', 'layer2.R', 'layer2.B'], output: ['layer3.Y', 'layer3.Y_h'] });
  const sq = onnx.NodeProto.create({ opType: 'Squeeze', input: ['layer3.Y', 'axes.1'], output: ['layer3.out'] });
  nodes(m).splice(nodes(m).indexOf(squeeze) + 1, 0, lstm, sq);
  const pool = nodes(m).find((n) => n.input?.[0] === 'layer2.Y_h') as Node;
  (pool.input as string[])[0] = 'layer3.Y_h';
}), 'unsupported-graph', /at most 3 recurrent layers/);
add('LSTM with sequence_lens', edit(BASE, (m) => {
  m.graph?.initializer?.push(onnx.TensorProto.create({ name: 'seq', dims: [1], dataType: INT64, int64Data: [5] }));
  nodeOf(m, 'LSTM').input = [...(nodeOf(m, 'LSTM').input as string[]), 'seq'];
}), 'unsupported-graph', /sequence_lens or initial states/);
add('LSTM with initial_h', edit(BASE, (m) => {
  m.graph?.initializer?.push(floatTensor('h0', [1, 1, 5], [0, 0, 0, 0, 0]));
  nodeOf(m, 'LSTM').input = [...(nodeOf(m, 'LSTM').input as string[]), '', 'h0'];
}), 'unsupported-graph', /sequence_lens or initial states/);
add('LSTM with both input_forget and P', edit(PEEPHOLE, (m) => { setAttr(nodeOf(m, 'LSTM'), intAttr('input_forget', 1)); }), 'unsupported-graph', /both input_forget and peepholes/);
add('Y read by ReduceMean without its Squeeze', edit(MEAN, (m) => {
  const top = nodes(m).find((n) => n.input?.[0] === 'layer1.Y') as Node;
  m.graph!.node = nodes(m).filter((n) => n !== top);
  (nodeOf(m, 'ReduceMean').input as string[])[0] = 'layer1.Y';
}), 'unsupported-graph', /output Y must be read through Squeeze \(axis 1\), not ReduceMean/);
add('the last step squeezed on the wrong axis', edit(BASE, (m) => { (nodes(m).find((n) => n.input?.[0] === 'layer1.Y_h')?.input as string[])[1] = 'axes.1'; }), 'unsupported-graph', /Squeeze must remove axis 0/);

// --- Tensors ---------------------------------------------------------------------------------
add('a tensor declaring [1, 2^31, 4] without data', edit(BASE, (m) => { const t = tensorOf(m, 'layer0.W'); t.dims = [1, 2 ** 31, 4]; t.floatData = []; }), 'too-large', /layer0\.W declares 8589934592 elements/);
add('a tensor over maxTensorElements', BASE, 'too-large', /declares \d+ elements; at most 10/, { maxTensorElements: 10 });
add('a negative dimension', edit(BASE, (m) => { tensorOf(m, 'layer0.R').dims = [1, -20, 5]; }), 'bad-tensor', /layer0\.R has an invalid dimension in \[1, -20, 5\]/);
add('a dimension of 2^62 (not a safe integer)', edit(BASE, (m) => { tensorOf(m, 'head.b').dims = [2 ** 62]; }), 'bad-tensor', /head\.b has an invalid dimension/);
add('float_data shorter than its dims', edit(BASE, (m) => { tensorOf(m, 'layer1.B').floatData?.pop(); }), 'bad-tensor', /layer1\.B holds 39 floats in float_data, its shape needs 40/);
add('raw_data one byte short', edit(BASE, (m) => { const t = tensorOf(m, 'head.W'); t.rawData = new Uint8Array(15 * 4 - 1); t.floatData = []; }), 'bad-tensor', /head\.W holds 59 bytes of raw_data for 15 floats/);
add('raw_data and float_data both', edit(BASE, (m) => { tensorOf(m, 'head.W').rawData = new Uint8Array(15 * 4); }), 'bad-tensor', /head\.W holds both raw_data and typed data/);
add('a double tensor', edit(BASE, (m) => { const t = tensorOf(m, 'head.b'); t.dataType = DOUBLE; t.doubleData = [0, 0, 0]; t.floatData = []; }), 'bad-tensor', /head\.b has data type 11/);
add('W stored as int64', edit(BASE, (m) => { const t = tensorOf(m, 'layer0.W'); t.dataType = INT64; t.int64Data = new Array(80).fill(0); t.floatData = []; }), 'bad-tensor', /LSTM W must be a float32 tensor/);
add('Squeeze axes stored as float', edit(BASE, (m) => { const t = tensorOf(m, 'axes.1'); t.dataType = FLOAT32; t.floatData = [1]; t.int64Data = []; }), 'bad-tensor', /Squeeze axes must be an int64 tensor/);
add('data_location EXTERNAL', edit(BASE, (m) => { tensorOf(m, 'layer0.W').dataLocation = onnx.TensorProto.DataLocation.EXTERNAL; }), 'external-data', /layer0\.W points to external data/);
add('external_data at ../../etc/passwd', edit(BASE, (m) => { tensorOf(m, 'layer0.R').externalData = [{ key: 'location', value: '../../etc/passwd' }, { key: 'length', value: '400' }]; }), 'external-data', /layer0\.R points to external data \("\.\.\/\.\.\/etc\/passwd"\)/);
add('a sparse initializer', edit(BASE, (m) => { m.graph!.sparseInitializer = [{ values: floatTensor('v', [1], [1]), indices: { name: 'i', dims: [1], dataType: INT64, int64Data: [0] }, dims: [4] }]; }), 'bad-tensor', /sparse initializers/);
add('an unnamed initializer', edit(BASE, (m) => { tensorOf(m, 'layer0.B').name = ''; }), 'bad-tensor', /initializer has no name/);
add('an initializer defined twice', edit(BASE, (m) => { m.graph?.initializer?.push(floatTensor('head.b', [3], [0, 0, 0])); }), 'bad-graph', /head\.b is defined twice/);
add('W of the wrong shape', edit(BASE, (m) => { const t = tensorOf(m, 'layer0.W'); t.dims = [1, 16, 5]; }), 'bad-shape', /LSTM W \(layer 0\) has shape \[1, 16, 5\], expected \[1, 20, 4\]/);
add('R of the wrong shape', edit(BASE, (m) => { const t = tensorOf(m, 'layer1.R'); t.dims = [1, 25, 4]; }), 'bad-shape', /LSTM R \(layer 1\) has shape \[1, 25, 4\], expected \[1, 20, 5\]/);
add('B of the wrong length', edit(BASE, (m) => { const t = tensorOf(m, 'layer0.B'); t.dims = [1, 39]; t.floatData?.pop(); }), 'bad-shape', /LSTM B \(layer 0\) has shape \[1, 39\], expected \[1, 40\]/);
add('P of the wrong length', edit(PEEPHOLE, (m) => { const t = tensorOf(m, 'layer0.P'); t.dims = [1, 14]; t.floatData?.pop(); }), 'bad-shape', /LSTM P \(layer 0\) has shape \[1, 14\], expected \[1, 15\]/);
add('a head weight not matching H', edit(BASE, (m) => { const t = tensorOf(m, 'head.W'); t.dims = [5, 3]; }), 'bad-shape', /head weight has shape \[5, 3\], expected \[C, 5\]/);
add('one class only', edit(BASE, (m) => {
  const w = tensorOf(m, 'head.W'); w.dims = [1, 5]; w.floatData = w.floatData?.slice(0, 5);
  const b = tensorOf(m, 'head.b'); b.dims = [1]; b.floatData = [0];
  setMeta(m, 'hark.labels', '["yes"]');
}), 'bad-shape', /the head has 1 classes/);
add('a head bias of the wrong length', edit(BASE, (m) => { const b = tensorOf(m, 'head.b'); b.dims = [4]; b.floatData = [0, 0, 0, 0]; }), 'bad-shape', /head bias has 4 values, 3 expected/);
add('a normalisation vector of the wrong length', edit(BASE, (m) => { const t = tensorOf(m, 'norm.mean'); t.dims = [3]; t.floatData = t.floatData?.slice(0, 3); }), 'bad-shape', /normalisation mean has 3 values, 4 expected/);
add('a normalisation vector of shape [4, 1]', edit(BASE, (m) => { tensorOf(m, 'norm.inv_std').dims = [4, 1]; }), 'bad-shape', /normalisation scale has shape \[4, 1\]/);
add('a normalisation scale of zero', edit(BASE, (m) => { (tensorOf(m, 'norm.inv_std').floatData as number[])[1] = 0; }), 'bad-tensor', /scale must be positive, it holds 0/);
add('a negative normalisation scale', edit(BASE, (m) => { (tensorOf(m, 'norm.inv_std').floatData as number[])[2] = -2; }), 'bad-tensor', /scale must be positive, it holds -2/);

// --- Non-finite values -----------------------------------------------------------------------
const poison = (name: string, i: number, v: number) => edit(BASE, (m) => { (tensorOf(m, name).floatData as number[])[i] = v; });
add('NaN in R of layer 1', poison('layer1.R', 3, NaN), 'non-finite', /LSTM R \(layer 1\) holds NaN or Infinity/);
add('Infinity in the head weight', poison('head.W', 0, Infinity), 'non-finite', /head weight holds NaN or Infinity/);
add('-Infinity in B of layer 0', poison('layer0.B', 7, -Infinity), 'non-finite', /LSTM B \(layer 0\) holds NaN/);
add('NaN in the normalisation mean', poison('norm.mean', 0, NaN), 'non-finite', /normalisation mean holds NaN/);
add('Infinity in the normalisation scale', poison('norm.inv_std', 3, Infinity), 'non-finite', /normalisation scale holds NaN/);
add('NaN in the head bias', poison('head.b', 2, NaN), 'non-finite', /head bias holds NaN/);

// --- Metadata --------------------------------------------------------------------------------
const meta = (key: string, value: string) => edit(BASE, (m) => setMeta(m, key, value));
add('hark.labels not JSON', meta('hark.labels', '["yes", "no"'), 'bad-metadata', /hark\.labels is not JSON/);
add('hark.labels naming 2 classes for a head of 3', meta('hark.labels', '["yes", "no"]'), 'label-mismatch', /names 2 classes, the head has 3/);
add('hark.labels naming 4 classes for a head of 3', meta('hark.labels', '["a", "b", "c", "d"]'), 'label-mismatch', /names 4 classes, the head has 3/);
add('hark.labels with numbers', meta('hark.labels', '[1, 2, 3]'), 'bad-metadata', /array of strings/);
add('hark.labels an object', meta('hark.labels', '{"0": "yes"}'), 'bad-metadata', /array of strings/);
add('hark.labels naming one class twice', meta('hark.labels', '["yes", "no", "yes"]'), 'bad-metadata', /names "yes" twice/);
add('hark.labels with an empty name', meta('hark.labels', '["yes", "", "no"]'), 'bad-metadata', /empty name/);
add('hark.features an array', meta('hark.features', '[16000]'), 'bad-metadata', /hark\.features must be a JSON object/);
add('hark.features not JSON', meta('hark.features', '{sampleRate: 16000}'), 'bad-metadata', /hark\.features is not JSON/);
add('hark.model not matching the graph', edit(BASE, (m) => {
  const entry = m.metadataProps?.find((p) => p.key === 'hark.model');
  (entry as { value: string }).value = JSON.stringify({ ...JSON.parse(entry?.value ?? '{}'), hiddenSize: 64 });
}), 'bad-metadata', /hark\.model says hiddenSize 64, the graph has 5/);
add('hark.model of an unknown format', edit(BASE, (m) => {
  const entry = m.metadataProps?.find((p) => p.key === 'hark.model');
  (entry as { value: string }).value = JSON.stringify({ ...JSON.parse(entry?.value ?? '{}'), format: 2 });
}), 'bad-metadata', /format 2; format 1 is supported/);
add('hark.model not JSON', meta('hark.model', 'lstm'), 'bad-metadata', /hark\.model is not JSON/);
add('hark.labels given twice', edit(BASE, (m) => { m.metadataProps?.push({ key: 'hark.labels', value: '["a", "b", "c"]' }); }), 'bad-metadata', /hark\.labels appears twice/);
add('a Hark file without hark.model', edit(BASE, (m) => { m.metadataProps = m.metadataProps?.filter((p) => p.key !== 'hark.model'); }), 'bad-metadata', /written by Hark but has no hark\.model/);

describe('a corpus of malformed and hostile .onnx files', () => {
  it('holds at least 35 cases with distinct names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each([['lstm, 2 layers', BASE], ['gru', GRU], ['peephole', PEEPHOLE], ['mean pooling', MEAN], ['3 layers', THREE]] as const)('the unmodified export (%s) imports', (_, bytes) => {
    const imported = importOnnx(bytes);
    expect(imported.labels).toEqual(LABELS);
    expect(imported.features).toEqual({ sampleRate: 16000 });
    // and so does the same file decoded and re-encoded, which every mutation goes through
    expect(importOnnx(edit(bytes, () => {})).model.params).toEqual(imported.model.params);
  });

  it('a file written with unpacked repeated fields (as ONNX\'s own writer does) imports the same', () => {
    const loose = unpacked(BASE);
    expect(loose.length).toBeGreaterThan(BASE.length);
    expect(importOnnx(loose).model.params).toEqual(importOnnx(BASE).model.params);
  });

  it('Identity nodes in the chain are looked through', () => {
    const withIdentities = edit(BASE, (m) => {
      for (const n of nodes(m)) n.input = (n.input ?? []).map((x) => (x === 'normalized.centered' ? 'centered.copy' : x === 'layer0.W' ? 'W.copy' : x));
      nodes(m).splice(1, 0, onnx.NodeProto.create({ opType: 'Identity', input: ['normalized.centered'], output: ['centered.copy'] }), onnx.NodeProto.create({ opType: 'Identity', input: ['layer0.W'], output: ['W.copy'] }));
      nodes(m).push(onnx.NodeProto.create({ opType: 'Identity', input: ['probabilities'], output: ['result'] }));
      (m.graph as { output: unknown[] }).output = [valueInfo('result', FLOAT32, ['batch', 3])];
    });
    expect(importOnnx(withIdentities).model.params).toEqual(importOnnx(BASE).model.params);
  });

  it.each(cases)('$name → $code', ({ bytes, code, message, limits }) => {
    let thrown: unknown = null;
    try {
      importOnnx(bytes, limits);
    } catch (error) {
      thrown = error;
    }
    expect(thrown, 'the file was accepted').not.toBeNull();
    if (!(thrown instanceof OnnxImportError)) throw new Error(`expected an OnnxImportError, got ${String(thrown)}`, { cause: thrown });
    expect({ code: thrown.code, detail: thrown.detail }).toEqual({ code, detail: expect.stringMatching(message ?? /./) });
    // No protobuf jargon in what a user reads: the particulars are the detail only.
    expect(thrown.message).not.toMatch(/wire type|ModelProto|varint|protobuf|at byte \d/);
    if (thrown.detail !== thrown.message) expect(thrown.message).toBe(NOT_ONNX);
  });

  it('3000 randomly corrupted exports: each imports or is refused by the checks, never by the decoder or another error', () => {
    const rng = randomBytes(77, 3000 * 40); // at most 11 picks of 2 bytes each per file
    let at = 0;
    const pick = (n: number) => ((rng[at++] << 8) | rng[at++]) % n;
    for (let k = 0; k < 3000; k++) {
      const base = [BASE, GRU, PEEPHOLE, MEAN][k % 4];
      const bytes = Uint8Array.from(base);
      for (let f = 1 + pick(3); f > 0; f--) bytes[pick(bytes.length)] = [0, 0x80, 0xff, 0x7f, 2, 3, 5, 7, pick(256)][pick(9)];
      try {
        importOnnx(bytes.subarray(0, k % 10 === 0 ? pick(bytes.length) : bytes.length));
      } catch (error) {
        if (!(error instanceof OnnxImportError)) throw error;
        // the wire walk reads the bytes as the decoder does, so the decoder itself never refuses
        expect(error.detail).not.toMatch(/^the protobuf decoder refused it/);
      }
    }
  });

  it('refuses synchronously, without onnxruntime', () => {
    // importOnnx returns a value or throws; nothing is awaited, and onnxruntime-node is mocked to
    // fail if anything loads it.
    for (const c of cases.filter((x) => /^(empty file|opset 99|LSTM clip|data_location EXTERNAL|hark\.labels not JSON|sub-graphs nested)/.test(x.name))) {
      expect(() => importOnnx(c.bytes, c.limits)).toThrow(OnnxImportError);
    }
    expect(importOnnx(BASE)).not.toBeInstanceOf(Promise);
  });
});
