import { describe, expect, it } from 'vitest';
import { createOptimizer, minimize, TERMINATION_MESSAGES } from '../../../app/optim';
import { OPTIMIZER_KINDS, isLevenbergMarquardt, optimizerSpecSchema, type OptimizerKind, type OptimizerSpec } from '../../../app/optim/spec';
import { DEFAULT_STOPPING, type IterationRecord, type StoppingCriteria } from '../../../app/optim/types';
import { counted, logisticRegression, quadratic, rosenbrock, rosenbrockStart } from './functions';

const open: StoppingCriteria = { ...DEFAULT_STOPPING, gradientTolerance: 0, functionTolerance: 0, maxIterations: 10_000, maxEvaluations: 100_000 };

function specOf(kind: OptimizerKind): OptimizerSpec {
  return optimizerSpecSchema.parse({ kind });
}

const RECORD_KEYS = [
  'curvature', 'elapsedMs', 'f', 'functionEvaluations', 'gradInfNorm', 'gradNorm2', 'gradientEvaluations',
  'iteration', 'lineSearchEvaluations', 'memoryReset', 'pairSkipped', 'step', 'stepNorm',
].sort();
const RESULT_KEYS = ['elapsedMs', 'f', 'functionEvaluations', 'grad', 'gradientEvaluations', 'iterations', 'message', 'status', 'success', 'x'].sort();

// LM and BR need a sum-of-squares objective (these are general ones); lm.test.ts runs the same
// stop and budget checks on Rosenbrock written as residuals.
describe.each(OPTIMIZER_KINDS.filter((k) => !isLevenbergMarquardt(k)))('%s', (kind) => {
  const spec = specOf(kind);

  it('reports the same record and result shape as every other optimizer', () => {
    const r = minimize(spec, rosenbrock(2), rosenbrockStart(2), { ...open, maxIterations: 5 });
    // Newton-CG's records and result also count its Hessian-vector products.
    const extra = kind === 'newton-cg' ? ['hessianVectorProducts'] : [];
    for (const h of r.history) {
      expect(Object.keys(h).sort()).toEqual([...RECORD_KEYS, ...extra].sort());
      expect(Number.isInteger(h.functionEvaluations)).toBe(true);
    }
    const { history: _history, ...result } = r;
    expect(Object.keys(result).sort()).toEqual([...RESULT_KEYS, ...extra].sort());
    expect(r.history[0]).toMatchObject({ iteration: 0, step: 0, stepNorm: 0, lineSearchEvaluations: 0, functionEvaluations: 1 });
    expect(r.history.at(-1)!.functionEvaluations).toBe(r.functionEvaluations);
  });

  it("the stop signal ends the run with 'stopped-by-user' before the next iteration", () => {
    const controller = new AbortController();
    const stepper = createOptimizer(spec, rosenbrock(2), rosenbrockStart(2), open, { signal: controller.signal });
    stepper.start();
    stepper.step();
    stepper.step();
    controller.abort();
    expect(stepper.step()).toBeNull();
    expect(stepper.done).toBe(true);
    const r = stepper.result();
    expect(r.status).toBe('stopped-by-user');
    expect(r.message).toBe('Stopped by user.');
    expect(r.iterations).toBe(2);
  });

  it('stop() ends the run the same way', () => {
    const stepper = createOptimizer(spec, rosenbrock(2), rosenbrockStart(2), open);
    stepper.start();
    stepper.step();
    stepper.stop();
    expect(stepper.step()).toBeNull();
    expect(stepper.result().status).toBe('stopped-by-user');
  });

  it("a callback returning false ends the run with 'stopped-by-callback'", () => {
    const seen: number[] = [];
    const r = minimize(spec, rosenbrock(2), rosenbrockStart(2), open, { onIteration: (rec) => (seen.push(rec.iteration), rec.iteration < 3) });
    expect(r.status).toBe('stopped-by-callback');
    expect(r.message).toBe('Stopped by callback.');
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(r.iterations).toBe(3);
  });

  it("reaches and reports 'max-iterations'", () => {
    const r = minimize(spec, rosenbrock(2), rosenbrockStart(2), { ...open, maxIterations: 4 });
    expect(r.status).toBe('max-iterations');
    expect(r.message).toBe('Maximum number of iterations has been exceeded.');
    expect(r.iterations).toBe(4);
    expect(r.history).toHaveLength(5);
  });

  it("reaches and reports 'max-evaluations' without exceeding the budget", () => {
    const obj = counted(quadratic(6, 100));
    const r = minimize(spec, obj, new Float64Array(6), { ...open, maxEvaluations: 7 });
    expect(r.status).toBe('max-evaluations');
    expect(r.message).toBe('Maximum number of function evaluations has been exceeded.');
    expect(r.functionEvaluations).toBe(7);
    expect(obj.calls).toBe(7);
  });

  it("reaches and reports 'max-time', counting only time spent inside the run", () => {
    let clock = 0;
    const now = () => (clock += 10); // every reading advances 10 ms
    const r = minimize(spec, rosenbrock(2), rosenbrockStart(2), { ...open, maxTimeMs: 50 }, { now });
    expect(r.status).toBe('max-time');
    expect(r.message).toBe('Maximum time has been exceeded.');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(50);
    // start() and each step() read the clock twice → 10 ms of "work" per call
    expect(r.elapsedMs).toBe(10 * (r.iterations + 1));
  });

  it('is deterministic: the same inputs give identical trajectories', () => {
    const run = () => minimize(spec, logisticRegression(), new Float64Array(6), { ...open, maxIterations: 25 });
    const strip = (h: IterationRecord[]) => h.map(({ elapsedMs: _e, ...rest }) => rest);
    const a = run();
    const b = run();
    expect(strip(a.history)).toEqual(strip(b.history));
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
  });

  it('stops at once with success when started at a minimiser', () => {
    const q = quadratic(5, 10);
    const r = minimize(spec, q, Float64Array.from(q.minimizer), DEFAULT_STOPPING);
    expect(r.status).toBe('gradient-tolerance');
    expect(r.success).toBe(true);
    expect(r.iterations).toBe(0);
    expect(r.message).toBe(TERMINATION_MESSAGES['gradient-tolerance']);
  });

  it('result().x is the best point seen and never worse than x0', () => {
    const r = minimize(spec, rosenbrock(2), rosenbrockStart(2), { ...open, maxIterations: 30 });
    const best = Math.min(...r.history.map((h) => h.f));
    expect(r.f).toBe(best);
    const g = new Float64Array(2);
    expect(rosenbrock(2).evaluate(r.x, g)).toBe(r.f);
    expect(Array.from(r.grad)).toEqual(Array.from(g));
  });

  it('the start record is evaluated once, and step() before start() still starts', () => {
    const obj = counted(rosenbrock(2));
    const stepper = createOptimizer(spec, obj, rosenbrockStart(2), open);
    const first = stepper.step()!;
    expect(first.iteration).toBe(1);
    expect(stepper.start().iteration).toBe(0);
    expect(obj.calls).toBe(first.functionEvaluations);
  });
});

