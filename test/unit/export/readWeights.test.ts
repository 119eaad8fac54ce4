import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInitialWeights, type LoadedLayerWeights } from '../../../app/modelio/readWeights';
import { tfjsLayersFiles } from '../../../app/export/tfjsLayers';
import { kerasH5File } from '../../../app/export/kerasH5';
import { kerasArchiveFile } from '../../../app/export/kerasArchive';
import { npzFile, weightsJsonFile } from '../../../app/export/numpy';
import type { DenseWeights } from '../../../app/model/spec';
import { EVERY_ACTIVATION, FIXTURES, makeLayers, tempDir } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layers = makeLayers(EVERY_ACTIVATION.inputDim, EVERY_ACTIVATION.plan, 41);

function expectSameWeights(got: LoadedLayerWeights[], want: DenseWeights[], withActivation: boolean) {
  expect(got.map((l) => [l.name, l.fanIn, l.units])).toEqual(want.map((l) => [l.name, l.fanIn, l.units]));
  got.forEach((l, i) => {
    expect(l.kernel).toEqual(want[i].kernel);
    expect(l.bias).toEqual(want[i].bias);
    if (withActivation) expect(l.activation).toBe(want[i].activation);
  });
}

async function written(files: { name: string; bytes: Uint8Array }[]): Promise<string> {
  const dir = await tempDir();
  for (const f of files) await writeFile(join(dir, f.name), f.bytes);
  return join(dir, files[0].name);
}

describe('readInitialWeights round-trips every exported format', () => {
  it('weights.json', async () => {
    expectSameWeights(await readInitialWeights(await written([weightsJsonFile(layers)])), layers, true);
  });
  it('weights.npz (no activations recorded)', async () => {
    const got = await readInitialWeights(await written([npzFile(layers)]));
    expectSameWeights(got, layers, false);
    expect(got[0].activation).toBeUndefined();
  });
  it('TF.js model.json + shard (leakyRelu recovered from its LeakyReLU layer)', async () => {
    expectSameWeights(await readInitialWeights(await written(await tfjsLayersFiles(layers, EVERY_ACTIVATION.inputDim))), layers, true);
  });
  it('Keras legacy model.h5', async () => {
    const dir = await tempDir();
    const f = await kerasH5File(layers, EVERY_ACTIVATION.inputDim, join(dir, 's.h5'));
    expectSameWeights(await readInitialWeights(await written([f])), layers, true);
  });
  it('Keras 3 model.keras', async () => {
    const dir = await tempDir();
    const f = await kerasArchiveFile(layers, EVERY_ACTIVATION.inputDim, join(dir, 's.h5'));
    expectSameWeights(await readInitialWeights(await written([f])), layers, true);
  });
});

describe('readInitialWeights reads files written by Keras and TF.js themselves', () => {
  it('Keras 2.0.9 Sequential .h5 (fixed-length name lists): 100→64 relu→10 softmax', async () => {
    const got = await readInitialWeights(join(FIXTURES, 'legacy-h5/keras2.0.9_sequential_dense.h5'));
    expect(got.map((l) => [l.fanIn, l.units, l.activation, l.bias?.length])).toEqual([
      [100, 64, 'relu', 64],
      [64, 10, 'softmax', 10],
    ]);
  });
  it('tf.keras 2.11 with separate Activation layers: activations folded into the Dense layers', async () => {
    const got = await readInitialWeights(join(FIXTURES, 'legacy-h5/keras2.11.0_sequential_dense_activation.h5'));
    expect(got.map((l) => [l.name, l.fanIn, l.units, l.activation])).toEqual([
      ['fc1', 8, 4, 'relu'],
      ['fc2', 4, 2, 'relu'],
    ]);
  });
  it('Keras weights-only .h5 (save_weights): Flatten skipped, 784→128→10', async () => {
    const got = await readInitialWeights(join(FIXTURES, 'legacy-h5/keras2.2.4-tf_weights_only_flatten_dense.h5'));
    expect(got.map((l) => [l.name, l.fanIn, l.units])).toEqual([
      ['dense_6', 784, 128],
      ['dense_7', 128, 10],
    ]);
  });
  it('Keras 3 model.weights.h5 and .keras archive: constant kernels 0.1, 0.2, 0.3, 0.5 as documented', async () => {
    for (const f of ['keras3/keras3.15.0_nested_dense_container.model.weights.h5', 'keras3/keras3.15.0_nested_dense_container.keras']) {
      const got = await readInitialWeights(join(FIXTURES, f));
      expect(got.map((l) => [l.name, l.fanIn, l.units, l.bias === null])).toEqual([
        ['d_0', 4, 4, true],
        ['d_1', 4, 4, true],
        ['d_2', 4, 4, true],
        ['dense', 4, 2, false],
      ]);
      expect(got.map((l) => Math.fround(l.kernel[0]))).toEqual([0.1, 0.2, 0.3, 0.5].map(Math.fround));
    }
  });
  it('TF.js abalone model.json (weights.bin): 8→50 sigmoid→50 sigmoid→1', async () => {
    const got = await readInitialWeights(join(FIXTURES, 'tfjs/abalone-node/model.json'));
    expect(got.map((l) => [l.fanIn, l.units, l.activation])).toEqual([
      [8, 50, 'sigmoid'],
      [50, 50, 'sigmoid'],
      [50, 1, 'linear'],
    ]);
  });
});

describe('readInitialWeights errors name the file (its base name, never the folder) and the field', () => {
  it('missing file', async () => {
    const p = join(await tempDir(), 'nope.json');
    await expect(readInitialWeights(p)).rejects.toThrow('nope.json: cannot read the weights file (ENOENT)');
  });
  it('ragged W row', async () => {
    const p = join(await tempDir(), 'w.json');
    await writeFile(p, JSON.stringify({ layers: [{ W: [[1, 2], [3]], b: [0, 0] }] }));
    await expect(readInitialWeights(p)).rejects.toThrow(`w.json: field layers.0.W.1 has 1 values, expected 2`);
  });
  it('layers that do not chain', async () => {
    const p = join(await tempDir(), 'w.json');
    await writeFile(p, JSON.stringify({ layers: [{ W: [[1, 2]] }, { W: [[1], [2], [3]] }] }));
    await expect(readInitialWeights(p)).rejects.toThrow(`w.json: layer 1 ("dense_1"): kernel has 3 inputs but the previous layer has 2 units`);
  });
  it('not a weights file', async () => {
    const p = join(await tempDir(), 'w.bin');
    await writeFile(p, 'hello');
    await expect(readInitialWeights(p)).rejects.toThrow('w.bin: unknown weights format');
  });
});
