import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers';

const root = path.resolve(__dirname, '../..');

function cli(args: string[], cwd = root) {
  return runCli(args, { cwd });
}

describe('curvature CLI (real child process)', () => {
  it('run seed.json --json: BFGS and L-BFGS below 1.0001, Adam far above', () => {
    const r = cli(['run', 'app/examples/seed.json', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.backend).toMatch(/onnxruntime|WebAssembly|TensorFlow|JavaScript/);
    const byOpt = Object.fromEntries(doc.runs.map((run: { optimizer: string }) => [run.optimizer, run]));
    expect(byOpt.bfgs.trainLoss).toBeLessThan(1.0001);
    expect(byOpt.lbfgs.trainLoss).toBeLessThan(1.0001);
    expect(byOpt.adam.trainLoss).toBeGreaterThan(2);
    for (const run of doc.runs) {
      for (const k of ['status', 'message', 'iterations', 'functionEvaluations', 'gradientEvaluations', 'trainLoss', 'validationLoss', 'metrics', 'seconds', 'history']) {
        expect(run).toHaveProperty(k);
      }
      expect(run.history.length).toBe(run.iterations + 1);
    }
  });

  it('prints a table with the status messages without --json', () => {
    const r = cli(['run', 'app/examples/seed.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run\s+status\s+iter\s+f-evals/);
    expect(r.stdout).toMatch(/^bfgs\s/m);
    expect(r.stdout).toMatch(/^adam\s/m);
  });

  it('train on a CSV with --out exports every run; a second export refuses to overwrite without --force', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-cli-'));
    const args = ['train', path.join(root, 'app/examples/data/spirals.csv'), '--target', 'species', '--layers', '8:tanh', '--optimizer', 'lbfgs,adam', '--max-iter', '15', '--out', dir, '--format', 'json,npz', '--json'];
    const r = cli(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.runs.map((x: { optimizer: string }) => x.optimizer)).toEqual(['lbfgs', 'adam']);
    for (const id of ['lbfgs', 'adam']) {
      const files = fs.readdirSync(path.join(dir, id));
      expect(files).toEqual(expect.arrayContaining(['weights.json', 'weights.npz', 'experiment.json']));
    }
    const again = cli(args);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(path.join(dir, 'lbfgs'));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a broken CSV exits with code 2 and names the file and row on stderr', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-cli-'));
    const file = path.join(dir, 'broken.csv');
    fs.writeFileSync(file, 'a,b,y\n1,2,3\n4,oops,6\n7,8,9\n10,11,12\n');
    const r = cli(['train', file, '--target', 'y', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('broken.csv');
    expect(r.stderr).toMatch(/row 3/);
    expect(r.stderr).toMatch(/column "b"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('bad flags and a bad experiment file are input errors (exit 2)', () => {
    expect(cli(['train', 'x.csv', '--target', 'y', '--optimizer', 'newton']).code).toBe(2);
    expect(cli(['train', 'x.csv', '--target', 'y', '--history', '5', '--optimizer', 'adam']).stderr).toMatch(/--history applies to lbfgs/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-cli-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ data: { source: { kind: 'file', path: 'x.csv' }, target: 'y' }, model: { layers: [] }, runs: [] }));
    const r = cli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.layers/);
    expect(r.stderr).toMatch(/runs/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('curvature gradcheck', () => {
  it('shows the float32 trap at eps = 1.49e-8 and agreement at 1e-1 on the seed', () => {
    const r = cli(['gradcheck', 'app/examples/seed.json', '--eps', '1.49e-8,0.05']);
    expect(r.code).toBe(0);
    const [lost, ok] = r.stdout.split(/^eps /m).filter(Boolean);
    expect(lost).toMatch(/relative error 1\.000e\+0/);
    expect(lost).toMatch(/lost in float32/);
    expect(ok).not.toMatch(/warning/);
    expect(Number(/relative error (\S+)/.exec(ok)![1])).toBeLessThan(2e-2);
  });
});
