// The exported file run by onnxruntime-node against our own forward: every cell ×
// {1, 2 layers} × batch {1, 3} × length {1, 49, 101}, plus mean pooling and input
// normalisation, to 1e-5 absolute. onnxruntime is the reference, not our code.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { SequenceClassifier, type ClassifierConfig } from '../../../core/nn/classifier.js';
import { CELL_KINDS } from '../../../core/nn/layer.js';
import { exportOnnx } from '../../../core/onnx/export.js';
import { Random } from '../../../core/tensor/random.js';

const F = 13, H = 16, C = 5;
const sessions: ort.InferenceSession[] = [];
afterAll(async () => { await Promise.all(sessions.map((s) => s.release())); });

function trainedLooking(config: ClassifierConfig, seed: number, normalized: boolean): SequenceClassifier {
  const model = new SequenceClassifier(config, { seed });
  const rng = new Random(seed + 1);
  // Move every weight off its initial value (biases and peepholes included) so nothing
  // passes by being zero; the CIFG forget block must stay zero as the cell keeps it.
  for (const t of model.tensors()) for (let i = 0; i < t.data.length; i++) if (t.data[i] !== 0 || !t.name.endsWith('.W') && !t.name.endsWith('.R')) t.data[i] += 0.2 * rng.normal();
  if (normalized) model.setNormalization({ mean: Array.from({ length: F }, () => rng.normal()), std: Array.from({ length: F }, () => 0.5 + rng.next()) });
  return model;
}

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  sessions.push(s);
  return s;
}

async function compare(model: SequenceClassifier, T: number, B: number, seed: number): Promise<number> {
  const s = await session(exportOnnx(model));
  const rng = new Random(seed);
  const x = new Float32Array(T * B * F).map(() => 2 * rng.normal());
  const ours = Array.from(model.forward(x, T, B));
  const out = await s.run({ features: new ort.Tensor('float32', x, [T, B, F]) });
  const theirs = out.probabilities;
  expect(theirs.dims).toEqual([B, C]);
  let worst = 0;
  (theirs.data as Float32Array).forEach((v, i) => { worst = Math.max(worst, Math.abs(v - ours[i])); });
  return worst;
}

describe.each(CELL_KINDS)('%s: onnxruntime-node runs the export as our forward does', (cell) => {
  for (const layers of [1, 2]) {
    it(`${layers} layer(s), batch 1 and 3, lengths 1, 49, 101`, async () => {
      const model = trainedLooking({ cell, inputSize: F, hiddenSize: H, layers, classes: C, dropout: 0, pooling: 'last' }, 7 + layers, false);
      for (const B of [1, 3]) for (const T of [1, 49, 101]) {
        expect(await compare(model, T, B, T * 10 + B), `B=${B} T=${T}`).toBeLessThan(1e-5);
      }
    });
  }
  it('mean pooling with input normalisation', async () => {
    const model = trainedLooking({ cell, inputSize: F, hiddenSize: H, layers: 2, classes: C, dropout: 0.3, pooling: 'mean' }, 3, true);
    expect(await compare(model, 49, 3, 1)).toBeLessThan(1e-5);
  });
});

describe('the exported file', () => {
  it('declares the documented interface and metadata', () => {
    const model = trainedLooking({ cell: 'peephole', inputSize: F, hiddenSize: H, layers: 2, classes: C, dropout: 0, pooling: 'last' }, 1, true);
    const labels = ['yes', 'no', 'up', '_unknown_', '_background_'];
    const decoded = onnxProto.onnx.ModelProto.decode(exportOnnx(model, { labels, features: { sampleRate: 16000 } }));
    expect(Number(decoded.opsetImport[0].version)).toBeGreaterThanOrEqual(14);
    const graph = decoded.graph!;
    const inputs = graph.input ?? [], outputs = graph.output ?? [], nodes = graph.node ?? [];
    expect(inputs.map((i) => i.name)).toEqual(['features']);
    expect(outputs.map((o) => o.name)).toEqual(['probabilities']);
    const dims = inputs[0].type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims).toEqual(['time', 'batch', F]);
    expect(nodes.filter((n) => n.opType === 'LSTM')).toHaveLength(2);
    const meta = Object.fromEntries((decoded.metadataProps ?? []).map((p) => [p.key, p.value]));
    expect(JSON.parse(meta['hark.labels'])).toEqual(labels);
    expect(JSON.parse(meta['hark.features'])).toEqual({ sampleRate: 16000 });
    expect(JSON.parse(meta['hark.model'])).toMatchObject({ cell: 'peephole', inputSize: F, hiddenSize: H, layers: 2, classes: C });
  });

  it('refuses a label count that does not match the head, and non-finite weights', () => {
    const model = trainedLooking({ cell: 'gru', inputSize: F, hiddenSize: H, layers: 1, classes: C, dropout: 0, pooling: 'last' }, 1, false);
    expect(() => exportOnnx(model, { labels: ['a', 'b'] })).toThrow(/labels/);
    model.params[3] = NaN;
    expect(() => exportOnnx(model)).toThrow(/non-finite/);
  });
});

describe('the streaming form', () => {
  it.each(CELL_KINDS.flatMap((cell) => (['last', 'mean'] as const).flatMap((pooling) => [
    { cell, pooling, chunks: [1, 4, 1, 10, 14], how: 'in chunks' },
    { cell, pooling, chunks: new Array<number>(30).fill(1), how: 'frame by frame' },
  ])))('$cell, $pooling pooling, $how: feeding frames with state equals the forward over each prefix', async ({ cell, pooling, chunks }) => {
    const model = trainedLooking({ cell, inputSize: F, hiddenSize: H, layers: 2, classes: C, dropout: 0, pooling }, 11, true);
    const s = await session(exportOnnx(model, { streaming: true }));
    const B = 2, T = 30;
    const rng = new Random(3);
    const x = new Float32Array(T * B * F).map(() => rng.normal());
    const zeros = (dims: number[]) => new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
    let state: Record<string, ort.Tensor> = {};
    for (let l = 0; l < 2; l++) {
      state[`h_in.${l}`] = zeros([1, B, H]);
      if (cell !== 'gru') state[`c_in.${l}`] = zeros([1, B, H]);
    }
    if (pooling === 'mean') { state.pool_sum_in = zeros([B, H]); state.pool_count_in = zeros([1]); }
    let t0 = 0;
    for (const chunk of chunks) {
      const feed = { features: new ort.Tensor('float32', x.slice(t0 * B * F, (t0 + chunk) * B * F), [chunk, B, F]), ...state };
      const out = await s.run(feed);
      t0 += chunk;
      const ours = model.forward(x, t0, B);
      const theirs = out.probabilities.data as Float32Array;
      let worst = 0;
      theirs.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - ours[i])); });
      expect(worst, `after ${t0} frames`).toBeLessThan(1e-5);
      const next: Record<string, ort.Tensor> = {};
      for (const [name, value] of Object.entries(out)) if (name !== 'probabilities') next[name.replace('_out', '_in')] = value;
      expect(Object.keys(next).sort()).toEqual(Object.keys(state).sort());
      state = next;
    }
    expect(t0).toBe(T);
  });
});
