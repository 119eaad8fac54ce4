/**
 * Issue 18 through the real CLI: `curvature run` confines model.from like data, a model file inside
 * the folder cannot name shards outside it, refusals exit 2 in one line without a stack trace or
 * HDF5's error stack, and the export records the model by name, never by where it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containsSecret, HOSTILE, secretBytes, tfjsModelJson } from '../unit/import/hostileFiles';
import { runCli } from './helpers';

const root = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-cli-model-safety-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return runCli(args, { cwd: tmp });
}

/** An experiment folder with the seed data, starting from `from`. */
function experimentDir(name: string, from: string, layers = [{ name: 'dense', units: 1, activation: 'sigmoid' }]): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(root, 'app/examples/keras-seed/seed.csv'), path.join(dir, 'seed.csv'));
  const experiment = {
    data: { source: { kind: 'file', path: 'seed.csv' }, target: 'y', task: 'regression', preprocessing: { standardize: false }, split: { validation: 0, test: 0 } },
    model: { from, layers, loss: 'mse', output: 'last' },
    runs: [{ optimizer: { kind: 'bfgs' }, stopping: { maxEvaluations: 10 } }],
  };
  fs.writeFileSync(path.join(dir, 'exp.json'), JSON.stringify(experiment));
  return path.join(dir, 'exp.json');
}

function noStack(stderr: string): void {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at |HDF5-DIAG|#0\d\d:/);
}

describe('curvature run and model files (issue 18)', () => {
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside, { recursive: true });
  fs.copyFileSync(path.join(root, 'app/examples/keras-seed/perceptron.h5'), path.join(outside, 'perceptron.h5'));

  it('an absolute model.from is refused without --allow-outside-paths (exit 2), trained from with it; the export names only the file', () => {
    const exp = experimentDir('abs', path.join(outside, 'perceptron.h5'));
    const refused = cli(['run', exp]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/model\.from: ".*outside\/perceptron\.h5" leads outside .*--allow-outside-paths/);
    noStack(refused.stderr);

    const out = path.join(tmp, 'abs-out');
    const ok = cli(['run', exp, '--allow-outside-paths', '--out', out, '--format', 'json']);
    expect(ok.stderr).not.toMatch(/error/);
    expect(ok.code).toBe(0);
    const exported = JSON.parse(fs.readFileSync(path.join(out, 'bfgs/experiment.json'), 'utf8'));
    expect(exported.model.from).toBe('perceptron.h5');
    expect(exported.data.source.path).toBe('seed.csv');
    expect(fs.readFileSync(path.join(out, 'bfgs/experiment.json'), 'utf8')).not.toContain(tmp);
  }, 120_000);

  it('a model inside the folder that names a shard outside it: exit 2, one line, and the secret is nowhere', () => {
    const exp = experimentDir('shard', 'model/model.json', [{ name: 'd', units: 1, activation: 'linear' }]);
    const dir = path.dirname(exp);
    fs.writeFileSync(path.join(dir, 'secret.bin'), secretBytes());
    fs.mkdirSync(path.join(dir, 'model'));
    fs.writeFileSync(path.join(dir, 'model/model.json'), tfjsModelJson(['../secret.bin']));
    const out = path.join(tmp, 'shard-out');
    const r = cli(['run', exp, '--allow-outside-paths', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('curvature: error: model.json: weightsManifest.0.paths.0 names "../secret.bin"; a model may only name files by their plain name, in its own folder\n');
    expect(containsSecret(r.stdout + r.stderr)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  }, 120_000);

  it('HDF5 external storage via --model: exit 2, the dataset refused by name, no HDF5 error stack on the terminal', () => {
    fs.copyFileSync(path.join(root, 'app/examples/keras-seed/seed.csv'), path.join(tmp, 'seed.csv'));
    const r = cli(['train', 'seed.csv', '--target', 'y', '--model', path.join(HOSTILE, 'external-storage.h5'), '--layers', '2:linear']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^curvature: error: external-storage\.h5: the HDF5 file refers to another file ".*curvature-hostile-secret\.bin" \(external storage or an external link\)/);
    noStack(r.stderr);
  }, 120_000);

  it('control characters in layer names reach the terminal escaped', () => {
    const r = cli(['train', 'seed.csv', '--target', 'y', '--model', path.join(HOSTILE, 'control-chars.h5'), '--layers', '2:linear']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('evil\\u001b[2J\\u0007\\u000aname');
    expect(r.stderr.trimEnd()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    noStack(r.stderr);
  }, 120_000);
});
