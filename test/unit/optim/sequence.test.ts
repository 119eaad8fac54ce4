import { describe, expect, it } from 'vitest';
import { createOptimizer, minimize } from '../../../app/optim';
import { optimizerSpecSchema, sequenceSpecSchema } from '../../../app/optim/spec';
import { DEFAULT_STOPPING, SUCCESS_STATUSES, type IterationRecord, type TerminationStatus } from '../../../app/optim/types';
import { counted, quadratic, rosenbrock, rosenbrockStart } from './functions';

const adamThenLbfgs = (until: object) =>
  optimizerSpecSchema.parse({ kind: 'sequence', phases: [{ optimizer: { kind: 'adam', learningRate: 0.01 }, until }, { optimizer: { kind: 'lbfgs' } }] });

describe('sequence (hand-off) runs', () => {
  it('switch after the given iterations, with cumulative counters and one phase change', () => {
    const f = counted(rosenbrock(4));
    const seen: IterationRecord[] = [];
    const r = minimize(adamThenLbfgs({ iterations: 30 }), f, rosenbrockStart(4), { ...DEFAULT_STOPPING, maxIterations: 200 }, { onIteration: (rec) => void seen.push(rec) });
    const phases = r.history.map((h) => h.phase);
    expect(phases.indexOf(1)).toBe(31); // start record + 30 Adam iterations, then L-BFGS
    expect(phases.filter((p, i) => i > 0 && p !== phases[i - 1])).toHaveLength(1);
    // Iterations count on across the switch; evaluations include the new phase's start evaluation.
    expect(r.history.map((h) => h.iteration)).toEqual(r.history.map((_, i) => i));
    expect(r.history[31].functionEvaluations).toBeGreaterThan(r.history[30].functionEvaluations + 1);
    expect(r.functionEvaluations).toBe(f.calls);
    expect(r.history[r.history.length - 1].functionEvaluations).toBe(f.calls);
    expect(seen.map((s) => s.iteration)).toEqual(r.history.map((h) => h.iteration));
    // Converged in the L-BFGS phase, on the gradient or the function tolerance.
    expect(SUCCESS_STATUSES.has(r.status)).toBe(true);
    expect(r.message).toMatch(/^Phase 2 of 2 \(L-BFGS\): /);
    expect(r.f).toBeLessThan(1e-8);
  });

  it('reports each phase with its own counters', () => {
    const stepper = createOptimizer(adamThenLbfgs({ iterations: 30 }), rosenbrock(2), rosenbrockStart(2), DEFAULT_STOPPING);
    stepper.start();
    while (stepper.step());
    const phases = stepper.phases!();
    expect(phases.map((p) => p.optimizer)).toEqual(['adam', 'lbfgs']);
    expect(phases[0].status).toBe('max-iterations');
    // L-BFGS converges (its default line search may stop it on the function or the gradient tolerance).
    expect(SUCCESS_STATUSES.has(phases[1].status as TerminationStatus)).toBe(true);
    expect(phases[0]).toMatchObject({ iterations: 30, functionEvaluations: 31 });
    expect(phases[0].iterations + phases[1].iterations).toBe(stepper.result().iterations);
    expect(phases[0].functionEvaluations + phases[1].functionEvaluations).toBe(stepper.result().functionEvaluations);
  });

  it('switch on a plateau of the loss', () => {
    // A tiny learning rate makes Adam crawl: its relative decrease over 5 iterations drops below 1e-3 at once.
    const spec = optimizerSpecSchema.parse({
      kind: 'sequence',
      phases: [{ optimizer: { kind: 'sgd', learningRate: 1e-7, momentum: 0 }, until: { plateau: { window: 5, tolerance: 1e-3 } } }, { optimizer: { kind: 'lbfgs' } }],
    });
    const q = quadratic(6, 10);
    const stepper = createOptimizer(spec, q, new Float64Array(6), DEFAULT_STOPPING);
    const records = [stepper.start()];
    for (let r = stepper.step(); r; r = stepper.step()) records.push(r);
    expect(stepper.phases!()[0]).toMatchObject({ optimizer: 'sgd', status: 'plateau', iterations: 5 });
    expect(stepper.result().status).toBe('gradient-tolerance');
  });

  it('the run budget is shared: evaluations never exceed it, and the stop names the phase', () => {
    const f = counted(rosenbrock(8));
    const r = minimize(adamThenLbfgs({ iterations: 50 }), f, rosenbrockStart(8), { ...DEFAULT_STOPPING, maxEvaluations: 80 });
    expect(r.status).toBe('max-evaluations');
    expect(f.calls).toBeLessThanOrEqual(80 + 25); // the last line search may finish its bracket
    expect(r.message).toMatch(/^Phase 2 of 2 \(L-BFGS\)/);
    // Ends in the first phase when the budget runs out there.
    const early = minimize(adamThenLbfgs({ iterations: 50 }), rosenbrock(8), rosenbrockStart(8), { ...DEFAULT_STOPPING, maxIterations: 20 });
    expect(early.status).toBe('max-iterations');
    expect(early.iterations).toBe(20);
    expect(early.message).toMatch(/^Phase 1 of 2 \(Adam\)/);
  });

  it('a stop request ends the run in the current phase', () => {
    const stepper = createOptimizer(adamThenLbfgs({ iterations: 10 }), rosenbrock(2), rosenbrockStart(2), DEFAULT_STOPPING);
    stepper.start();
    for (let i = 0; i < 3; i++) stepper.step();
    stepper.stop();
    expect(stepper.step()).toBeNull();
    expect(stepper.done).toBe(true);
    expect(stepper.result().status).toBe('stopped-by-user');
  });

  it('the schema wants an `until` on every phase but the last, and none on the last', () => {
    const bad = sequenceSpecSchema.safeParse({ kind: 'sequence', phases: [{ optimizer: { kind: 'adam' } }, { optimizer: { kind: 'lbfgs' }, until: { iterations: 3 } }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['phases.0.until', 'phases.1.until']);
    expect(sequenceSpecSchema.safeParse({ kind: 'sequence', phases: [{ optimizer: { kind: 'adam' }, until: {} }, { optimizer: { kind: 'lbfgs' } }] }).success).toBe(false);
  });
});
