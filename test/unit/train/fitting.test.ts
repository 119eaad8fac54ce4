/**
 * The fitting workflow on data made here: the test rows never reach training or any choice
 * (poisoning them changes only the test score), validation checks stop at the right iteration and
 * report weights that reproduce the best validation loss, several targets match a float64
 * least-squares fit, and integer sample weights equal duplicated rows.
 */
import { describe, expect, it } from 'vitest';
import { Matrix, solve } from 'ml-matrix';
import { startExperiment, type ExperimentOutcome, type FinishedRun } from '../../../app/train/runner';
import { parseExperiment, type ExperimentInput } from '../../../app/schema/experiment';
import { prepareData } from '../../../app/data/prepare';
import { splitRows } from '../../../app/data/split';
import { bestRepeat, aggregateRepeats, repeatOutcomes } from '../../../app/train/aggregate';
import { seededRandom } from '../../../app/util/random';
import type { DenseWeights } from '../../../app/model/spec';
import type { Preprocessing } from '../../../app/data/types';
import type { OptimizerSpecInput } from '../../../app/optim/spec';
import { activate } from '../../../support/denseReference';

type Row = (number | string | null)[];

const run = (input: ExperimentInput): Promise<ExperimentOutcome> =>
  startExperiment(parseExperiment(input), { onEvent: () => {} }).done;

/** y = sin(2·x1) + x2·x3 + noise on n rows; columns x1, x2, x3, y. */
function regressionRows(n: number, seed: number, noise = 0.05): Row[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const x = [rand() * 2 - 1, rand() * 2 - 1, rand() * 2 - 1];
    return [...x, Math.sin(2 * x[0]) + x[1] * x[2] + noise * (rand() * 2 - 1)];
  });
}

/** Outputs of exported (original-units) weights on raw feature values, in float64. */
function predict(layers: DenseWeights[], pre: Preprocessing, raw: number[]): number[] {
  let h = raw.map((v, i) => (v - pre.standardization[i].mean) / pre.standardization[i].scale);
  for (const l of layers) {
    const z = Array.from({ length: l.units }, (_, j) => {
      let s = l.bias ? l.bias[j] : 0;
      for (let i = 0; i < l.fanIn; i++) s += h[i] * l.kernel[i * l.units + j];
      return s;
    });
    h = activate(l.activation, z);
  }
  return h;
}

