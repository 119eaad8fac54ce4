/**
 * Newton-CG (trust region, Steihaug–Toint CG) against scipy's trust-ncg on the same problems, with
 * the counts pinned from one scipy run (scipy 1.17.1, gtol 1e-8 on ‖g‖₂, callback counting the
 * points that changed):
 *
 *   minimize(rosen, [-1.2, 1], jac=rosen_der, hessp=rosen_hess_prod, method='trust-ncg')
 *     → nit 30 (trials), 27 accepted steps
 *   the 10-D extended Rosenbrock (pairs, as functions.ts; not scipy's chained `rosen`) from
 *     (-1.2, 1, …) with its exact Hessian-vector product → nit 49, 44 accepted
 *   ½ Σ dᵢ xᵢ², d = logspace(0, 4, 20), from ones → nit 15, 15 accepted
 *
 * Here an iteration is an accepted step and every trial costs one evaluation, so trials =
 * functionEvaluations − 1 compares with scipy's nit.
 */
import { describe, expect, it } from 'vitest';
import { createOptimizer, runToEnd } from '../../../app/optim';
import { newtonCgSpecSchema } from '../../../app/optim/spec';
import { DEFAULT_STOPPING, type Objective } from '../../../app/optim/types';
import { rosenbrock, rosenbrockStart } from './functions';

function diagonalQuadratic(d: Float64Array): Objective {
  return {
    dimension: d.length,
    evaluate(x, g) {
      let f = 0;
      for (let i = 0; i < d.length; i++) {
        f += 0.5 * d[i] * x[i] * x[i];
        g[i] = d[i] * x[i];
      }
      return f;
    },
    hessianVectorProduct(_x, v, out) {
      for (let i = 0; i < d.length; i++) out[i] = d[i] * v[i];
      return NaN;
    },
  };
}

const stopping = { ...DEFAULT_STOPPING, gradientTolerance: 1e-8, functionTolerance: 0 };
const spec = newtonCgSpecSchema.parse({ kind: 'newton-cg' });

function within20(ours: number, scipy: number): void {
  expect(ours).toBeGreaterThanOrEqual(Math.floor(0.8 * scipy));
  expect(ours).toBeLessThanOrEqual(Math.ceil(1.2 * scipy));
}

describe('Newton-CG against scipy trust-ncg', () => {
  const cases: [string, Objective, Float64Array, number, number][] = [
    ['2-D Rosenbrock', rosenbrock(2), rosenbrockStart(2), 30, 27],
    ['10-D Rosenbrock', rosenbrock(10), rosenbrockStart(10), 49, 44],
    ['quadratic, condition 1e4', diagonalQuadratic(Float64Array.from({ length: 20 }, (_, i) => 10 ** ((4 * i) / 19))), new Float64Array(20).fill(1), 15, 15],
  ];
  for (const [name, objective, x0, scipyTrials, scipyAccepted] of cases) {
    it(`${name}: converges within ±20% of scipy's trials and accepted steps`, () => {
      const result = runToEnd(createOptimizer(spec, objective, x0, stopping));
      expect(result.status).toBe('gradient-tolerance');
      within20(result.functionEvaluations - 1, scipyTrials);
      within20(result.iterations, scipyAccepted);
      const last = result.history[result.history.length - 1];
      expect(last.hessianVectorProducts).toBe(result.hessianVectorProducts);
      expect(result.hessianVectorProducts).toBeGreaterThan(result.iterations);
    });
  }

  it('refuses an objective without Hessian-vector products, by name', () => {
    const plain: Objective = { dimension: 2, evaluate: (x, g) => rosenbrock(2).evaluate(x, g) };
    const result = runToEnd(createOptimizer(spec, plain, rosenbrockStart(2), stopping));
    expect(result.status).toBe('refused');
    expect(result.message).toMatch(/Hessian-vector products/);
  });

  it('walks off a saddle: negative curvature takes the step to the boundary', () => {
    // f = x² − y² + y⁴/4 has a saddle at 0 and minima at y = ±√2.
    const saddle: Objective = {
      dimension: 2,
      evaluate(x, g) {
        g[0] = 2 * x[0];
        g[1] = -2 * x[1] + x[1] ** 3;
        return x[0] ** 2 - x[1] ** 2 + x[1] ** 4 / 4;
      },
      hessianVectorProduct(x, v, out) {
        out[0] = 2 * v[0];
        out[1] = (-2 + 3 * x[1] ** 2) * v[1];
        return NaN;
      },
    };
    const result = runToEnd(createOptimizer(spec, saddle, Float64Array.from([1, 1e-3]), stopping));
    expect(result.status).toBe('gradient-tolerance');
    expect(Math.abs(result.x[1])).toBeCloseTo(Math.SQRT2, 6);
  });
});

describe('Newton-CG in a hand-off', () => {
  it('counts the products of every Newton-CG phase in the run', async () => {
    const { optimizerSpecSchema } = await import('../../../app/optim/spec');
    const seq = optimizerSpecSchema.parse({
      kind: 'sequence',
      phases: [{ optimizer: { kind: 'newton-cg' }, until: { iterations: 3 } }, { optimizer: { kind: 'lbfgs' }, until: { iterations: 3 } }, { optimizer: { kind: 'newton-cg' } }],
    });
    const result = runToEnd(createOptimizer(seq, rosenbrock(2), rosenbrockStart(2), stopping));
    const byPhase = result.history.filter((h) => h.phase === 0).at(-1)!.hessianVectorProducts!;
    expect(byPhase).toBeGreaterThan(0);
    expect(result.hessianVectorProducts).toBeGreaterThan(byPhase);
    expect(result.history.at(-1)!.hessianVectorProducts).toBe(result.hessianVectorProducts);
  });
});
