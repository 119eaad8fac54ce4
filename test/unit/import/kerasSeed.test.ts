/**
 * The shipped example app/examples/keras-seed: the seed perceptron as a Keras HDF5 file written by
 * Curvature's exporter, opened as the start point, trained with BFGS, exported back and reopened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR } from '../../../app/examples';
import { SEED_PERCEPTRON, writeSeedPerceptron } from '../../../app/examples/keras-seed/make-model';
import { exportFinishedRun } from '../../../app/export';
import { importModel } from '../../../app/modelio/importModel';
import { parseExperiment } from '../../../app/schema/experiment';
import { runQuietly } from './helpers';

const dir = path.join(EXAMPLES_DIR, 'keras-seed');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-keras-seed-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('example keras-seed', () => {
  it('perceptron.h5 is what make-model.ts writes: Dense "dense", sigmoid, kernel [1,2,3,4], bias 1', async () => {
    const fresh = path.join(tmp, 'perceptron.h5');
    await writeSeedPerceptron(fresh);
    for (const file of [path.join(dir, 'perceptron.h5'), fresh]) {
      const m = await importModel(file);
      expect(m.format).toBe('keras-h5');
      expect(m.layers).toEqual([{ name: 'dense', units: 1, activation: 'sigmoid', useBias: true, dropout: 0 }]);
      expect(Array.from(m.weights[0].kernel)).toEqual(Array.from(SEED_PERCEPTRON[0].kernel));
      expect(Array.from(m.weights[0].bias!)).toEqual([1]);
    }
  });

  it('experiment.json starts at scipy’s 2.49977, BFGS reaches 1.0, and the exported model.h5 reopens identical', async () => {
    const file = path.join(dir, 'experiment.json');
    const experiment = parseExperiment(JSON.parse(fs.readFileSync(file, 'utf8')), file);
    const outcome = await runQuietly(experiment, dir);
    const bfgs = outcome.runs.find((r) => r.summary.optimizer === 'bfgs')!;
    expect(bfgs.history[0].iteration).toBe(0);
    expect(bfgs.history[0].trainLoss).toBeCloseTo(2.49977, 5);
    expect(bfgs.summary.trainLoss).toBeLessThan(1.0001);
    const adam = outcome.runs.find((r) => r.summary.optimizer === 'adam')!;
    expect(adam.summary.trainLoss).toBeGreaterThan(2);
    const out = path.join(tmp, 'bfgs');
    await exportFinishedRun(experiment, outcome, bfgs, { directory: out, formats: ['h5', 'keras'] });
    for (const f of ['model.h5', 'model.keras']) {
      const back = await importModel(path.join(out, f));
      expect(back.layers, f).toEqual([{ name: 'dense', units: 1, activation: 'sigmoid', useBias: true, dropout: 0 }]);
      expect(Array.from(back.weights[0].kernel), f).toEqual(Array.from(bfgs.layers[0].kernel));
      expect(Array.from(back.weights[0].bias!), f).toEqual(Array.from(bfgs.layers[0].bias!));
    }
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/Start: weights from `perceptron\.h5`[\s\S]*model\.load_weights\("model\.h5"\)[\s\S]*model\.predict\(X\)/);
  });
});
