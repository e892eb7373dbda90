// Import: Hark's own files round-trip bit for bit and train on; a differently written graph
// of the same shape (raw_data tensors, Div normalisation, Gemm with transB = 0, no Softmax,
// no metadata) imports and agrees with onnxruntime running the same file.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { exportOnnx } from '../../../core/onnx/export.js';
import { importOnnx } from '../../../core/onnx/import.js';
import { Random } from '../../../core/tensor/random.js';
import { Trainer, evaluateDataset } from '../../../core/train/trainer.js';
import { recallFirstToken } from '../train/tasks.js';

const { onnx } = onnxProto;

function model(config: ClassifierConfig, seed: number): SequenceClassifier {
  const m = new SequenceClassifier(config, { seed });
  const rng = new Random(seed);
  for (const t of m.tensors()) for (let i = 0; i < t.data.length; i++) if (t.data[i] !== 0 || t.name.endsWith('.B') || t.name === 'head.b') t.data[i] += 0.1 * rng.normal();
  if (config.cell === 'cifg') for (let l = 0; l < config.layers; l++) { // keep the unused block at zero, as training does
    const H = config.hiddenSize, I = l === 0 ? config.inputSize : H;
    const [W, R, B] = m.layers[l].tensors();
    W.data.fill(0, 2 * H * I, 3 * H * I); R.data.fill(0, 2 * H * H, 3 * H * H); B.data.fill(0, 2 * H, 3 * H); B.data.fill(0, 6 * H, 7 * H);
  }
  return m;
}

describe.each(CELL_KINDS)('%s: export → import → export', (cell) => {
  it.each([{ layers: 1, pooling: 'last' as const }, { layers: 2, pooling: 'mean' as const }, { layers: 3, pooling: 'last' as const }])('$layers layer(s), $pooling pooling: the same bytes, the same outputs, and it trains on', async ({ layers, pooling }) => {
    const original = model({ cell, inputSize: 6, hiddenSize: 8, layers, classes: 3, dropout: 0, pooling }, 4);
    original.setNormalization({ mean: [0.1, -0.2, 0.3, 0, 1, 2], std: [1, 2, 0.5, 0.25, 3, 1.5] });
    const labels = ['go', 'stop', '_background_'];
    const first = exportOnnx(original, { labels, features: { sampleRate: 16000, hopMs: 10 } });
    const imported = importOnnx(first);
    expect(imported.labels).toEqual(labels);
    expect(imported.features).toEqual({ sampleRate: 16000, hopMs: 10 });
    expect(imported.model.config).toEqual(original.config);
    expect(Buffer.from(imported.model.params.buffer).equals(Buffer.from(original.params.buffer))).toBe(true);
    const second = exportOnnx(imported.model, { labels, features: imported.features });
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    // it trains on: a few epochs on the memory task lower the loss
    const data = recallFirstToken(64, 5, 3, 1);
    const fresh = importOnnx(exportOnnx(model({ cell, inputSize: 4, hiddenSize: 8, layers, classes: 3, dropout: 0, pooling }, 5)));
    const before = evaluateDataset(fresh.model, data).loss;
    for await (const _ of new Trainer(fresh.model, { epochs: 8, batchSize: 16, learningRate: 1e-2 }).run(data, null)) { /* drain */ }
    expect(evaluateDataset(fresh.model, data).loss).toBeLessThan(before);
  });
});

describe('a graph written differently but of the same shape', () => {
  it('imports and agrees with onnxruntime on the same file', async () => {
    const I = 5, H = 6, C = 4;
    const rng = new Random(9);
    const rand = (n: number) => Array.from({ length: n }, () => 0.4 * rng.normal());
    const raw = (values: number[]) => { const b = new Uint8Array(values.length * 4); const v = new DataView(b.buffer); values.forEach((x, i) => v.setFloat32(i * 4, x, true)); return b; };
    const tensor = (name: string, dims: number[], values: number[]) => onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw(values) });
    const std = Array.from({ length: I }, () => 0.5 + rng.next());
    const headW = rand(H * C); // [H, C]: Gemm with transB = 0
    const graph = onnx.GraphProto.create({
      name: 'foreign',
      initializer: [
        tensor('mu', [I], rand(I)), tensor('sigma', [I], std),
        tensor('W', [1, 3 * H, I], rand(3 * H * I)), tensor('R', [1, 3 * H, H], rand(3 * H * H)), tensor('B', [1, 6 * H], rand(6 * H)),
        onnx.TensorProto.create({ name: 'ax0', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [0] }),
        tensor('Wh', [H, C], headW), tensor('bh', [C], rand(C)),
      ],
      node: [
        onnx.NodeProto.create({ opType: 'Sub', input: ['x', 'mu'], output: ['a'] }),
        onnx.NodeProto.create({ opType: 'Div', input: ['a', 'sigma'], output: ['b'] }),
        onnx.NodeProto.create({ opType: 'GRU', input: ['b', 'W', 'R', 'B'], output: ['', 'hT'], attribute: [
          { name: 'hidden_size', type: onnx.AttributeProto.AttributeType.INT, i: H },
          { name: 'linear_before_reset', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
        ] }),
        onnx.NodeProto.create({ opType: 'Squeeze', input: ['hT', 'ax0'], output: ['h'] }),
        onnx.NodeProto.create({ opType: 'Gemm', input: ['h', 'Wh', 'bh'], output: ['logits'] }),
      ],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'T' }, { dimParam: 'N' }, { dimValue: I }] } } } }],
      output: [{ name: 'logits', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: C }] } } } }],
    });
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'elsewhere', graph })).finish();
    const imported = importOnnx(bytes);
    expect(imported.model.config).toMatchObject({ cell: 'gru', inputSize: I, hiddenSize: H, layers: 1, classes: C, pooling: 'last' });
    expect(imported.labels).toEqual(['class0', 'class1', 'class2', 'class3']);
    const session = await ort.InferenceSession.create(bytes);
    const T = 12, B = 2;
    const x = new Float32Array(T * B * I).map(() => rng.normal());
    const logits = (await session.run({ x: new ort.Tensor('float32', x, [T, B, I]) })).logits.data as Float32Array;
    await session.release();
    const probs = imported.model.forward(x, T, B); // ours ends in softmax; the file does not
    for (let b = 0; b < B; b++) {
      const row = Array.from(logits.subarray(b * C, (b + 1) * C));
      const max = Math.max(...row), sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
      row.forEach((v, c) => expect(Math.abs(Math.exp(v - max) / sum - probs[b * C + c])).toBeLessThan(1e-5));
    }
  });
});
