// Export of a trained SequenceClassifier to one ONNX file that onnxruntime (and any other
// ONNX runtime) runs with its native recurrent kernels.
//
// The graph (opset 14, sequence-major, dynamic time and batch):
//   features (T, B, F)
//     → Sub(mean) → Mul(1/std)                          the model's input normalisation
//     → LSTM | GRU  ×L  (Y (T, 1, B, H) → Squeeze → next layer)
//     → last step: Squeeze(Y_h of the top layer) (B, H) | mean: ReduceMean over T
//     → Gemm(head.W, head.b, transB = 1) → Softmax      probabilities (B, C)
// The weights are copied as they are: core/nn keeps them in ONNX's layout and gate order
// (LSTM i, o, f, c with P i, o, f; GRU z, r, h with linear_before_reset = 1; CIFG as
// input_forget = 1 with its unused forget block stored as zeros).
//
// The wire format comes from onnx-proto, the ONNX project's protobuf schema compiled by
// protobufjs, rather than hand-written encoding.

import onnxProto from 'onnx-proto';
import { ConfigError } from '../errors.js';
import type { SequenceClassifier } from '../nn/classifier.js';
import type { NamedTensor } from '../nn/layer.js';

const { onnx } = onnxProto;

export const ONNX_OPSET = 14;
export const HARK_MODEL_FORMAT = 1;

export interface ExportOptions {
  /** Class names in output order (hark.labels); default "class0", "class1", … */
  labels?: string[];
  /** The complete feature configuration the model was trained with (hark.features). */
  features?: Record<string, unknown>;
  /** Producer version recorded in the file. */
  producerVersion?: string;
}

/** The model as ONNX ModelProto bytes. */
export function exportOnnx(model: SequenceClassifier, options: ExportOptions = {}): Uint8Array {
  const { cell, inputSize: F, hiddenSize: H, layers: L, classes: C, pooling } = model.config;
  const labels = options.labels ?? Array.from({ length: C }, (_, c) => `class${c}`);
  if (labels.length !== C) throw new ConfigError('bad-labels', `${labels.length} labels for a model with ${C} classes`);
  for (let i = 0; i < model.params.length; i++) {
    if (!Number.isFinite(model.params[i])) throw new ConfigError('non-finite', 'refusing to export a model with non-finite weights');
  }

  const initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  const nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  const floatTensor = (name: string, dims: number[], data: ArrayLike<number>) => {
    initializers.push(onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(data) }));
    return name;
  };
  const int64Tensor = (name: string, values: number[]) => {
    initializers.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: values }));
    return name;
  };
  const node = (opType: string, inputs: string[], outputs: string[], attribute: InstanceType<typeof onnx.AttributeProto>[] = []) => {
    nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: `${opType}_${nodes.length}`, attribute }));
  };
  const intAttr = (name: string, i: number) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
  const stringAttr = (name: string, s: string) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });
  const intsAttr = (name: string, ints: number[]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });

  // Normalisation: identity when the model has none, so every file has the same interface.
  const norm = model.getNormalization();
  floatTensor('norm.mean', [F], norm ? norm.mean : new Array<number>(F).fill(0));
  floatTensor('norm.inv_std', [F], norm ? norm.std.map((s) => 1 / s) : new Array<number>(F).fill(1));
  node('Sub', ['features', 'norm.mean'], ['normalized.centered']);
  node('Mul', ['normalized.centered', 'norm.inv_std'], ['normalized']);
  int64Tensor('axes.0', [0]);
  int64Tensor('axes.1', [1]);

  const tensors = model.tensors();
  const byName = new Map<string, NamedTensor>(tensors.map((t) => [t.name, t]));
  const weight = (name: string): NamedTensor => {
    const t = byName.get(name);
    if (!t) throw new ConfigError('bad-model', `model has no tensor ${name}`);
    return t;
  };
  let input = 'normalized';
  for (let l = 0; l < L; l++) {
    const W = weight(`layer${l}.W`), R = weight(`layer${l}.R`), B = weight(`layer${l}.B`);
    const names = [floatTensor(`layer${l}.W`, W.shape, W.data), floatTensor(`layer${l}.R`, R.shape, R.data), floatTensor(`layer${l}.B`, B.shape, B.data)];
    const attrs = [intAttr('hidden_size', H), stringAttr('direction', 'forward')];
    if (cell === 'gru') {
      attrs.push(intAttr('linear_before_reset', 1));
      node('GRU', [input, ...names], [`layer${l}.Y`, `layer${l}.Y_h`], attrs);
    } else {
      const inputs = [input, ...names];
      if (cell === 'peephole') {
        const P = weight(`layer${l}.P`);
        inputs.push('', '', '', floatTensor(`layer${l}.P`, P.shape, P.data)); // sequence_lens, initial_h, initial_c omitted
      }
      if (cell === 'cifg') attrs.push(intAttr('input_forget', 1));
      node('LSTM', inputs, [`layer${l}.Y`, `layer${l}.Y_h`], attrs);
    }
    node('Squeeze', [`layer${l}.Y`, 'axes.1'], [`layer${l}.out`]); // (T, B, H)
    input = `layer${l}.out`;
  }
  if (pooling === 'last') node('Squeeze', [`layer${L - 1}.Y_h`, 'axes.0'], ['pooled']);
  else node('ReduceMean', [input], ['pooled'], [intsAttr('axes', [0]), intAttr('keepdims', 0)]);
  const headW = weight('head.W'), headB = weight('head.b');
  node('Gemm', ['pooled', floatTensor('head.W', headW.shape, headW.data), floatTensor('head.b', headB.shape, headB.data)], ['logits'], [intAttr('transB', 1)]);
  node('Softmax', ['logits'], ['probabilities'], [intAttr('axis', 1)]);

  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const valueInfo = (name: string, dims: (number | string)[]) => onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map(dim) } } },
  });
  const graph = onnx.GraphProto.create({
    name: 'hark_keyword_classifier',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('features', ['time', 'batch', F])],
    output: [valueInfo('probabilities', ['batch', C])],
  });
  const metadata = {
    'hark.labels': JSON.stringify(labels),
    'hark.features': JSON.stringify(options.features ?? {}),
    'hark.model': JSON.stringify({ format: HARK_MODEL_FORMAT, cell, inputSize: F, hiddenSize: H, layers: L, classes: C, pooling, normalization: norm }),
  };
  const modelProto = onnx.ModelProto.create({
    irVersion: 7, // what opset 14 pairs with
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'hark',
    producerVersion: options.producerVersion ?? '',
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(modelProto).finish();
}