describe('tolerances', () => {
  it("relative change of f ends a run with 'function-tolerance' (success)", () => {
    const r = minimize(specOf('lbfgs'), rosenbrock(2), rosenbrockStart(2), { ...open, functionTolerance: 1e-6 });
    expect(r.status).toBe('function-tolerance');
    expect(r.success).toBe(true);
    expect(r.message).toMatch(/^Optimization terminated successfully/);
  });

  it("a small step ends a run with 'step-tolerance' (success)", () => {
    const r = minimize(specOf('adam'), quadratic(4, 10), new Float64Array(4), { ...open, stepTolerance: 1e-2 });
    expect(r.status).toBe('step-tolerance');
    expect(r.success).toBe(true);
  });

  it('the result while running says so and is the best point so far', () => {
    const stepper = createOptimizer(specOf('bfgs'), rosenbrock(2), rosenbrockStart(2), open);
    stepper.start();
    stepper.step();
    const r = stepper.result();
    expect(stepper.done).toBe(false);
    expect(r.message).toMatch(/in progress/);
    expect(r.success).toBe(false);
    expect(r.f).toBeLessThan(24.2);
  });

  it('rejects a start point of the wrong length with a clear error', () => {
    expect(() => createOptimizer(specOf('lbfgs'), rosenbrock(2), new Float64Array(3), open)).toThrow(/3 entries but the objective has dimension 2/);
  });
});