describe('the test subset', () => {
  const n = 200;
  const base = (rows: Row[]): ExperimentInput => ({
    data: { source: { kind: 'inline', columns: ['x1', 'x2', 'x3', 'y'], rows }, target: 'y', split: { validation: 0.2, test: 0.2, seed: 7 } },
    model: { layers: [{ units: 8, activation: 'tanh' }] },
    runs: [
      { optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 30 } },
      { optimizer: { kind: 'adam', learningRate: 0.01 }, stopping: { maxIterations: 30, validationChecks: 3 } },
    ],
    repeats: 2,
  });

  it('poisoned test rows change nothing but the test score', async () => {
    const clean = regressionRows(n, 1);
    // The rows prepare puts in the test subset: same seed and shares, no strata for regression.
    const { test } = splitRows(Int32Array.from({ length: n }, (_, i) => i), { validation: 0.2, test: 0.2, seed: 7 });
    expect(test.length).toBe(40);
    const poisoned = clean.map((r) => [...r]);
    for (const i of test) poisoned[i] = [-50, 1e3, 7, 1e6];
    const [a, b] = [await run(base(clean)), await run(base(poisoned))];
    expect(b.runs.length).toBe(a.runs.length);
    a.runs.forEach((ra, k) => {
      const rb = b.runs[k];
      const { test: ta, engine: _ea, seconds: _sa, fit: fa, ...sa } = ra.summary;
      const { test: tb, engine: _eb, seconds: _sb, fit: fb, ...sb } = rb.summary;
      expect(sb).toEqual(sa);
      expect([fb!.train, fb!.validation]).toEqual([fa!.train, fa!.validation]);
      expect(fb!.test).not.toEqual(fa!.test);
      expect(rb.history.map((p) => [p.trainLoss, p.validationLoss, p.f])).toEqual(ra.history.map((p) => [p.trainLoss, p.validationLoss, p.f]));
      expect(rb.layers).toEqual(ra.layers);
      expect(ta).not.toBeNull();
      expect(tb!.loss).toBeGreaterThan(1e6 * ta!.loss);
    });
    expect(bestRepeat(b.runs).summary.runId).toBe(bestRepeat(a.runs).summary.runId);
    // Everything but the wall-clock seconds.
    const agg = (o: ExperimentOutcome) => {
      const { aggregates, comparisons } = aggregateRepeats(repeatOutcomes(o.runs));
      return { aggregates: aggregates.map(({ seconds: _s, ...rest }) => rest), comparisons };
    };
    expect(agg(b)).toEqual(agg(a));
  }, 120_000);

  it('the test score is the loss of the reported weights on the test rows, and the subsets come back in original units', async () => {
    const rows = regressionRows(n, 2);
    const o = await run(base(rows));
    const { test } = splitRows(Int32Array.from({ length: n }, (_, i) => i), { validation: 0.2, test: 0.2, seed: 7 });
    for (const r of o.runs) {
      const p = r.predictions!.test!;
      expect(p.rows).toBe(test.length);
      // The subset's targets are the raw y of those rows (order of the split), in original units.
      const got = [...p.targets].sort((u, v) => u - v);
      const want = [...test].map((i) => rows[i][3] as number).sort((u, v) => u - v);
      got.forEach((t, k) => expect(Math.abs(t - want[k])).toBeLessThan(1e-6));
      let sse = 0;
      for (let k = 0; k < p.rows; k++) {
        const raw = rows[test[k]].slice(0, 3) as number[];
        const y = predict(r.layers, o.preprocessing, raw)[0];
        expect(Math.abs(y - p.predictions[k])).toBeLessThan(1e-4);
        sse += (p.predictions[k] - p.targets[k]) ** 2;
      }
      expect(r.summary.test!.loss).toBeCloseTo(sse / p.rows, 10);
      expect(r.predictions!.train!.rows + r.predictions!.validation!.rows + p.rows).toBe(n);
    }
  }, 120_000);
});

