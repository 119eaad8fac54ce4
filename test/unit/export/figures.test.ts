/**
 * The fitting plots in the export folder: a real run on data made here (fitting preset 70/15/15),
 * exported, and its PNG + CSV files read back — PNG header and size, CSV rows against the run's
 * own predictions and summary.fit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExperiment } from '../../../app/train/runner';
import { parseExperiment } from '../../../app/schema/experiment';
import { exportFinishedRun } from '../../../app/export';
import { pngRasteriser } from '../../../app/export/figures/png';
import { runFigures } from '../../../app/export/figures';
import type { Preprocessing } from '../../../app/data/types';
import type { RunSummary } from '../../../app/train/events';
import { seededRandom } from '../../../app/util/random';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-figures-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
  const rand = seededRandom(5);
  const reg = ['a,b,y'];
  const cls = ['a,b,label'];
  for (let i = 0; i < 300; i++) {
    const a = 4 * rand() - 2;
    const b = 4 * rand() - 2;
    reg.push(`${a},${b},${3 * a - b + 0.3 * Math.sin(3 * a) + 0.2 * (rand() - 0.5)}`);
    cls.push(`${a},${b},${a + 0.5 * b + 0.6 * (rand() - 0.5) > 0 ? 'yes' : 'no'}`);
  }
  fs.writeFileSync(path.join(dir, 'reg.csv'), reg.join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'cls.csv'), cls.join('\n') + '\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function runAndExport(file: string, target: string, out: string) {
  const e = parseExperiment({
    name: 'figures',
    preset: 'fitting',
    data: { source: { kind: 'file', path: path.join(dir, file) }, target },
    model: { layers: [{ units: 6, activation: 'tanh' }] },
    runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 60 } }],
    seed: 1,
  });
  let error = '';
  const outcome = await startExperiment(e, { onEvent: (ev) => { if (ev.type === 'error') error = ev.message; } }).done.catch((err) => { throw new Error(`${error || err}`); });
  const run = outcome.runs[0];
  const directory = path.join(dir, out);
  await exportFinishedRun(e, outcome, run, { directory, formats: ['json'] });
  return { run, directory };
}

describe('fitting plots in the export folder', () => {
  it('the PNG rasteriser loads here', async () => {
    expect(await pngRasteriser()).not.toBeNull();
  });

  it('regression: performance, regression and error histogram as PNG + CSV, numbers from the run', async () => {
    const { run, directory } = await runAndExport('reg.csv', 'y', 'reg-out');
    const names = fs.readdirSync(directory).filter((f) => f.startsWith('plot-')).sort();
    expect(names).toEqual([
      'plot-error-histogram.csv', 'plot-error-histogram.png', 'plot-performance.csv', 'plot-performance.png', 'plot-regression.csv', 'plot-regression.png',
    ]);
    for (const n of names.filter((f) => f.endsWith('.png'))) {
      const bytes = fs.readFileSync(path.join(directory, n));
      const { width, height } = pngSize(bytes);
      expect(width).toBeGreaterThanOrEqual(600);
      expect(height).toBeGreaterThanOrEqual(400);
      expect(bytes.length).toBeGreaterThan(5000); // drawn, not a blank page
    }
    const reg = fs.readFileSync(path.join(directory, 'plot-regression.csv'), 'utf8').trim().split('\n');
    expect(reg[0]).toBe('subset,target,actual,predicted,error');
    expect(reg).toHaveLength(1 + 300);
    const test = reg.slice(1).filter((l) => l.startsWith('test,'));
    expect(test).toHaveLength(run.predictions!.test!.rows);
    const first = test[0].split(',').map(Number);
    expect(first[2]).toBe(run.predictions!.test!.targets[0]);
    expect(first[3]).toBe(run.predictions!.test!.predictions[0]);
    const hist = fs.readFileSync(path.join(directory, 'plot-error-histogram.csv'), 'utf8').trim().split('\n');
    expect(hist[0]).toBe('bin_low,bin_high,bin_center,train,validation,test');
    expect(hist).toHaveLength(21);
    const total = hist.slice(1).reduce((s, l) => s + l.split(',').slice(3).reduce((a, c) => a + Number(c), 0), 0);
    expect(total).toBe(300);
    const perf = fs.readFileSync(path.join(directory, 'plot-performance.csv'), 'utf8').trim().split('\n');
    expect(perf[0]).toBe('iteration,train_loss,validation_loss,best,test_loss');
    const best = perf.slice(1).filter((l) => l.split(',')[3] === '1');
    expect(best).toHaveLength(1);
    expect(Number(best[0].split(',')[0])).toBe(run.summary.bestIteration);
    expect(Number(best[0].split(',')[4])).toBeCloseTo(run.summary.test!.loss, 12);
    const summary = JSON.parse(fs.readFileSync(path.join(directory, 'summary.json'), 'utf8'));
    expect(summary.fit.test.r[0]).toBeGreaterThan(0.9);
    expect(fs.readFileSync(path.join(directory, 'README.md'), 'utf8')).toContain('plot-regression.png');
  }, 120_000);

  it('binary classification: confusion matrix with row percentages and ROC with AUC', async () => {
    const { run, directory } = await runAndExport('cls.csv', 'label', 'cls-out');
    const names = fs.readdirSync(directory).filter((f) => f.startsWith('plot-')).sort();
    expect(names).toEqual(['plot-confusion.csv', 'plot-confusion.png', 'plot-performance.csv', 'plot-performance.png', 'plot-roc.csv', 'plot-roc.png']);
    pngSize(fs.readFileSync(path.join(directory, 'plot-confusion.png')));
    const conf = fs.readFileSync(path.join(directory, 'plot-confusion.csv'), 'utf8').trim().split('\n');
    expect(conf[0]).toBe('subset,actual,predicted,count,row_percent');
    const testRows = conf.slice(1).filter((l) => l.startsWith('test,')).map((l) => l.split(','));
    const m = run.summary.fit!.test!.confusion!;
    expect(testRows.map((r) => Number(r[3]))).toEqual(m.flat());
    expect(testRows.map((r) => r[1])).toEqual(['no', 'no', 'yes', 'yes']);
    expect(Number(testRows[0][4]) + Number(testRows[1][4])).toBeCloseTo(100, 9);
    const all = conf.slice(1).filter((l) => l.startsWith('all,')).map((l) => Number(l.split(',')[3]));
    expect(all.reduce((a, b) => a + b)).toBe(300);
    const roc = fs.readFileSync(path.join(directory, 'plot-roc.csv'), 'utf8').trim().split('\n');
    expect(roc[0]).toBe('subset,threshold,false_positive_rate,true_positive_rate');
    const lastTest = roc.filter((l) => l.startsWith('test,')).pop()!.split(',');
    expect([Number(lastTest[2]), Number(lastTest[3])]).toEqual([1, 1]);
    expect(run.summary.fit!.test!.auc).toBeGreaterThan(0.9);
  }, 120_000);
  it('multiclass: a 3×3 confusion per subset and for all, no ROC; hostile labels escaped in SVG and quoted in CSV', () => {
    const labels = ['<b>a</b>', 'b,"c"', 'd'];
    const fit = { train: { confusion: [[5, 1, 0], [0, 4, 2], [1, 0, 7]] }, test: { confusion: [[2, 0, 0], [1, 1, 0], [0, 0, 3]] } };
    const figures = runFigures({
      summary: { bestIteration: 1, fit } as unknown as RunSummary,
      history: [{ iteration: 0, trainLoss: 2 }, { iteration: 1, trainLoss: 1 }] as never,
      preprocessing: { task: 'multiclass', target: 'kind', classLabels: labels } as unknown as Preprocessing,
      predictions: { train: { rows: 1, outputs: 3, predictions: [0.2, 0.5, 0.3], targets: [0, 1, 0] } },
    });
    expect(figures.map((f) => f.name)).toEqual(['plot-performance', 'plot-confusion']);
    const conf = figures[1];
    expect(conf.svg).toContain('&lt;b&gt;a&lt;/b&gt;');
    expect(conf.svg).not.toContain('<b>');
    const lines = conf.csv.trim().split('\n');
    expect(lines).toHaveLength(1 + 3 * 9);
    expect(lines[2]).toBe('train,<b>a</b>,"b,""c""",1,16.666666666666668');
    const all = lines.filter((l) => l.startsWith('all,')).map((l) => Number(l.split(',').at(-2)));
    expect(all).toEqual([7, 1, 0, 1, 5, 2, 1, 0, 10]);
  });
});
