/** `curvature train DATA --target COL --model FILE` in a real child process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers';

const root = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-cli-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return runCli(args, { cwd: root, timeoutMs: 240_000 });
}

const SEED = ['app/examples/keras-seed/seed.csv', '--target', 'y', '--task', 'regression', '--no-standardize', '--validation', '0'];

describe('curvature train --model', () => {
  it('takes the layers from a Keras HDF5 file (no --layers), starts from its weights and exports them back under its names', () => {
    const out = path.join(tmp, 'out');
    const r = cli(['train', ...SEED, '--model', 'app/examples/keras-seed/perceptron.h5', '--optimizer', 'bfgs', '--max-evals', '60', '--json', '--out', out, '--format', 'h5,json', '--save-experiment', path.join(tmp, 'exp.json')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.runs[0].trainLoss).toBeLessThan(1.0001);
    expect(doc.notes).toContain('start: weights from perceptron.h5');
    const saved = JSON.parse(fs.readFileSync(path.join(tmp, 'exp.json'), 'utf8'));
    expect(saved.model.from).toBe(path.join(root, 'app/examples/keras-seed/perceptron.h5'));
    expect(saved.model.layers).toEqual([{ name: 'dense', units: 1, activation: 'sigmoid', useBias: true, dropout: 0 }]);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'bfgs/weights.json'), 'utf8'));
    expect(json.layers[0].name).toBe('dense');
  }, 240_000);

  it('a weights-only file without --layers is a clear error (exit 2), nothing trained or written', () => {
    const out = path.join(tmp, 'refused');
    const r = cli(['train', 'app/examples/keras-seed/seed.csv', '--target', 'y', '--model', 'test/fixtures/keras/legacy-h5/keras2.2.4-tf_weights_only_flatten_dense.h5', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/curvature: error: keras2\.2\.4-tf_weights_only_flatten_dense\.h5: Keras HDF5 weights \(save_weights\) holds weights only.*--layers 128:ACTIVATION,10:ACTIVATION/);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(out)).toBe(false);
  }, 240_000);

  it('a model whose input width does not fit the data is refused with the layer and both sizes (exit 2)', () => {
    const out = path.join(tmp, 'wide');
    const r = cli(['train', ...SEED, '--model', 'test/fixtures/keras/tfjs/abalone-node/model.json', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.from model\.json: layer "dense_Dense1" expects 8 inputs but the data gives 4 .*mark 4 more columns as features/);
    expect(fs.existsSync(out)).toBe(false);
  }, 240_000);
});
