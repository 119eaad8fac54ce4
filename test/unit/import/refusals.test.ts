/**
 * What "Start from model…" refuses, and how: every unsupported layer named with its class, a slope
 * Curvature cannot compute, an input width or output size that does not fit the data, a weights-only
 * file without matching layers — each a clear error before any iteration runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeKerasConfig, importModel } from '../../../app/modelio/importModel';
import { startExperiment } from '../../../app/train/runner';
import type { ExperimentEvent } from '../../../app/train/events';
import type { Experiment } from '../../../app/schema/experiment';
import { KERAS, experimentOn, inlineData } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'curvature-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dense = (name: string, units: number, activation = 'linear', extra: object = {}) => ({ class_name: 'Dense', config: { name, units, activation, use_bias: true, ...extra } });
const seq = (...layers: object[]) => ({ class_name: 'Sequential', config: { name: 'sequential', layers } });

/** Runs and records what happened: the error, and whether any iteration was emitted. */
async function attempt(e: Experiment): Promise<{ error: string; iterations: number }> {
  const events: ExperimentEvent[] = [];
  const error = await startExperiment(e, { baseDir: tmp, onEvent: (ev) => events.push(ev) }).done.then(
    () => '',
    (err: Error) => err.message,
  );
  return { error, iterations: events.filter((ev) => ev.type === 'iteration').length };
}

describe('layer lists', () => {
  it('folds Activation / Softmax / ReLU / LeakyReLU(0.2) into the Dense before them and keeps Dropout rates', () => {
    const d = describeKerasConfig('m.json', seq(
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 6], name: 'in' } },
      { class_name: 'Flatten', config: { name: 'flat' } },
      dense('a', 8), { class_name: 'LeakyReLU', config: { name: 'lr', alpha: 0.2 } }, { class_name: 'Dropout', config: { name: 'dr', rate: 0.25 } },
      dense('b', 8), { class_name: 'ReLU', config: { name: 'r' } },
      dense('c', 3), { class_name: 'Softmax', config: { name: 's', axis: -1 } },
    ), { loss: 'sparse_categorical_crossentropy' });
    expect(d.inputDim).toBe(6);
    expect(d.layers).toEqual([
      { name: 'a', units: 8, activation: 'leakyRelu', useBias: true, dropout: 0.25 },
      { name: 'b', units: 8, activation: 'relu', useBias: true, dropout: 0 },
      { name: 'c', units: 3, activation: 'softmax', useBias: true, dropout: 0 },
    ]);
    expect(d.loss).toBe('softmax-crossentropy');
  });

  it('lists every unsupported layer by name and class in one error', () => {
    const config = seq(
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 28, 28, 1], name: 'img' } },
      { class_name: 'Conv2D', config: { name: 'conv', filters: 8 } },
      { class_name: 'BatchNormalization', config: { name: 'bn' } },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      dense('hidden', 16, 'swish'),
      { class_name: 'Embedding', config: { name: 'emb' } },
      { class_name: 'MyCustomLayer', config: { name: 'custom' } },
      dense('out', 10, 'softmax'),
    );
    let message = '';
    try {
      describeKerasConfig('cnn.h5', config);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^cnn\.h5: 6 layers are not supported/);
    for (const part of ['"conv" (Conv2D)', '"bn" (BatchNormalization)', '"flatten" (Flatten: flattens a (28, 28, 1) input', '"hidden" (Dense: activation "swish" is not available)', '"emb" (Embedding)', '"custom" (MyCustomLayer)']) {
      expect(message).toContain(part);
    }
  });

  it('a LeakyReLU with another slope is an error that names the slope and 0.2 (Keras default alpha 0.3 included)', () => {
    expect(() => describeKerasConfig('m.h5', seq(dense('a', 4), { class_name: 'LeakyReLU', config: { name: 'lk', alpha: 0.3 } }))).toThrow(
      /"lk" \(LeakyReLU: slope \(alpha\) 0\.3; Curvature's leakyRelu has slope 0\.2/,
    );
    expect(() => describeKerasConfig('m.keras', seq(dense('a', 4), { class_name: 'LeakyReLU', config: { name: 'lk' } }))).toThrow(/slope \(alpha\) 0\.3/);
  });

  it('a functional model that is not a single chain is refused, naming the layer and its inputs', () => {
    const layer = (name: string, cls: string, inbound: string[]) => ({ class_name: cls, name, config: { name, units: 2, activation: 'linear' }, inbound_nodes: inbound.length ? [inbound.map((n) => [n, 0, 0, {}])] : [] });
    const config = { class_name: 'Model', config: { layers: [layer('x', 'InputLayer', []), layer('a', 'Dense', ['x']), layer('b', 'Dense', ['x']), layer('sum', 'Add', ['a', 'b'])] } };
    expect(() => describeKerasConfig('f.h5', config)).toThrow(/"b" \(Dense: takes its input from "x", not a single chain\).*"sum" \(Add: takes its input from "a", "b"/);
  });

  it('a TF.js model.json with an unsupported layer is refused before its shard is read', async () => {
    const file = join(tmp, 'model.json');
    writeFileSync(file, JSON.stringify({ modelTopology: seq(dense('d', 4, 'relu', { batch_input_shape: [null, 3] }), { class_name: 'BatchNormalization', config: { name: 'norm' } }), weightsManifest: [{ paths: ['missing.bin'], weights: [] }] }));
    await expect(importModel(file)).rejects.toThrow(/model\.json: 1 layer is not supported.*"norm" \(BatchNormalization\)/);
  });
});

