/**
 * A raw regression target in the hundreds: standardised for training by default, shown and exported
 * in its own units. Without scaling, Adam at its default rate barely moves such a model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExperiment, type ExperimentOutcome } from '../../../app/train/runner';
import { parseExperiment, type ExperimentInput } from '../../../app/schema/experiment';
import { exportFinishedRun } from '../../../app/export';
import { TFJS_MODEL_FILE } from '../../../app/export/tfjsLayers';
import { fitTargetScaling } from '../../../app/data/targetScaling';
import { foldTargetScaling, unfoldTargetScaling } from '../../../app/model/outputScaling';
import { resolveModel } from '../../../app/model/layers';
import { toLayerWeights } from '../../../app/model/params';
import { seededRandom } from '../../../app/util/random';
import { loadTfjsFromDisk, maxRelativeError } from '../export/helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-target-scale-'));
const csv = path.join(dir, 'house.csv');
const ROWS = 400;
const raw: number[][] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const rand = seededRandom(11);
  const lines = ['area,rooms,age,price'];
  for (let i = 0; i < ROWS; i++) {
    const area = 40 + 160 * rand();
    const rooms = 1 + Math.floor(5 * rand());
    const age = 80 * rand();
    // Written as numpy/pandas would: long decimals, target in the hundreds.
    const price = 120 + 2.1 * area + 15 * rooms - 0.9 * age + 25 * Math.sin(area / 20) + 10 * (rand() - 0.5);
    raw.push([area, rooms, age, price]);
    lines.push([area, rooms, age, price].map(String).join(','));
  }
  fs.writeFileSync(csv, lines.join('\n') + '\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function experiment(over: { scaleTarget?: boolean; runs?: ExperimentInput['runs']; initialWeights?: ExperimentInput['initialWeights'] } = {}) {
  return parseExperiment({
    name: 'house prices',
    data: { source: { kind: 'file', path: csv }, target: 'price', preprocessing: { scaleTarget: over.scaleTarget ?? true } },
    model: { layers: [{ units: 16, activation: 'tanh' }] },
    runs: over.runs ?? [{ optimizer: { kind: 'adam' }, stopping: { maxIterations: 300, gradientTolerance: 0 } }],
    seed: 3,
    ...(over.initialWeights && { initialWeights: over.initialWeights }),
  });
}

async function run(e: ReturnType<typeof experiment>): Promise<{ outcome: ExperimentOutcome; notes: string[] }> {
  let notes: string[] = [];
  const outcome = await startExperiment(e, {
    onEvent: (ev) => {
      if (ev.type === 'experiment-started') notes = ev.notes;
    },
  }).done;
  return { outcome, notes };
}

describe('regression target scaling', () => {
  it('fits mean and population scale on the given targets; a constant target keeps scale 1', () => {
    const t = fitTargetScaling(Float32Array.from([1, 2, 3, 4]));
    expect(t.mean).toBe(2.5);
    expect(t.scale).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(fitTargetScaling(Float32Array.from([7, 7, 7]))).toEqual({ mean: 7, scale: 1 });
  });

  it('folding into the output layer and unfolding again gives back the same θ', () => {
    const model = resolveModel({ layers: [{ units: 3, activation: 'tanh', useBias: true, dropout: 0 }], loss: 'auto', output: 'auto', l2: 0 }, 2, 'regression', 1);
    const x = Float64Array.from({ length: model.parameterCount }, (_, i) => Math.fround(0.1 * (i + 1)));
    const t = { mean: 250, scale: 40 };
    const folded = foldTargetScaling(toLayerWeights(model, x), t);
    const last = folded[folded.length - 1];
    expect(Array.from(last.kernel)).toEqual(Array.from(toLayerWeights(model, x)[1].kernel, (w) => Math.fround(w * 40)));
    const flat = Float64Array.from(folded.flatMap((l) => [...l.kernel, ...(l.bias ?? [])]));
    const back = unfoldTargetScaling(model, flat, t);
    for (let i = 0; i < x.length; i++) expect(back[i]).toBeCloseTo(x[i], 5);
  });

  it('Adam with defaults reaches validation R² > 0.3 in 300 iterations on a raw target in the hundreds; unscaled it does not', async () => {
    const scaled = await run(experiment());
    const unscaled = await run(experiment({ scaleTarget: false }));
    const r2 = (o: ExperimentOutcome) => o.runs[0].summary.metrics.validationR2 as number;
    expect(r2(scaled.outcome)).toBeGreaterThan(0.3);
    expect(r2(unscaled.outcome)).toBeLessThan(0.3);
    expect(scaled.outcome.preprocessing.targetScaling?.mean).toBeGreaterThan(200);
    expect(unscaled.outcome.preprocessing.targetScaling).toBeUndefined();
    expect(scaled.notes.join('\n')).toMatch(/target "price" standardised for training .*original units/);
  });

  it('losses are in original units: the same start shows the same iteration-0 loss scaled or not, and BFGS cuts it', async () => {
    const bfgs = [{ optimizer: { kind: 'bfgs' as const }, stopping: { maxIterations: 60 } }];
    const scaled = await run(experiment({ runs: bfgs }));
    // The scaled run's start, as weights predicting original units, given to an unscaled run.
    const start = scaled.outcome.initialWeights.map((l) => ({
      W: Array.from({ length: l.fanIn }, (_, r) => Array.from(l.kernel.subarray(r * l.units, (r + 1) * l.units))),
      b: l.bias ? Array.from(l.bias) : undefined,
    }));
    const unscaled = await run(experiment({ runs: bfgs, scaleTarget: false, initialWeights: { layers: start } }));
    const first = (o: ExperimentOutcome) => o.runs[0].history[0];
    expect(maxRelativeError([first(scaled.outcome).trainLoss], [first(unscaled.outcome).trainLoss])).toBeLessThan(1e-4);
    expect(maxRelativeError([first(scaled.outcome).validationLoss!], [first(unscaled.outcome).validationLoss!])).toBeLessThan(1e-4);
    // Seen in original units the loss of a target in the hundreds starts in the tens of thousands.
    expect(first(scaled.outcome).trainLoss).toBeGreaterThan(1e4);
    expect(scaled.outcome.runs[0].summary.trainLoss).toBeLessThan(first(scaled.outcome).trainLoss / 100);
  });

  it('the exported TF.js model predicts original units, and preprocessing.json records the scaling', async () => {
    const e = experiment({ runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 80 } }] });
    const { outcome } = await run(e);
    const out = path.join(dir, 'export');
    await exportFinishedRun(e, outcome, outcome.runs[0], { directory: out, formats: ['tfjs'] });
    const pre = JSON.parse(fs.readFileSync(path.join(out, 'preprocessing.json'), 'utf8'));
    expect(pre.targetScaling).toEqual(outcome.preprocessing.targetScaling);
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toMatch(/already undoes it/);

    const model = await loadTfjsFromDisk(path.join(out, TFJS_MODEL_FILE));
    const std = pre.standardization as { mean: number; scale: number }[];
    const x = Float32Array.from(raw.flatMap((r) => r.slice(0, 3).map((v, k) => (v - std[k].mean) / std[k].scale)));
    const pred = (model.predict(tf.tensor2d(x, [ROWS, 3])) as tf.Tensor).dataSync();
    model.dispose();
    let sse = 0;
    let sst = 0;
    const mean = raw.reduce((s, r) => s + r[3], 0) / ROWS;
    raw.forEach((r, i) => {
      sse += (pred[i] - r[3]) ** 2;
      sst += (r[3] - mean) ** 2;
    });
    // Predictions on the original scale: R² over every row (train + validation) is high, and the
    // mean squared error matches the run's own training loss in original units to within the split's difference.
    expect(1 - sse / sst).toBeGreaterThan(0.9);
    expect(sse / ROWS).toBeLessThan(5 * outcome.runs[0].summary.trainLoss + 1);
  });
});
