/** Sum-of-squares objectives from explicit residual and Jacobian functions, for the LM/BR tests. */
import type { LeastSquaresObjective } from '../../../app/optim/types';

export interface ResidualProblem {
  n: number;
  m: number;
  residuals(x: Float64Array): Float64Array;
  /** Row-major m × n. */
  jacobian(x: Float64Array): Float64Array;
}

/** f = lossScale · Σe², with JᵀJ, Jᵀe and JᵀJ·v formed densely from the explicit Jacobian. */
export function leastSquaresObjective(p: ResidualProblem, lossScale = 1, penaltyWeights: Float64Array | null = null): LeastSquaresObjective & { jacobians: number } {
  const { n, m } = p;
  const sse = (x: Float64Array): number => p.residuals(x).reduce((s, e) => s + e * e, 0);
  const pen = (x: Float64Array): number => (penaltyWeights ? x.reduce((s, v, j) => s + penaltyWeights[j] * v * v, 0) : 0);
  const obj = {
    dimension: n,
    residualCount: m,
    lossScale,
    penaltyWeights,
    jacobians: 0,
    evaluate(x: Float64Array, grad: Float64Array): number {
      const jte = new Float64Array(n);
      const E = obj.jacobianTransposeResiduals(x, jte);
      for (let j = 0; j < n; j++) grad[j] = 2 * lossScale * (jte[j] + (penaltyWeights ? penaltyWeights[j] * x[j] : 0));
      return lossScale * (E + pen(x));
    },
    sumOfSquares: sse,
    gaussNewtonSystem(x: Float64Array, jtj: Float64Array, jte: Float64Array): number {
      obj.jacobians++;
      const e = p.residuals(x);
      const J = p.jacobian(x);
      jtj.fill(0);
      jte.fill(0);
      for (let r = 0; r < m; r++) {
        for (let i = 0; i < n; i++) {
          jte[i] += J[r * n + i] * e[r];
          for (let j = 0; j < n; j++) jtj[i * n + j] += J[r * n + i] * J[r * n + j];
        }
      }
      return e.reduce((s, v) => s + v * v, 0);
    },
    jacobianTransposeResiduals(x: Float64Array, out: Float64Array): number {
      const e = p.residuals(x);
      const J = p.jacobian(x);
      out.fill(0);
      for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) out[i] += J[r * n + i] * e[r];
      return e.reduce((s, v) => s + v * v, 0);
    },
    gaussNewtonProduct(x: Float64Array, v: Float64Array, out: Float64Array): void {
      const J = p.jacobian(x);
      out.fill(0);
      for (let r = 0; r < m; r++) {
        let jv = 0;
        for (let i = 0; i < n; i++) jv += J[r * n + i] * v[i];
        for (let i = 0; i < n; i++) out[i] += J[r * n + i] * jv;
      }
    },
    leastSquaresRefusal: () => null,
  };
  return obj;
}

/** Rosenbrock as residuals (10(x₂ − x₁²), 1 − x₁), MINPACK's test function 4. */
export const rosenbrockResiduals: ResidualProblem = {
  n: 2,
  m: 2,
  residuals: (x) => Float64Array.of(10 * (x[1] - x[0] * x[0]), 1 - x[0]),
  jacobian: (x) => Float64Array.of(-20 * x[0], 10, -1, 0),
};

/** e = A x − b for a row-major m × n matrix A. */
export function linearResiduals(A: Float64Array, b: Float64Array, n: number): ResidualProblem {
  const m = b.length;
  return {
    n,
    m,
    residuals: (x) => {
      const e = new Float64Array(m);
      for (let r = 0; r < m; r++) {
        let s = -b[r];
        for (let i = 0; i < n; i++) s += A[r * n + i] * x[i];
        e[r] = s;
      }
      return e;
    },
    jacobian: () => A,
  };
}
