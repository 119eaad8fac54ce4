/**
 * "Start from model…" on every file in test/fixtures/keras (copied from ../shared/fixtures/keras):
 * layers, activations and weights as the fixture README lists them, and the iteration-0 loss of a
 * run started from the file equals a float64 forward pass over the file's raw arrays (1e-6 relative).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dataset } from 'h5wasm/node';
import { importModel, type ImportedModel } from '../../../app/modelio/importModel';
import { readH5 } from '../../../app/modelio/h5';
import type { Activation, LayerSpec, Loss } from '../../../app/model/spec';
import { KERAS, experimentOn, inlineData, referenceLoss, runQuietly, type RawLayer } from './helpers';

/** Raw float32 arrays at the HDF5 paths the fixture README gives, read without Curvature's importer. */
async function h5Arrays(file: string, paths: string[]): Promise<{ data: Float32Array; shape: number[] }[]> {
  return readH5(file, (root) =>
    paths.map((p) => {
      const ds = root.get(p) as Dataset;
      return { data: Float32Array.from(ds.value as Float32Array), shape: ds.shape as number[] };
    }),
  );
}

function legacyPaths(prefix: string, layers: string[], bias = true): string[] {
  return layers.flatMap((l) => [`${prefix}${l}/${l}/kernel:0`, ...(bias ? [`${prefix}${l}/${l}/bias:0`] : [])]);
}

function rawLayers(arrays: { data: Float32Array; shape: number[] }[], activations: Activation[], biases: boolean[]): RawLayer[] {
  let k = 0;
  return activations.map((activation, i) => {
    const kernel = arrays[k++];
    const bias = biases[i] ? arrays[k++].data : null;
    return { kernel: kernel.data, shape: kernel.shape as [number, number], bias, activation };
  });
}

function expectWeights(m: ImportedModel, raw: RawLayer[]): void {
  expect(m.weights.length).toBe(raw.length);
  m.weights.forEach((w, i) => {
    expect([w.fanIn, w.units]).toEqual(raw[i].shape);
    expect(Array.from(w.kernel)).toEqual(Array.from(raw[i].kernel));
    expect(w.bias ? Array.from(w.bias) : null).toEqual(raw[i].bias ? Array.from(raw[i].bias!) : null);
  });
}

/** Runs one L-BFGS iteration from the file and compares its iteration-0 loss with the reference pass. */
async function expectIterationZeroLoss(m: ImportedModel, raw: RawLayer[], loss: Loss, layers: LayerSpec[] = m.layers): Promise<number> {
  const outputs = raw[raw.length - 1].shape[1];
  const task = outputs === 1 ? 'regression' : 'multiclass';
  const data = inlineData(m.inputDim, 120, outputs === 1 ? 'regression' : outputs);
  const experiment = experimentOn(data, { layers, from: m.file, loss }, task);
  const outcome = await runQuietly(experiment);
  const f0 = outcome.runs[0].history[0].trainLoss;
  const ref = await referenceLoss(experiment, raw, loss);
  expect(Math.abs(f0 - ref) / Math.abs(ref)).toBeLessThan(1e-6);
  // The shared start point is exactly the file's weights.
  outcome.initialWeights.forEach((w, i) => expect(Array.from(w.kernel)).toEqual(Array.from(raw[i].kernel)));
  return f0;
}

const names = (m: ImportedModel) => m.layers.map((l) => [l.name, l.units, l.activation, l.useBias]);

