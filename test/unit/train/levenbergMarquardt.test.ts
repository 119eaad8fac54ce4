/** LM and BR through the experiment runner: history fields, summaries, hand-offs and repeats. */
import { describe, expect, it } from 'vitest';
import { startExperiment } from '../../../app/train/runner';
import { loadExample, EXAMPLES_DIR } from '../../../app/examples';
import { parseExperiment } from '../../../app/schema/experiment';
import { experimentFromFlags } from '../../../app/cli/trainOptions';
import { summaryTable } from '../../../app/cli/report';

describe('Levenberg–Marquardt and Bayesian regularization runs', () => {
  it('race LM, BR, adam>lm and L-BFGS on Friedman #1 from the same start; points carry μ, Jacobians and BR’s γ', async () => {
    const base = loadExample('friedman-regression');
    const experiment = parseExperiment({
      ...base,
      runs: [
        { optimizer: { kind: 'lm' }, stopping: { maxIterations: 15 } },
        { optimizer: { kind: 'br' }, stopping: { maxIterations: 15 } },
        { optimizer: { kind: 'sequence', phases: [{ optimizer: { kind: 'adam', learningRate: 0.01 }, until: { iterations: 5 } }, { optimizer: { kind: 'lm' } }] }, stopping: { maxIterations: 12 } },
        { optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 15 } },
      ],
    });
    const outcome = await startExperiment(experiment, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    const [lm, br, seq, lbfgs] = outcome.runs;
    expect(new Set(outcome.runs.map((r) => r.history[0].f)).size).toBe(1);
    expect(lm.summary.label).toBe('Levenberg–Marquardt');
    expect(lm.history[0].mu).toBe(1e-3);
    expect(lm.history.at(-1)!.jacobianEvaluations).toBe(lm.history.length);
    expect(lm.summary.levenbergMarquardt?.solver).toMatch(/^dense Cholesky.*J from/);
    // LM after 15 Jacobians is far below L-BFGS after 15 iterations on this smooth regression.
    expect(lm.summary.trainLoss).toBeLessThan(lbfgs.summary.trainLoss);
    for (const p of br.history) {
      expect(p.effectiveParameters).toBeGreaterThan(0);
      expect(p.effectiveParameters).toBeLessThanOrEqual(321);
      expect(p.alpha).toBeGreaterThan(0);
      expect(p.beta).toBeGreaterThan(0);
      expect(p.sumSquaredWeights).toBeGreaterThan(0);
    }
    expect(br.summary.levenbergMarquardt?.effectiveParametersText).toMatch(/^Effective # parameters \d+\.\d of 321$/);
    expect(seq.summary.label).toBe('Adam → Levenberg–Marquardt');
    expect(seq.history.some((p) => p.phase === 1 && p.mu !== undefined)).toBe(true);
    expect(seq.summary.levenbergMarquardt?.solver).toMatch(/^dense Cholesky/);
    const table = summaryTable(outcome.runs.map((r) => r.summary));
    expect(table).toMatch(/Bayesian regularization: dense Cholesky.*Effective # parameters/);
  });

  it('LM stops on validation checks by default (trainlm max_fail 6) and keeps its best-validation weights; 0 turns it off', async () => {
    const base = loadExample('friedman-regression');
    const experiment = parseExperiment({
      ...base,
      model: { ...base.model, layers: [{ units: 40, activation: 'tanh' }] },
      runs: [
        { id: 'lm', optimizer: { kind: 'lm' }, stopping: { maxIterations: 200 } },
        { id: 'lm-off', optimizer: { kind: 'lm', validationChecks: 0 }, stopping: { maxIterations: 200 } },
      ],
    });
    const outcome = await startExperiment(experiment, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    const [lm, off] = outcome.runs;
    expect(lm.summary.status).toBe('validation-checks');
    expect(lm.summary.message).toMatch(/did not improve for 6 iterations/);
    const best = lm.history.find((p) => p.iteration === lm.summary.bestIteration)!;
    expect(lm.history.at(-1)!.iteration - best.iteration).toBe(6);
    expect(off.summary.status).not.toBe('validation-checks');
  });

  it('--optimizer lm,br,lbfgs with --mu, --mu-dec, --mu-inc, --mu-max, --damping', () => {
    const flags = { target: 'y', optimizer: 'lm,br,lbfgs', standardize: true, scaleTarget: true, mu: 0.01, muDec: 0.2, muInc: 5, muMax: 1e8, damping: 'diagonal' };
    const e = experimentFromFlags('d.csv', flags, '/tmp');
    expect(e.runs.map((r) => r.optimizer.kind)).toEqual(['lm', 'br', 'lbfgs']);
    expect(e.runs[0].optimizer).toMatchObject({ kind: 'lm', mu: 0.01, muDecrease: 0.2, muIncrease: 5, muMax: 1e8, damping: 'diagonal' });
    expect(e.runs[1].optimizer).toMatchObject({ kind: 'br', mu: 0.01 });
    expect(() => experimentFromFlags('d.csv', { ...flags, optimizer: 'lbfgs' }, '/tmp')).toThrow(/--mu applies to lm\/br/);
    expect(() => experimentFromFlags('d.csv', { ...flags, muDec: 2 }, '/tmp')).toThrow(/muDecrease/);
  });
});
