/**
 * The fitting workflow from the command line (real child process): --preset fitting, several
 * targets, a weight column, the huber loss, and the JSON and summary.json fields they add.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../app/util/random';
import { runCli } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-fitting-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return runCli(args, { cwd: tmp, timeoutMs: 180_000 });
}

function writeCsv(name: string, weight: (i: number) => number): string {
  const rand = seededRandom(12);
  const lines = ['x1,x2,x3,y1,y2,w'];
  for (let i = 0; i < 200; i++) {
    const x = [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1];
    lines.push([...x, Math.sin(2 * x[0]) + x[1], 100 * x[2] - 50 * x[0] * x[1], weight(i)].map((v) => v.toFixed(6)).join(','));
  }
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('curvature train: the fitting workflow', () => {
  it('--preset fitting --target y1,y2 --weight w --loss huber: test scores, bestIteration and per-target metrics in --json and summary.json', () => {
    writeCsv('data.csv', (i) => 1 + (i % 3));
    const out = path.join(tmp, 'out');
    const r = cli(['train', 'data.csv', '--target', 'y1,y2', '--weight', 'w', '--preset', 'fitting', '--loss', 'huber', '--huber-delta', '0.5',
      '--layers', '8:tanh', '--optimizer', 'lbfgs,adam', '--max-iter', '60', '--json', '--no-progress', '--out', out, '--format', 'json', '--save-experiment', 'exp.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    for (const run of doc.runs) {
      expect(run.test).toEqual({ loss: expect.any(Number), metric: expect.any(Number), metrics: [expect.any(Number), expect.any(Number)] });
      expect(run.validation.metrics).toHaveLength(2);
      expect(run.metric).toBeCloseTo((run.validation.metrics[0] + run.validation.metrics[1]) / 2, 12);
      expect(Number.isInteger(run.bestIteration)).toBe(true);
      expect(run.bestIteration).toBeLessThanOrEqual(run.iterations);
      if (run.status === 'validation-checks') {
        expect(run.message).toBe(`Validation loss did not improve for 6 iterations; weights from iteration ${run.bestIteration}.`);
        expect(run.iterations).toBe(run.bestIteration + 6);
      }
      const summary = JSON.parse(fs.readFileSync(path.join(run.exportedTo, 'summary.json'), 'utf8'));
      expect(summary.test).toEqual(run.test);
      expect(summary.bestIteration).toBe(run.bestIteration);
      const weights = JSON.parse(fs.readFileSync(path.join(run.exportedTo, 'weights.json'), 'utf8'));
      // One output per target, in order.
      expect(weights.layers.at(-1).b).toHaveLength(2);
    }
    const experiment = JSON.parse(fs.readFileSync(path.join(tmp, 'exp.json'), 'utf8'));
    expect(experiment.data).toMatchObject({ target: ['y1', 'y2'], weight: 'w', split: { validation: 0.15, test: 0.15 } });
    expect(experiment.model).toMatchObject({ loss: 'huber', huberDelta: 0.5 });
    expect(experiment.runs.map((x: { stopping: { validationChecks: number } }) => x.stopping.validationChecks)).toEqual([6, 6]);
  }, 200_000);

  it('the table shows test loss and metric columns', () => {
    const r = cli(['train', 'data.csv', '--target', 'y1', '--preset', 'fitting', '--validation-checks', '3', '--layers', '4:tanh', '--optimizer', 'adam', '--max-iter', '20', '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test loss\s+test metric/);
  }, 200_000);

  it('refuses negative weights and a stray --huber-delta with exit code 2 and no stack', () => {
    writeCsv('negative.csv', (i) => (i === 5 ? -2 : 1));
    const neg = cli(['train', 'negative.csv', '--target', 'y1', '--weight', 'w', '--optimizer', 'adam', '--max-iter', '2', '--no-progress']);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toMatch(/row 7.*column "w".*sample weight -2/);
    expect(neg.stderr).not.toMatch(/\n\s+at /);
    const stray = cli(['train', 'data.csv', '--target', 'y1', '--huber-delta', '2', '--optimizer', 'adam', '--no-progress']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--huber-delta applies to --loss huber/);
  }, 200_000);
});