describe('import of every Keras fixture', () => {
  it('Keras 2.0.9 Sequential HDF5: Dense(64, relu) on 100 inputs, Dense(10, softmax); categorical_crossentropy preselects the loss', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.0.9_sequential_dense.h5');
    const m = await importModel(file);
    expect(m.format).toBe('keras-h5');
    expect(m.inputDim).toBe(100);
    expect(names(m)).toEqual([['dense_3', 64, 'relu', true], ['dense_4', 10, 'softmax', true]]);
    expect(m.loss).toBe('softmax-crossentropy');
    const raw = rawLayers(await h5Arrays(file, legacyPaths('model_weights/', ['dense_3', 'dense_4'])), ['relu', 'softmax'], [true, true]);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'softmax-crossentropy');
  });

  it('Keras 2.0.9 functional HDF5: the InputLayer passes, the chain of Dense layers is read', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.0.9_functional_dense.h5');
    const m = await importModel(file);
    expect(m.inputDim).toBe(100);
    expect(names(m)).toEqual([['dense_3', 64, 'relu', true], ['dense_4', 10, 'softmax', true]]);
    const raw = rawLayers(await h5Arrays(file, legacyPaths('model_weights/', ['dense_3', 'dense_4'])), ['relu', 'softmax'], [true, true]);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'mse');
  });

  it('tf.keras 2.11 Sequential (.keras name, HDF5 bytes): fc1 4 linear, fc2 2 linear on 8 inputs; loss null keeps auto', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense.h5');
    const m = await importModel(file);
    expect(m.inputDim).toBe(8);
    expect(names(m)).toEqual([['fc1', 4, 'linear', true], ['fc2', 2, 'linear', true]]);
    expect(m.loss).toBeUndefined();
    const raw = rawLayers(await h5Arrays(file, legacyPaths('model_weights/', ['fc1', 'fc2'])), ['linear', 'linear'], [true, true]);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'mse');
  });

  it('tf.keras 2.11 with Activation layers: relu1 and relu2 fold into fc1 and fc2', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense_activation.h5');
    const m = await importModel(file);
    expect(names(m)).toEqual([['fc1', 4, 'relu', true], ['fc2', 2, 'relu', true]]);
    const raw = rawLayers(await h5Arrays(file, legacyPaths('model_weights/', ['fc1', 'fc2'])), ['relu', 'relu'], [true, true]);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'mse');
  });

  it('tf.keras 2.12 with a Softmax layer: it folds into the Dense(5) on 3 inputs', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.12.0_sequential_dense_softmax.h5');
    const m = await importModel(file);
    expect(m.inputDim).toBe(3);
    expect(names(m)).toEqual([['dense', 5, 'softmax', true]]);
    const raw = rawLayers(await h5Arrays(file, legacyPaths('model_weights/', ['dense'])), ['softmax'], [true]);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'softmax-crossentropy');
  });

  it('tf.keras 2.2.4 save_weights file: refused without layers, read with matching ones (784 inputs after the Flatten)', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.2.4-tf_weights_only_flatten_dense.h5');
    await expect(importModel(file)).rejects.toThrow(/holds weights only, no layer config.*784×128\+bias, 128×10\+bias.*--layers 128:ACTIVATION,10:ACTIVATION/);
    const layers: LayerSpec[] = [
      { units: 128, activation: 'relu', useBias: true, dropout: 0 },
      { units: 10, activation: 'softmax', useBias: true, dropout: 0 },
    ];
    const m = await importModel(file, { layers });
    expect(m.format).toBe('keras-h5-weights');
    expect(m.inputDim).toBe(784);
    expect(names(m)).toEqual([['dense_6', 128, 'relu', true], ['dense_7', 10, 'softmax', true]]);
    const raw = rawLayers(await h5Arrays(file, legacyPaths('', ['dense_6', 'dense_7'])), ['relu', 'softmax'], [true, true]);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'softmax-crossentropy', m.layers);
  });

  // The Keras 3 fixture is a subclassed model (input shape (2, 4)): its config has no layer list, only
  // Python code knows how the four Dense layers connect. It is refused as a model, and its weights are
  // usable as a weights-only file with a stated Dense stack on 4 inputs.
  const keras3Layers: LayerSpec[] = [
    { units: 4, activation: 'linear', useBias: false, dropout: 0 },
    { units: 4, activation: 'linear', useBias: false, dropout: 0 },
    { units: 4, activation: 'linear', useBias: false, dropout: 0 },
    { units: 2, activation: 'linear', useBias: true, dropout: 0 },
  ];
  const keras3Raw = async (file: string) =>
    rawLayers(await h5Arrays(file, ['layers/dense/vars/0', 'layers/dense_1/vars/0', 'layers/dense_2/vars/0', 'layers/dense_3/vars/0', 'layers/dense_3/vars/1']), ['linear', 'linear', 'linear', 'linear'], [false, false, false, true]);

  it('Keras 3 .keras archive of a subclassed model: refused with the reason, then used as weights with stated layers', async () => {
    const file = join(KERAS, 'keras3/keras3.15.0_nested_dense_container.keras');
    await expect(importModel(file)).rejects.toThrow(/subclassed Keras model "NestedDenseModel".*written in Python/);
    const m = await importModel(file, { layers: keras3Layers });
    expect(m.inputDim).toBe(4);
    expect(names(m)).toEqual([['d_0', 4, 'linear', false], ['d_1', 4, 'linear', false], ['d_2', 4, 'linear', false], ['dense', 2, 'linear', true]]);
    // The README's constants: kernels 0.1, 0.2, 0.3, then 0.5; bias 0.
    expect(m.weights.map((w) => [...new Set(w.kernel)])).toEqual([[Math.fround(0.1)], [Math.fround(0.2)], [Math.fround(0.3)], [0.5]]);
    expect(Array.from(m.weights[3].bias!)).toEqual([0, 0]);
    // The archive's weights member, read raw through a copy of the extracted fixture.
    const raw = await keras3Raw(join(KERAS, 'keras3/keras3.15.0_nested_dense_container.model.weights.h5'));
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'mse');
  });

  it('Keras 3 model.weights.h5: weights only, read with the stated layers', async () => {
    const file = join(KERAS, 'keras3/keras3.15.0_nested_dense_container.model.weights.h5');
    await expect(importModel(file)).rejects.toThrow(/Keras 3 weights.*holds weights only.*4×4, 4×4, 4×4, 4×2\+bias/);
    await expect(importModel(file, { layers: keras3Layers.slice(1) })).rejects.toThrow(/3 Dense layers.*holds weights for 4.*nothing was trained/);
    const m = await importModel(file, { layers: keras3Layers });
    expect(m.format).toBe('keras3-weights');
    const raw = await keras3Raw(file);
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'mse');
  });

  it('TF.js layers model.json + weights.bin: three Dense layers on 8 inputs (sigmoid, sigmoid, linear)', async () => {
    const file = join(KERAS, 'tfjs/abalone-node/model.json');
    const m = await importModel(file);
    expect(m.format).toBe('tfjs');
    expect(m.inputDim).toBe(8);
    expect(names(m)).toEqual([['dense_Dense1', 50, 'sigmoid', true], ['dense_Dense2', 50, 'sigmoid', true], ['dense_Dense3', 1, 'linear', true]]);
    // weights.bin is the float32 values concatenated in manifest order.
    const bin = readFileSync(join(KERAS, 'tfjs/abalone-node/weights.bin'));
    const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    expect(all.length).toBe(400 + 50 + 2500 + 50 + 50 + 1);
    const raw: RawLayer[] = [
      { kernel: all.subarray(0, 400), shape: [8, 50], bias: all.subarray(400, 450), activation: 'sigmoid' },
      { kernel: all.subarray(450, 2950), shape: [50, 50], bias: all.subarray(2950, 3000), activation: 'sigmoid' },
      { kernel: all.subarray(3000, 3050), shape: [50, 1], bias: all.subarray(3050, 3051), activation: 'linear' },
    ];
    expectWeights(m, raw);
    await expectIterationZeroLoss(m, raw, 'mse');
  });
});
