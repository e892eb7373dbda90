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
  /**
   * The streaming form: besides `features` it takes and returns the recurrent state,
   * `h_in.<l>`/`c_in.<l>` → `h_out.<l>`/`c_out.<l>` (each [1, B, H]; c only for the LSTMs),
   * and for mean pooling `pool_sum_in`/`pool_count_in` → `pool_sum_out`/`pool_count_out`
   * ([B, H] and [1]), so a runtime can feed a window a few frames at a time.
   */
  streaming?: boolean;
  /** Class names in output order (hark.labels); default "class0", "class1", … */
  labels?: string[];
  /** The complete feature configuration the model was trained with (hark.features). */
  features?: Record<string, unknown>;
  /** Producer version recorded in the file. */
  producerVersion?: string;
  /** More metadata properties (keys starting with 'hark.', besides the three written here), e.g. hark.calibration. */
  metadata?: Record<string, string>;
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
  int64Tensor('axes.1', [1]);
  // axis 0 is needed by the last-step Squeeze and the streaming mean, not by ReduceMean (an attribute)
  if (pooling === 'last' || (options.streaming ?? false)) int64Tensor('axes.0', [0]);

  const tensors = model.tensors();
  const byName = new Map<string, NamedTensor>(tensors.map((t) => [t.name, t]));
  const weight = (name: string): NamedTensor => {
    const t = byName.get(name);
    if (!t) throw new ConfigError('bad-model', `model has no tensor ${name}`);
    return t;
  };
  const streaming = options.streaming ?? false;
  const hasCell = cell !== 'gru';
  const stateInputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  const stateOutputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  let input = 'normalized';
  for (let l = 0; l < L; l++) {
    const W = weight(`layer${l}.W`), R = weight(`layer${l}.R`), B = weight(`layer${l}.B`);
    const names = [floatTensor(`layer${l}.W`, W.shape, W.data), floatTensor(`layer${l}.R`, R.shape, R.data), floatTensor(`layer${l}.B`, B.shape, B.data)];
    const attrs = [intAttr('hidden_size', H), stringAttr('direction', 'forward')];
    // Optional inputs sequence_lens (never), initial_h and initial_c (streaming only) are ''.
    const hIn = streaming ? `h_in.${l}` : '', cIn = streaming && hasCell ? `c_in.${l}` : '';
    const yH = streaming ? `h_out.${l}` : `layer${l}.Y_h`;
    if (streaming) {
      stateInputs.push(valueInfo(hIn, [1, 'batch', H]));
      stateOutputs.push(valueInfo(yH, [1, 'batch', H]));
      if (hasCell) { stateInputs.push(valueInfo(cIn, [1, 'batch', H])); stateOutputs.push(valueInfo(`c_out.${l}`, [1, 'batch', H])); }
    }
    if (cell === 'gru') {
      attrs.push(intAttr('linear_before_reset', 1));
      node('GRU', trimOptional([input, ...names, '', hIn]), [`layer${l}.Y`, yH], attrs);
    } else {
      const inputs = [input, ...names, '', hIn, cIn];
      if (cell === 'peephole') {
        const P = weight(`layer${l}.P`);
        inputs.push(floatTensor(`layer${l}.P`, P.shape, P.data));
      }
      if (cell === 'cifg') attrs.push(intAttr('input_forget', 1));
      node('LSTM', trimOptional(inputs), [`layer${l}.Y`, yH, ...(streaming ? [`c_out.${l}`] : [])], attrs);
    }
    node('Squeeze', [`layer${l}.Y`, 'axes.1'], [`layer${l}.out`]); // (T, B, H)
    input = `layer${l}.out`;
  }
  const topH = streaming ? `h_out.${L - 1}` : `layer${L - 1}.Y_h`;
  if (pooling === 'last') {
    node('Squeeze', [topH, 'axes.0'], ['pooled']);
  } else if (!streaming) {
    node('ReduceMean', [input], ['pooled'], [intsAttr('axes', [0]), intAttr('keepdims', 0)]);
  } else {
    // Running mean over every frame fed so far: sum (B, H) and count (1) are state.
    stateInputs.push(valueInfo('pool_sum_in', ['batch', H]), valueInfo('pool_count_in', [1]));
    stateOutputs.push(valueInfo('pool_sum_out', ['batch', H]), valueInfo('pool_count_out', [1]));
    node('ReduceSum', [input, 'axes.0'], ['pool.chunk_sum'], [intAttr('keepdims', 0)]);
    node('Add', ['pool_sum_in', 'pool.chunk_sum'], ['pool_sum_out']);
    node('Shape', [input], ['pool.shape']);
    node('Gather', ['pool.shape', 'axes.0'], ['pool.steps_i64'], [intAttr('axis', 0)]);
    node('Cast', ['pool.steps_i64'], ['pool.steps'], [intAttr('to', onnx.TensorProto.DataType.FLOAT)]);
    node('Add', ['pool_count_in', 'pool.steps'], ['pool_count_out']);
    node('Div', ['pool_sum_out', 'pool_count_out'], ['pooled']);
  }
  const headW = weight('head.W'), headB = weight('head.b');
  node('Gemm', ['pooled', floatTensor('head.W', headW.shape, headW.data), floatTensor('head.b', headB.shape, headB.data)], ['logits'], [intAttr('transB', 1)]);
  node('Softmax', ['logits'], ['probabilities'], [intAttr('axis', 1)]);

  const graph = onnx.GraphProto.create({
    name: streaming ? 'hark_keyword_classifier_streaming' : 'hark_keyword_classifier',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('features', ['time', 'batch', F]), ...stateInputs],
    output: [valueInfo('probabilities', ['batch', C]), ...stateOutputs],
  });
  const own = ['hark.labels', 'hark.features', 'hark.model'];
  for (const key of Object.keys(options.metadata ?? {})) {
    if (!key.startsWith('hark.') || own.includes(key)) throw new ConfigError('bad-metadata', `metadata key ${JSON.stringify(key)} must start with "hark." and not be one of ${own.join(', ')}`);
  }
  const metadata = {
    ...options.metadata,
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

function valueInfo(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/** Drop trailing omitted ('') optional inputs, as ONNX writers do. */
function trimOptional(inputs: string[]): string[] {
  let n = inputs.length;
  while (n > 0 && inputs[n - 1] === '') n--;
  return inputs.slice(0, n);
}
