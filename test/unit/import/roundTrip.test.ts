/**
 * Hand it back: import → 20 L-BFGS iterations → export every importable format → import again gives
 * the same layer specs (names, units, activations, bias) and the trained weights bit for bit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportFinishedRun } from '../../../app/export';
import { importModel } from '../../../app/modelio/importModel';
import type { LayerSpec } from '../../../app/model/spec';
import { KERAS, experimentOn, inlineData, runQuietly } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'curvature-roundtrip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const EXPORTED = ['model.keras', 'model.h5', 'model.json', 'weights.json', 'weights.npz'];

async function roundTrip(start: string, task: 'regression' | 'multiclass', classes: number | 'regression', dir: string) {
  const first = await importModel(start);
  const experiment = experimentOn(
    inlineData(first.inputDim, 60, classes),
    { layers: first.layers, from: start, loss: 'mse' },
    task,
    [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 20, gradientTolerance: 0, functionTolerance: 0, stepTolerance: 0 } }],
  );
  const outcome = await runQuietly(experiment);
  const run = outcome.runs[0];
  expect(run.summary.iterations).toBeGreaterThan(5);
  // Training moved the weights: the round trip below compares the trained ones, not the start.
  expect(Array.from(run.layers[0].kernel)).not.toEqual(Array.from(first.weights[0].kernel));
  const directory = join(tmp, dir);
  await exportFinishedRun(experiment, outcome, run, { directory, formats: ['tfjs', 'keras', 'h5', 'onnx', 'npz', 'json'] });
  const readme = readFileSync(join(directory, 'README.md'), 'utf8');
  expect(readme).toContain(`Start: weights from \`${start.split('/').pop()}\``);
  expect(readme).toContain('model.load_weights("model.h5")');
  for (const file of EXPORTED) {
    // weights.npz records no activations: it is a weights-only file and takes the layers as given.
    const again = await importModel(join(directory, file), file === 'weights.npz' ? { layers: first.layers } : {});
    expect(again.layers, file).toEqual(first.layers);
    expect(again.inputDim, file).toBe(first.inputDim);
    again.weights.forEach((w, i) => {
      const trained = run.layers[i];
      expect(w.name, file).toBe(trained.name);
      expect(Buffer.from(w.kernel.buffer, w.kernel.byteOffset, w.kernel.byteLength).equals(Buffer.from(trained.kernel.buffer, trained.kernel.byteOffset, trained.kernel.byteLength)), `${file} kernel ${i}`).toBe(true);
      expect(w.bias ? Array.from(w.bias) : null, `${file} bias ${i}`).toEqual(trained.bias ? Array.from(trained.bias) : null);
    });
  }
  return { first, run };
}

describe('round trip: import → 20 L-BFGS iterations → export → import', () => {
  it('tf.keras 2.11 model with folded Activation layers keeps its names (fc1, fc2) and relu', async () => {
    const { first } = await roundTrip(join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense_activation.h5'), 'multiclass', 2, 'h5');
    expect(first.layers.map((l) => l.name)).toEqual(['fc1', 'fc2']);
  });

  it('TF.js abalone model (sigmoid hidden layers, tfjs-style names)', async () => {
    await roundTrip(join(KERAS, 'tfjs/abalone-node/model.json'), 'regression', 'regression', 'tfjs');
  });

  it('a Curvature weights.json with leakyRelu and a no-bias layer: LeakyReLU(0.2) layers fold back on import', async () => {
    const start = join(tmp, 'start.json');
    const layers: LayerSpec[] = [
      { name: 'hidden_a', units: 5, activation: 'leakyRelu', useBias: false, dropout: 0 },
      { name: 'out', units: 1, activation: 'linear', useBias: true, dropout: 0 },
    ];
    writeFileSync(
      start,
      JSON.stringify({
        layers: [
          { name: 'hidden_a', activation: 'leakyRelu', W: Array.from({ length: 3 }, (_, r) => Array.from({ length: 5 }, (_, c) => (r - c) / 7)) },
          { name: 'out', activation: 'linear', W: Array.from({ length: 5 }, (_, r) => [r / 5 - 0.3]), b: [0.1] },
        ],
      }),
    );
    const { first } = await roundTrip(start, 'regression', 'regression', 'json');
    expect(first.layers).toEqual(layers);
  });
});