describe('validation checks', () => {
  /** A pure-noise target: any fit past the mean overfits, so validation loss turns up early. */
  const noise = (): Row[] => {
    const rand = seededRandom(3);
    return Array.from({ length: 80 }, () => [rand(), rand(), rand(), rand() * 10]);
  };
  type Kind = 'lbfgs' | 'bfgs' | 'adam' | 'adam>lbfgs';
  const optimizer = (kind: Kind): OptimizerSpecInput => {
    if (kind === 'adam') return { kind, learningRate: 0.005 };
    if (kind === 'adam>lbfgs') {
      return { kind: 'sequence', phases: [{ optimizer: { kind: 'adam', learningRate: 0.05 }, until: { iterations: 3 } }, { optimizer: { kind: 'lbfgs' } }] };
    }
    return { kind };
  };
  const input = (kind: Kind): ExperimentInput => ({
    data: { source: { kind: 'inline', columns: ['x1', 'x2', 'x3', 'y'], rows: noise() }, target: 'y', split: { validation: 0.3, seed: 2 } },
    model: { layers: [{ units: 24, activation: 'tanh' }] },
    runs: [{ optimizer: optimizer(kind), stopping: { maxIterations: 400, validationChecks: 4 } }],
  });

  for (const kind of ['lbfgs', 'bfgs', 'adam', 'adam>lbfgs'] as const) {
    it(`${kind}: stops 4 iterations after the best validation loss and reports that iteration's weights`, async () => {
      const o = await run(input(kind));
      const r: FinishedRun = o.runs[0];
      const h = r.history;
      const losses = h.map((p) => p.validationLoss!);
      let best = 0;
      for (let i = 1; i < losses.length; i++) if (losses[i] < losses[best]) best = i;
      expect(r.summary.status).toBe('validation-checks');
      // The fit first improves on validation, then overfits the noise: the best is in the middle.
      expect(h[best].iteration).toBeGreaterThan(0);
      expect(r.summary.bestIteration).toBe(h[best].iteration);
      expect(h[h.length - 1].iteration).toBe(h[best].iteration + 4);
      expect(r.summary.message).toBe(`Validation loss did not improve for 4 iterations; weights from iteration ${h[best].iteration}.`);
      expect(r.summary.metrics.validationLoss).toBeCloseTo(losses[best], 6);
      expect(r.summary.trainLoss).toBe(h[best].trainLoss);
      // The exported (original-units) weights reproduce the best validation loss in float64.
      const data = await prepareData(parseExperiment(input(kind)).data);
      const v = data.validation!;
      let sse = 0;
      for (let k = 0; k < v.rows; k++) {
        const raw = data.preprocessing.standardization.map((s, i) => v.x[k * 3 + i] * s.scale + s.mean);
        sse += (predict(r.layers, o.preprocessing, raw)[0] - v.y[k]) ** 2;
      }
      expect(Math.abs(sse / v.rows - losses[best]) / losses[best]).toBeLessThan(1e-6);
    }, 120_000);
  }

  it('a run another rule ends first still reports its best-validation weights', async () => {
    const o = await run({ ...input('lbfgs'), runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 12, validationChecks: 1000 } }] });
    const r = o.runs[0];
    const losses = r.history.map((p) => p.validationLoss!);
    const best = losses.indexOf(Math.min(...losses));
    expect(r.summary.status).toBe('max-iterations');
    expect(r.summary.bestIteration).toBe(r.history[best].iteration);
    expect(r.summary.metrics.validationLoss).toBeCloseTo(losses[best], 6);
    expect(r.summary.message).toMatch(new RegExp(`Weights from iteration ${r.history[best].iteration} \\(best validation loss\\)\\.$`));
  }, 60_000);

  it('the fitting preset gives 70/15/15 and 6 checks; explicit fields win', () => {
    const e = parseExperiment({ preset: 'fitting', ...input('lbfgs'), runs: [{ optimizer: { kind: 'adam' } }] });
    expect(e.data.split).toMatchObject({ validation: 0.3, test: 0.15 });
    expect(e.runs[0].stopping.validationChecks).toBe(6);
    const d = parseExperiment({ preset: 'fitting', data: { source: { kind: 'inline', columns: ['a', 'b'], rows: [[1, 2]] }, target: 'b' }, model: { layers: [{ units: 1 }] }, runs: [{ optimizer: { kind: 'adam' } }] });
    expect(d.data.split).toMatchObject({ validation: 0.15, test: 0.15 });
  });
});

