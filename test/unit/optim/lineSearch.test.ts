import { describe, expect, it } from 'vitest';
import { lineSearch, type LineSearchResult } from '../../../app/optim/lineSearch';
import { lineSearchSpecSchema, type LineSearchSpec } from '../../../app/optim/spec';
import type { Objective } from '../../../app/optim/types';
import { objective, rosenbrock, rosenbrockStart } from './functions';

// The N&W bracketing + zoom (no longer the default, still selectable); Moré–Thuente has its own section.
const wolfe: LineSearchSpec = lineSearchSpecSchema.parse({ kind: 'strong-wolfe' });
const backtracking: LineSearchSpec = lineSearchSpecSchema.parse({ kind: 'backtracking' });

/** 1-D objective from φ and φ'. */
function line(phi: (a: number) => number, dphi: (a: number) => number): Objective {
  return objective(1, (x, g) => {
    g[0] = dphi(x[0]);
    return phi(x[0]);
  });
}

function search(obj: Objective, x: number[], d: number[] | 'steepest', initialStep: number, spec = wolfe) {
  const x0 = Float64Array.from(x);
  const g0 = new Float64Array(x0.length);
  const f0 = obj.evaluate(x0, g0);
  const dir = d === 'steepest' ? g0.map((v) => -v) : Float64Array.from(d);
  const result = lineSearch({ objective: obj, x: x0, f: f0, g: g0, d: dir, initialStep }, spec);
  return { x0, f0, g0, d: dir, result };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Checks both strong Wolfe conditions from scratch, re-evaluating f and g at the returned point. */
function expectStrongWolfe(obj: Objective, x0: Float64Array, f0: number, g0: Float64Array, d: Float64Array, r: LineSearchResult, spec = wolfe) {
  expect(r.status).toBe('converged');
  const x = x0.map((v, i) => v + r.alpha * d[i]);
  const g = new Float64Array(x.length);
  const f = obj.evaluate(x, g);
  expect(Array.from(r.x)).toEqual(Array.from(x));
  expect(r.f).toBe(f);
  expect(Array.from(r.g)).toEqual(Array.from(g));
  const slope0 = dot(g0, d);
  expect(f).toBeLessThanOrEqual(f0 + spec.c1 * r.alpha * slope0); // sufficient decrease
  expect(Math.abs(dot(g, d))).toBeLessThanOrEqual(spec.c2 * Math.abs(slope0)); // strong curvature
}

// Moré & Thuente (1994) test functions 1 and 2, plus a smooth wiggly one.
const mt1 = line(
  (a) => -a / (a * a + 2),
  (a) => (a * a - 2) / (a * a + 2) ** 2,
);
const mt2 = line(
  (a) => (a + 0.004) ** 5 - 2 * (a + 0.004) ** 4,
  (a) => 5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3,
);
const wiggly = line(
  (a) => (a - 3) ** 2 + Math.sin(3 * a),
  (a) => 2 * (a - 3) + 3 * Math.cos(3 * a),
);
const expSum = objective(4, (x, g) => {
  let f = 0;
  for (let i = 0; i < 4; i++) {
    f += Math.exp(x[i]) + (i + 1) * x[i] * x[i];
    g[i] = Math.exp(x[i]) + 2 * (i + 1) * x[i];
  }
  return f;
});

describe('strong Wolfe line search', () => {
  const cases: Array<[string, Objective, number[]]> = [
    ['Moré–Thuente 1', mt1, [0]],
    ['Moré–Thuente 2', mt2, [0]],
    ['sin-perturbed parabola', wiggly, [0]],
    ['Rosenbrock along −g', rosenbrock(2), Array.from(rosenbrockStart(2))],
    ['4-D exp + quadratic along −g', expSum, [1, -2, 0.5, 3]],
  ];
  for (const [name, obj, x] of cases) {
    for (const initialStep of [1e-3, 0.1, 1, 10, 1000]) {
      it(`${name}, first step ${initialStep}: both strong Wolfe conditions hold`, () => {
        const { x0, f0, g0, d, result } = search(obj, x, x.length === 1 ? [1] : 'steepest', initialStep);
        expectStrongWolfe(obj, x0, f0, g0, d, result);
        expect(result.evaluations).toBeLessThanOrEqual(wolfe.maxEvaluations);
        expect(result.best.f).toBeLessThanOrEqual(result.f);
      });
    }
  }

  it('grows a tiny first step by at most 10x per evaluation while bracketing', () => {
    const alphas: number[] = [];
    const obj = objective(1, (x, g) => {
      alphas.push(x[0]);
      g[0] = 2 * (x[0] - 50);
      return (x[0] - 50) ** 2;
    });
    const { result } = search(obj, [0], [1], 1e-3);
    expect(result.status).toBe('converged');
    const trials = alphas.slice(1); // the first call was the start point
    for (let i = 1; i < trials.length && trials[i] > trials[i - 1]; i++) {
      expect(trials[i] / trials[i - 1]).toBeLessThanOrEqual(10 + 1e-12);
    }
  });

  it('shrinks through a region where f is NaN and returns a finite, decreasing point', () => {
    const seen: number[] = [];
    const obj = line(
      (a) => (seen.push(a), a > 2 ? NaN : (a - 1.5) ** 2),
      (a) => (a > 2 ? NaN : 2 * (a - 1.5)),
    );
    const { f0, result } = search(obj, [0], [1], 100);
    expect(seen.some((a) => a > 2)).toBe(true);
    expect(result.status).toBe('converged');
    expect(result.alpha).toBeLessThanOrEqual(2);
    expect(Number.isFinite(result.f)).toBe(true);
    expect(result.f).toBeLessThan(f0);
    expect(result.best.f).toBeLessThan(f0);
  });

  it('treats +Infinity and a NaN gradient like NaN', () => {
    const obj = line(
      (a) => (a > 3 ? Infinity : (a - 2) ** 2),
      (a) => (a > 1 && a < 1.2 ? NaN : 2 * (a - 2)),
    );
    const { f0, result } = search(obj, [0], [1], 50);
    expect(Number.isFinite(result.f)).toBe(true);
    expect(result.f).toBeLessThan(f0);
    expect(result.alpha).toBeLessThanOrEqual(3);
  });

  it('never picks the NaN end of a bracket even when every trial is NaN', () => {
    const obj = line(
      (a) => (a > 0 ? NaN : 1 - a),
      () => -1,
    );
    const { x0, f0, result } = search(obj, [0], [1], 1);
    expect(result.status).toBe('no-decrease');
    expect(result.alpha).toBe(0);
    expect(result.f).toBe(f0);
    expect(Array.from(result.x)).toEqual(Array.from(x0));
    expect(result.evaluations).toBeLessThanOrEqual(wolfe.maxEvaluations);
  });

  it('reports not-descent without evaluating when g·d ≥ 0', () => {
    const { result, f0 } = search(wiggly, [0], [-1], 1);
    expect(result.status).toBe('not-descent');
    expect(result.evaluations).toBe(0);
    expect(result.f).toBe(f0);
  });

  it('stops at the evaluation cap and returns the best point seen, never worse than the start', () => {
    const spec = lineSearchSpecSchema.parse({ maxEvaluations: 2 });
    // Strong curvature condition is hard here: the slope flips sign within a tiny interval.
    const obj = line(
      (a) => -a / (a * a + 1e-6) / 1e3,
      (a) => ((a * a - 1e-6) / (a * a + 1e-6) ** 2) / 1e3,
    );
    const { f0, result } = search(obj, [0], [1], 5, spec);
    expect(result.evaluations).toBe(2);
    expect(result.status).toBe('max-evaluations');
    expect(result.f).toBeLessThan(f0);
    expect(result.f).toBe(result.best.f);
  });

  it('honours an extra evaluation budget from the run', () => {
    const x0 = Float64Array.of(0);
    const g0 = new Float64Array(1);
    const f0 = mt2.evaluate(x0, g0);
    const r = lineSearch({ objective: mt2, x: x0, f: f0, g: g0, d: Float64Array.of(1), initialStep: 1000, evaluationBudget: 1 }, wolfe);
    expect(r.evaluations).toBe(1);
  });

  it('flags a loss that is flat at float32 resolution as below resolution with no decrease', () => {
    // f rounds to the same float32 value everywhere near the start; the gradient is exact.
    const obj = line(
      (a) => Math.fround(1 + 1e-9 * (a - 1) ** 2),
      (a) => 2e-9 * (a - 1),
    );
    const { f0, result } = search(obj, [0], [1], 1);
    expect(result.status).toBe('no-decrease');
    expect(result.decreased).toBe(false);
    expect(result.f).toBe(f0);
    expect(result.belowFloat32Resolution).toBe(true);
  });
});

describe('Armijo backtracking', () => {
  for (const [name, obj, x] of [
    ['Rosenbrock', rosenbrock(2), Array.from(rosenbrockStart(2))],
    ['4-D exp + quadratic', expSum, [1, -2, 0.5, 3]],
  ] as Array<[string, Objective, number[]]>) {
    for (const initialStep of [1, 100]) {
      it(`${name}, first step ${initialStep}: returns a point satisfying Armijo`, () => {
        const { x0, f0, g0, d, result } = search(obj, x, 'steepest', initialStep, backtracking);
        expect(result.status).toBe('converged');
        const xa = x0.map((v, i) => v + result.alpha * d[i]);
        const f = obj.evaluate(xa, new Float64Array(xa.length));
        expect(f).toBe(result.f);
        expect(f).toBeLessThanOrEqual(f0 + backtracking.c1 * result.alpha * dot(g0, d));
        expect(result.alpha).toBeLessThanOrEqual(initialStep);
      });
    }
  }

  it('backs out of a NaN region', () => {
    const obj = line(
      (a) => (a > 2 ? NaN : (a - 1.5) ** 2),
      (a) => (a > 2 ? NaN : 2 * (a - 1.5)),
    );
    const { f0, result } = search(obj, [0], [1], 1000, backtracking);
    expect(result.status).toBe('converged');
    expect(result.f).toBeLessThan(f0);
    expect(result.alpha).toBeLessThanOrEqual(2);
  });
});