describe('refused before training', () => {
  it('a model with an unsupported layer: clear error, nothing trained', async () => {
    const file = join(tmp, 'conv.json');
    writeFileSync(file, JSON.stringify({ modelTopology: seq({ class_name: 'Conv1D', config: { name: 'c1', batch_input_shape: [null, 4] } }, dense('d', 1)), weightsManifest: [] }));
    const e = experimentOn(inlineData(4, 10, 'regression'), { layers: [{ units: 1, activation: 'linear', useBias: true, dropout: 0 }], from: file, loss: 'mse' }, 'regression');
    const r = await attempt(e);
    expect(r.error).toMatch(/conv\.json: 1 layer is not supported.*"c1" \(Conv1D\)/);
    expect(r.iterations).toBe(0);
  });

  it('input width that does not match the data: names the layer, both sizes and what to change in the Data view', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense.h5');
    const m = await importModel(file);
    const e = experimentOn(inlineData(10, 12, 2), { layers: m.layers, from: file, loss: 'mse' }, 'multiclass');
    const r = await attempt(e);
    expect(r.error).toMatch(/model\.from keras2\.11\.0_sequential_dense\.h5: layer "fc1" expects 8 inputs but the data gives 10 \(after one-hot encoding and column roles: "x0", .*In the Data view, set 2 more columns to "ignore"/);
    expect(r.iterations).toBe(0);
  });

  it('output units that do not match the target: names the output layer and suggests the fix', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense.h5');
    const m = await importModel(file);
    const r = await attempt(experimentOn(inlineData(8, 12, 3), { layers: m.layers, from: file, loss: 'mse' }, 'multiclass'));
    expect(r.error).toMatch(/output layer "fc2" has 2 units but the data needs 3 \(multiclass target "y" with 3 classes, one-hot\)\. In the Data view, choose a target with 2 classes/);
    expect(r.iterations).toBe(0);
    const binary = await attempt(experimentOn(inlineData(8, 12, 2), { layers: m.layers, from: file, loss: 'mse' }, 'binary'));
    expect(binary.error).toMatch(/needs 1 \(binary target "y": one sigmoid output\)\. In the Data view, set the task to "multiclass"/);
  });

  it('a weights-only file without matching layers: clear error listing the kernels, nothing trained', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.2.4-tf_weights_only_flatten_dense.h5');
    const wrong = [{ units: 64, activation: 'relu' as const, useBias: true, dropout: 0 }, { units: 10, activation: 'softmax' as const, useBias: true, dropout: 0 }];
    const r = await attempt(experimentOn(inlineData(784, 20, 10), { layers: wrong, from: file, loss: 'softmax-crossentropy' }, 'multiclass'));
    expect(r.error).toMatch(/layer 0 \("dense_6"\): the given layer stack says 64 units but its kernel is 784×128.*The file holds kernels 784×128\+bias, 128×10\+bias; nothing was trained/);
    expect(r.iterations).toBe(0);
  });

  it('editing the layers away from the file (different units) is refused at run time, telling how to train fresh', async () => {
    const file = join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense.h5');
    const layers = [{ name: 'fc1', units: 5, activation: 'linear' as const, useBias: true, dropout: 0 }, { name: 'fc2', units: 2, activation: 'linear' as const, useBias: true, dropout: 0 }];
    const r = await attempt(experimentOn(inlineData(8, 12, 2), { layers, from: file, loss: 'mse' }, 'multiclass'));
    expect(r.error).toMatch(/layer 0 \("fc1"\) kernel is 8×4, the model needs 8×5/);
    expect(r.iterations).toBe(0);
  });

  it('the runner does not confine model.from itself: a relative ../ path resolves (allowed by --allow-outside-paths, refused before by the CLI)', async () => {
    // The one folder check for every experiment path is app/cli/experimentPaths (test/unit/cli/experimentPaths.test.ts).
    const e = experimentOn(inlineData(8, 12, 2), { layers: [{ units: 2, activation: 'linear', useBias: true, dropout: 0 }], from: '../../no-such-dir/model.h5', loss: 'mse' }, 'multiclass');
    const r = await attempt(e);
    expect(r.error).toBe('model.h5: cannot read the model file (ENOENT)');
    expect(r.iterations).toBe(0);
  });
});
