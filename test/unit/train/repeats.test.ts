/**
 * Repeated starts and hand-off runs through the real runner (tfjs, shipped examples): the paired
 * starts, the aggregate table and win rates against numbers computed here, the --json contract and
 * the repeat-aware export bundle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExperiment, type ExperimentOutcome } from '../../../app/train/runner';
import type { ExperimentEvent } from '../../../app/train/events';
import { loadExample, EXAMPLES_DIR } from '../../../app/examples';
import { parseExperiment, type Experiment } from '../../../app/schema/experiment';
import { jsonReport } from '../../../app/cli/report';
import { bestRepeat } from '../../../app/train/aggregate';
import { exportFinishedRun } from '../../../app/export';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-repeats-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = (e: Experiment, events: ExperimentEvent[] = []) => startExperiment(e, { baseDir: EXAMPLES_DIR, onEvent: (ev) => void events.push(ev) }).done;

/** numpy's default quantile, written out independently of app/train/stats. */
function numpyQuantile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  return s[Math.floor(h)] + (h - Math.floor(h)) * (s[Math.ceil(h)] - s[Math.floor(h)]);
}

describe('K = 5 repeats of L-BFGS vs Adam on the spirals example', () => {
  const K = 5;
  let experiment: Experiment;
  let outcome: ExperimentOutcome;
  const events: ExperimentEvent[] = [];
  beforeAll(async () => {
    const base = loadExample('spirals-classification');
    experiment = parseExperiment({
      ...base,
      repeats: K,
      runs: [
        { optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 25 } },
        { optimizer: { kind: 'adam', learningRate: 0.01 }, stopping: { maxIterations: 25 } },
      ],
    });
    outcome = await run(experiment, events);
  }, 240_000);

  const of = (spec: string) => outcome.runs.filter((r) => r.spec === spec).sort((a, b) => a.repeat! - b.repeat!);

  it('runs every spec from 5 distinct starts shared by both (iteration-0 losses)', () => {
    expect(outcome.runs).toHaveLength(2 * K);
    const lbfgs = of('lbfgs').map((r) => r.history[0].trainLoss);
    const adam = of('adam').map((r) => r.history[0].trainLoss);
    expect(lbfgs).toEqual(adam);
    expect(new Set(lbfgs).size).toBe(K);
    expect(of('adam').map((r) => [r.summary.repeat, r.summary.seed, r.summary.runId])).toEqual(
      [0, 1, 2, 3, 4].map((r) => [r, experiment.seed + r, r === 0 ? 'adam' : `adam_r${r}`]),
    );
  });

  it('interleaves all repeats round-robin: every live run advances one iteration per round', () => {
    const order = events.filter((e) => e.type === 'iteration' && e.point.iteration === 1).map((e) => (e as { runId: string }).runId);
    expect(order).toEqual([0, 1, 2, 3, 4].flatMap((r) => (r === 0 ? ['lbfgs', 'adam'] : [`lbfgs_r${r}`, `adam_r${r}`])));
  });

  it('--json: aggregates equal quantiles computed here, win rates match a count done here', () => {
    const report = jsonReport(experiment, outcome, new Map(), []);
    expect(report.runs.map((r) => r.repeat)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const [aggLbfgs, aggAdam] = report.aggregates!;
    for (const [agg, spec] of [[aggLbfgs, 'lbfgs'], [aggAdam, 'adam']] as const) {
      const runs = of(spec);
      const losses = runs.map((r) => r.summary.trainLoss);
      expect(agg.repeats).toBe(K);
      expect(agg.finalLoss.median).toBeCloseTo(numpyQuantile(losses, 0.5), 12);
      expect(agg.finalLoss.q1).toBeCloseTo(numpyQuantile(losses, 0.25), 12);
      expect(agg.finalLoss.q3).toBeCloseTo(numpyQuantile(losses, 0.75), 12);
      expect(agg.functionEvaluations.median).toBe(numpyQuantile(runs.map((r) => r.summary.functionEvaluations), 0.5));
      expect(agg.metric!.median).toBeCloseTo(numpyQuantile(runs.map((r) => r.summary.metrics.validationAccuracy!), 0.5), 12);
      expect(agg.successes).toBe(runs.filter((r) => r.summary.success).length);
    }
    expect(aggLbfgs.label).toBe('L-BFGS');
    // With a validation split, the win matrix compares validation losses (held-out data).
    expect(aggLbfgs.basis).toBe('validation');
    expect(aggLbfgs.headlineLoss.median).toBeCloseTo(numpyQuantile(of('lbfgs').map((r) => r.summary.metrics.validationLoss!), 0.5), 12);
    let wins = 0;
    for (let r = 0; r < K; r++) {
      const a = of('lbfgs')[r].summary.metrics.validationLoss!;
      const b = of('adam')[r].summary.metrics.validationLoss!;
      wins += a < b ? 1 : a === b ? 0.5 : 0;
    }
    const c = report.comparisons!.find((x) => x.a === 'L-BFGS' && x.b === 'Adam')!;
    expect(c).toMatchObject({ pairs: K, winRate: wins / K });
    expect(report.comparisons!.find((x) => x.a === 'Adam')!.winRate).toBeCloseTo(1 - wins / K, 12);
    expect(c.target).toBe(Math.max(aggLbfgs.headlineLoss.median, aggAdam.headlineLoss.median));
  });

  it('exports the best repeat\'s weights (lowest validation loss), the K histories with a repeat column and the aggregate table', async () => {
    const group = of('adam');
    const best = group.reduce((b, r) => (r.summary.metrics.validationLoss! < b.summary.metrics.validationLoss! ? r : b));
    expect(bestRepeat(group)).toBe(best);
    const directory = path.join(tmp, 'adam');
    await exportFinishedRun(experiment, outcome, bestRepeat(group), { directory, formats: ['json'] });
    const summary = JSON.parse(fs.readFileSync(path.join(directory, 'summary.json'), 'utf8'));
    expect(summary.weights).toMatchObject({ repeat: best.repeat, runId: best.summary.runId });
    expect(summary.repeats).toHaveLength(K);
    expect(summary.aggregates).toHaveLength(2);
    const weights = JSON.parse(fs.readFileSync(path.join(directory, 'weights.json'), 'utf8'));
    expect(weights.layers[0].W[0][0]).toBeCloseTo(best.layers[0].kernel[0], 6);
    const csv = fs.readFileSync(path.join(directory, 'history.csv'), 'utf8').trim().split('\n');
    expect(csv[0].startsWith('repeat,iteration,')).toBe(true);
    expect(new Set(csv.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(['0', '1', '2', '3', '4']));
    expect(csv.length - 1).toBe(group.reduce((n, r) => n + r.history.length, 0));
    const table = fs.readFileSync(path.join(directory, 'aggregates.csv'), 'utf8').trim().split('\n');
    expect(table[0]).toBe('label,optimizer,repeats,successes,finalLossMedian,finalLossQ1,finalLossQ3,functionEvaluationsMedian,functionEvaluationsQ1,functionEvaluationsQ3,secondsMedian,secondsQ1,secondsQ3,metricMedian,metricQ1,metricQ3');
    expect(table).toHaveLength(3);
    expect(JSON.parse(fs.readFileSync(path.join(directory, 'aggregates.json'), 'utf8')).comparisons).toHaveLength(2);
    expect(fs.readFileSync(path.join(directory, 'README.md'), 'utf8')).toMatch(/These weights are repeat \d \(run `adam(_r\d)?`\): the lowest final validation loss of the 5 repeats/);
  });

  it('exports the repeat it is given (the card clicked), not a different one', async () => {
    const group = of('adam');
    const chosen = group.find((r) => r !== bestRepeat(group))!;
    const directory = path.join(tmp, 'adam-chosen');
    await exportFinishedRun(experiment, outcome, chosen, { directory, formats: ['json'] });
    const summary = JSON.parse(fs.readFileSync(path.join(directory, 'summary.json'), 'utf8'));
    expect(summary.weights).toMatchObject({ repeat: chosen.repeat, runId: chosen.summary.runId });
    const weights = JSON.parse(fs.readFileSync(path.join(directory, 'weights.json'), 'utf8'));
    expect(weights.layers[0].W[0][0]).toBeCloseTo(chosen.layers[0].kernel[0], 6);
  });
});

describe('repeats 1 and no sequences: the --json report is today\'s plus repeat, seed and precision', () => {
  it('adds only repeat: 0, seed and precision to each run', async () => {
    const base = loadExample('spirals-classification');
    const experiment = parseExperiment({ ...base, runs: [{ optimizer: { kind: 'adam' }, stopping: { maxIterations: 2 } }] });
    const report = jsonReport(experiment, await run(experiment), new Map(), []);
    expect(Object.keys(report).sort()).toEqual(['backend', 'experiment', 'notes', 'runs']);
    expect(Object.keys(report.runs[0]).sort()).toEqual(
      // bestIteration, fit, metric, validation and test: the fitting workflow's fields (issue 19).
      ['bestIteration', 'engine', 'fit', 'functionEvaluations', 'gradientEvaluations', 'history', 'iterations', 'label', 'message', 'metric', 'metrics', 'objective', 'optimizer', 'precision', 'repeat', 'runId', 'seconds', 'seed', 'status', 'success', 'test', 'trainLoss', 'validation', 'validationLoss'].sort(),
    );
    expect(report.runs[0]).toMatchObject({ runId: 'adam', repeat: 0, seed: 9, precision: 'float32' });
    expect(report.runs[0].history.every((p) => !('phase' in p))).toBe(true);
  });

  it('repeats of a weights file: repeat 0 starts from the file, the others from seed + r', async () => {
    const base = loadExample('spirals-classification');
    const single = parseExperiment({ ...base, runs: [{ optimizer: { kind: 'adam' }, stopping: { maxIterations: 1 } }] });
    const first = await run(single);
    const file = path.join(tmp, 'start');
    await exportFinishedRun(single, first, first.runs[0], { directory: file, formats: ['json'] });
    const events: ExperimentEvent[] = [];
    const fromFile = await run(parseExperiment({ ...single, repeats: 3, initialWeights: { path: path.join(file, 'weights.json') } }), events);
    expect(fromFile.runs[0].history[0].trainLoss).toBeCloseTo(first.runs[0].summary.trainLoss, 6);
    const reseeded = await run(parseExperiment({ ...single, repeats: 3 }));
    expect(fromFile.runs[1].history[0].trainLoss).toBe(reseeded.runs[1].history[0].trainLoss);
    const started = events.find((e) => e.type === 'experiment-started');
    expect(started?.type === 'experiment-started' && started.notes.join(' ')).toMatch(/Repeat 0 starts from the given initial weights; repeats 1–2 draw Glorot-uniform weights from seeds 10–11/);
  });
});

describe('hand-off: Adam → L-BFGS on a smooth regression', () => {
  it('switching after 100 iterations beats Adam alone at the same evaluation budget', async () => {
    const base = loadExample('friedman-regression');
    const stopping = { maxIterations: 100_000, maxEvaluations: 300, gradientTolerance: 0, functionTolerance: 0 };
    const adam = { kind: 'adam', learningRate: 0.01 } as const;
    const experiment = parseExperiment({
      ...base,
      runs: [
        { optimizer: adam, stopping },
        { optimizer: { kind: 'sequence', phases: [{ optimizer: adam, until: { iterations: 100 } }, { optimizer: { kind: 'lbfgs' } }] }, stopping },
      ],
    });
    const outcome = await run(experiment);
    const [alone, handOff] = outcome.runs;
    expect(alone.summary.functionEvaluations).toBe(300);
    expect(handOff.summary.functionEvaluations).toBeLessThanOrEqual(300 + 25);
    expect(handOff.summary.trainLoss).toBeLessThan(alone.summary.trainLoss);
    // The first 100 iterations are the same Adam run from the same start.
    expect(handOff.history[100].trainLoss).toBe(alone.history[100].trainLoss);

    const phases = handOff.history.map((p) => p.phase);
    const changes = phases.flatMap((p, i) => (i > 0 && p !== phases[i - 1] ? [handOff.history[i - 1].iteration] : []));
    expect(changes).toEqual([100]);
    expect(handOff.history[101]).toMatchObject({ iteration: 101, phase: 1 });
    expect(handOff.summary.label).toBe('Adam → L-BFGS');
    expect(handOff.summary.optimizer).toBe('sequence');
    expect(handOff.summary.phases).toEqual([
      { optimizer: 'adam', iterations: 100, functionEvaluations: 101, status: 'max-iterations' },
      expect.objectContaining({ optimizer: 'lbfgs', status: 'max-evaluations' }),
    ]);
    expect(handOff.summary.message).toMatch(/^Phase 2 of 2 \(L-BFGS\): /);
    const report = jsonReport(experiment, outcome, new Map(), []);
    expect(report.runs[1].phases).toHaveLength(2);
    expect(report.runs[1].history[0].phase).toBe(0);
    expect(report.aggregates).toBeUndefined();
  }, 120_000);
});