describe('several targets', () => {
  it('a linear model on a generated 3-target problem matches float64 least squares', async () => {
    const rand = seededRandom(9);
    const B = [[1.5, -2, 0.3], [0.2, 4, -1], [-3, 0.5, 2], [0.7, 0.7, 0.7]];
    const c = [10, -200, 0.5];
    const rows: Row[] = Array.from({ length: 300 }, () => {
      const x = [rand() * 4, rand() - 0.5, rand() * 100, rand()];
      const y = c.map((ck, k) => ck + x.reduce((s, xi, i) => s + xi * B[i][k] * (k === 1 ? 30 : 1), 0) + 0.1 * (rand() - 0.5));
      return [...x, ...y];
    });
    const o = await run({
      data: { source: { kind: 'inline', columns: ['a', 'b', 'c', 'd', 'y1', 'y2', 'y3'], rows }, target: ['y1', 'y2', 'y3'], split: { validation: 0, test: 0 } },
      model: { layers: [{ units: 3, activation: 'linear' }] },
      runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 500, gradientTolerance: 1e-10, functionTolerance: 0 } }],
    });
    expect(o.runs[0].layers).toHaveLength(1);
    expect(o.preprocessing.targets).toEqual(['y1', 'y2', 'y3']);
    // Least squares on [x, 1] in float64; predictions compared on every row, relative to each target's spread.
    const X = new Matrix(rows.map((r) => [...(r.slice(0, 4) as number[]), 1]));
    const Y = new Matrix(rows.map((r) => r.slice(4) as number[]));
    const coef = solve(X.transpose().mmul(X), X.transpose().mmul(Y));
    const fit = X.mmul(coef);
    for (let k = 0; k < 3; k++) {
      const col = Y.getColumn(k);
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - col.reduce((a, b) => a + b) / col.length) ** 2, 0) / col.length);
      let worst = 0;
      rows.forEach((r, i) => {
        const p = predict(o.runs[0].layers, o.preprocessing, r.slice(0, 4) as number[]);
        worst = Math.max(worst, Math.abs(p[k] - fit.get(i, k)) / sd);
      });
      expect(worst, `target ${k}`).toBeLessThan(1e-4);
    }
  }, 120_000);

  it('reports R² per target and their mean, validation and test', async () => {
    const rand = seededRandom(4);
    const rows: Row[] = Array.from({ length: 120 }, () => {
      const x = [rand(), rand()];
      return [...x, x[0] + 0.1 * rand(), x[1] * 5 + rand()];
    });
    const o = await run({
      data: { source: { kind: 'inline', columns: ['a', 'b', 'u', 'v'], rows }, target: ['u', 'v'], split: { validation: 0.2, test: 0.2 } },
      model: { layers: [{ units: 2, activation: 'linear' }] },
      runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 100 } }],
    });
    const s = o.runs[0].summary;
    expect(s.validation!.metrics).toHaveLength(2);
    expect(s.test!.metrics).toHaveLength(2);
    expect(s.validation!.metric).toBeCloseTo((s.validation!.metrics![0] + s.validation!.metrics![1]) / 2, 12);
    expect(s.metrics.validationR2PerTarget).toEqual(s.validation!.metrics);
    expect(o.runs[0].predictions!.test!.outputs).toBe(2);
  }, 60_000);
});

describe('sample weights', () => {
  const columns = ['x1', 'x2', 'x3', 'y', 'w'];
  const rows = regressionRows(30, 5).map((r, i) => [...r, i % 4]);
  const input = (data: Row[], weight?: string): ExperimentInput => ({
    data: {
      source: { kind: 'inline', columns, rows: data },
      target: 'y',
      ...(weight && { weight }),
      ...(!weight && { ignore: ['w'] }),
      split: { validation: 0 },
      preprocessing: { standardize: false, scaleTarget: false },
    },
    model: { layers: [{ units: 5, activation: 'tanh' }] },
    runs: [{ optimizer: { kind: 'bfgs' }, stopping: { maxIterations: 1 } }],
  });

  it('weighted training loss equals the loss on rows duplicated weight times', async () => {
    const duplicated = rows.flatMap((r) => Array.from({ length: r[4] as number }, () => r));
    const [w, d] = [await run(input(rows, 'w')), await run(input(duplicated))];
    const l0 = (o: ExperimentOutcome) => o.runs[0].history[0].trainLoss;
    expect(Math.abs(l0(w) - l0(d)) / l0(d)).toBeLessThan(1e-6);
    expect(w.preprocessing.weight).toBe('w');
  }, 60_000);

  it('refuses negative and all-zero weights with the row or the column named', async () => {
    const negative = rows.map((r, i) => (i === 3 ? [...r.slice(0, 4), -1] : r));
    await expect(run(input(negative, 'w'))).rejects.toThrow(/row 4.*column "w".*weight -1/);
    const zero = rows.map((r) => [...r.slice(0, 4), 0]);
    await expect(run(input(zero, 'w'))).rejects.toThrow(/every training row has sample weight 0/);
  });
});

describe('robust losses end to end', () => {
  it('huber and mae train and report their loss in original units', async () => {
    for (const loss of ['huber', 'mae'] as const) {
      const o = await run({
        data: { source: { kind: 'inline', columns: ['x1', 'x2', 'x3', 'y'], rows: regressionRows(100, 6).map((r) => [...r.slice(0, 3), (r[3] as number) * 50 + 1000]) }, target: 'y', split: { validation: 0.2 } },
        model: { layers: [{ units: 6, activation: 'tanh' }], loss },
        runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 40 } }],
      });
      const r = o.runs[0];
      const s = o.preprocessing.targetScaling!;
      expect(s.scale).toBeGreaterThan(10);
      const p = r.predictions!.train!;
      let sum = 0;
      for (let k = 0; k < p.rows; k++) {
        const d = Math.abs(p.predictions[k] - p.targets[k]);
        const delta = s.scale; // δ = 1 in standardised units
        sum += loss === 'mae' ? d : d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
      }
      expect(Math.abs(r.summary.trainLoss - sum / p.rows) / (sum / p.rows), loss).toBeLessThan(1e-5);
      expect(r.history[r.history.length - 1].trainLoss).toBeLessThan(r.history[0].trainLoss);
    }
  }, 60_000);
});

describe('per-subset fit statistics (what the plots summarise)', () => {
  it('binary: confusion matrices and ROC AUC on every subset agree with counts done here', async () => {
    const rand = seededRandom(21);
    const rows: Row[] = Array.from({ length: 240 }, () => {
      const x = [rand() * 2 - 1, rand() * 2 - 1];
      return [...x, x[0] + 0.5 * x[1] + 0.4 * (rand() - 0.5) > 0 ? 'yes' : 'no'];
    });
    const o = await run({
      data: { source: { kind: 'inline', columns: ['a', 'b', 'label'], rows }, target: 'label', split: { validation: 0.2, test: 0.2 } },
      model: { layers: [{ units: 4, activation: 'tanh' }] },
      runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 30 } }],
    });
    const r = o.runs[0];
    for (const name of ['train', 'validation', 'test'] as const) {
      const p = r.predictions![name]!;
      const fit = r.summary.fit![name]!;
      const counts = [[0, 0], [0, 0]];
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < p.rows; i++) {
        counts[p.targets[i]][p.predictions[i] >= 0.5 ? 1 : 0]++;
        for (let j = 0; j < p.rows; j++) {
          if (p.targets[i] === 1 && p.targets[j] === 0) {
            pairs++;
            wins += p.predictions[i] > p.predictions[j] ? 1 : p.predictions[i] === p.predictions[j] ? 0.5 : 0;
          }
        }
      }
      expect(fit.confusion).toEqual(counts);
      expect(fit.auc).toBeCloseTo(wins / pairs, 12);
      expect(fit.auc!).toBeGreaterThan(0.8);
    }
    expect(o.preprocessing.classLabels).toEqual(['no', 'yes']);
  }, 60_000);

  it('regression: R per target is the Pearson correlation of predictions and targets', async () => {
    const o = await run({
      data: { source: { kind: 'inline', columns: ['x1', 'x2', 'x3', 'y'], rows: regressionRows(150, 8) }, target: 'y', split: { validation: 0.2, test: 0.2 } },
      model: { layers: [{ units: 6, activation: 'tanh' }] },
      runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 40 } }],
    });
    const p = o.runs[0].predictions!.test!;
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const [mp, mt] = [mean(p.predictions), mean(p.targets)];
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    p.predictions.forEach((v, i) => {
      sxy += (v - mp) * (p.targets[i] - mt);
      sxx += (v - mp) ** 2;
      syy += (p.targets[i] - mt) ** 2;
    });
    expect(o.runs[0].summary.fit!.test!.r![0]).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 12);
  }, 60_000);
});
