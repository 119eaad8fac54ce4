/**
 * The float64 JavaScript Jacobian products against central differences of the float64 reference's
 * residuals, for every activation, several outputs, sample weights and chunked accumulation.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation, type DenseStack } from '../../../app/engine/engine';
import {
  gaussNewtonSystem,
  jacobianTransposeProduct,
  jacobianVectorProduct,
  residualJacobian,
  residualSumOfSquares,
  type ResidualData,
} from '../../../app/engine/js/jacobian';
import { lcg, makeStack, randomProblem, reference, relativeError } from '../../../support/denseReference';

/** e = √w (out − y) from the reference's float64 forward pass. */
function referenceResiduals(stack: DenseStack, theta: Float64Array, data: ResidualData): Float64Array {
  const { outputs } = reference(stack, theta, Float32Array.from(data.x), Float32Array.from(data.y), data.rows, [], false);
  const K = stack.layers[stack.layers.length - 1].units;
  return outputs.map((o, i) => Math.sqrt(data.weights ? data.weights[Math.floor(i / K)] : 1) * (o - data.y[i]));
}

function centralJacobian(stack: DenseStack, theta: Float64Array, data: ResidualData): Float64Array {
  const n = stack.parameterCount;
  const m = referenceResiduals(stack, theta, data).length;
  const J = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[j] += h;
    minus[j] -= h;
    const ep = referenceResiduals(stack, plus, data);
    const em = referenceResiduals(stack, minus, data);
    for (let r = 0; r < m; r++) J[r * n + j] = (ep[r] - em[r]) / (2 * h);
  }
  return J;
}

function problem(stack: DenseStack, rows: number, seed: number, weighted: boolean): { data: ResidualData; theta: Float64Array } {
  const { x, y, theta } = randomProblem(stack, rows, seed);
  const rand = lcg(seed + 1);
  const data: ResidualData = { x: Float64Array.from(x), y: Float64Array.from(y), rows, weights: weighted ? new Float64Array(rows).map(() => 0.2 + rand() * 2) : undefined };
  return { data, theta };
}

const HIDDEN: Activation[] = ACTIVATIONS.filter((a) => a !== 'softmax');

describe('float64 JavaScript Jacobian', () => {
  for (const act of ACTIVATIONS) {
    it(`J matches central differences of the reference (hidden ${act}, 2 outputs, weighted)`, () => {
      const out: Activation = act === 'softmax' ? 'softmax' : 'linear';
      const hidden: Activation = act === 'softmax' ? 'tanh' : act;
      const stack = makeStack(3, [5, 4, act === 'softmax' ? 3 : 2], [hidden, act === 'softmax' ? 'sigmoid' : act, out], 'mse', true);
      const { data, theta } = problem(stack, 7, 17, true);
      const n = stack.parameterCount;
      const K = stack.layers[stack.layers.length - 1].units;
      const e = new Float64Array(data.rows * K);
      const J = new Float64Array(data.rows * K * n);
      residualJacobian(stack, theta, data, 0, data.rows, e, J);
      expect(relativeError(e, referenceResiduals(stack, theta, data))).toBeLessThan(1e-12);
      // relu/leakyRelu kinks: random data keeps every z away from 0 by far more than the 1e-6 step.
      expect(relativeError(J, centralJacobian(stack, theta, data))).toBeLessThan(1e-6);
    });
  }

  it('row ranges, chunked JᵀJ/Jᵀe, J·v and Jᵀ·u agree with the explicit J', () => {
    const stack = makeStack(4, [6, 3], ['tanh', 'sigmoid'], 'mse', true);
    const { data, theta } = problem(stack, 37, 5, true);
    const n = stack.parameterCount;
    const K = 3;
    const m = data.rows * K;
    const e = new Float64Array(m);
    const J = new Float64Array(m * n);
    residualJacobian(stack, theta, data, 0, data.rows, e, J);
    // A middle row range is the same block of J.
    const e2 = new Float64Array(10 * K);
    const J2 = new Float64Array(10 * K * n);
    residualJacobian(stack, theta, data, 11, 10, e2, J2);
    expect(relativeError(J2, J.subarray(11 * K * n, 21 * K * n))).toBeLessThan(1e-15);

    const jtj = new Float64Array(n * n);
    const jte = new Float64Array(n);
    // 1 KB of J per chunk: many chunks and a short last one.
    const { sumSquares, weightSum } = gaussNewtonSystem(stack, theta, data, jtj, jte, { chunkBytes: 1024 });
    const wantJtJ = new Float64Array(n * n);
    const wantJte = new Float64Array(n);
    for (let r = 0; r < m; r++) {
      for (let i = 0; i < n; i++) {
        wantJte[i] += J[r * n + i] * e[r];
        for (let j = 0; j < n; j++) wantJtJ[i * n + j] += J[r * n + i] * J[r * n + j];
      }
    }
    expect(relativeError(jtj, wantJtJ)).toBeLessThan(1e-13);
    expect(relativeError(jte, wantJte)).toBeLessThan(1e-13);
    expect(sumSquares).toBeCloseTo(e.reduce((s, v) => s + v * v, 0), 12);
    expect(weightSum).toBeCloseTo(data.weights!.reduce((s, v) => s + v, 0), 12);
    // The mean loss is Σe² / (K·Σw): with equal weights, the reference's mse.
    const unweighted = { ...data, weights: undefined };
    const ref = reference(stack, theta, Float32Array.from(data.x), Float32Array.from(data.y), data.rows, [], false);
    const s = residualSumOfSquares(stack, theta, unweighted);
    expect(s.sumSquares / (K * s.weightSum)).toBeCloseTo(ref.loss, 12);

    const rand = lcg(9);
    const v = new Float64Array(n).map(() => rand() - 0.5);
    const jv = new Float64Array(m);
    const sse = jacobianVectorProduct(stack, theta, data, v, jv);
    expect(sse).toBeCloseTo(sumSquares, 10);
    const wantJv = new Float64Array(m);
    for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) wantJv[r] += J[r * n + i] * v[i];
    expect(relativeError(jv, wantJv)).toBeLessThan(1e-13);
    const u = new Float64Array(m).map(() => rand() - 0.5);
    const jtu = new Float64Array(n);
    jacobianTransposeProduct(stack, theta, data, u, jtu);
    const wantJtu = new Float64Array(n);
    for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) wantJtu[i] += J[r * n + i] * u[r];
    expect(relativeError(jtu, wantJtu)).toBeLessThan(1e-13);
  });

  it('the gradient of the mean loss is 2·Jᵀe / (K·Σw), as the reference computes it', () => {
    const stack = makeStack(2, [8, 2], ['gelu', 'linear'], 'mse', false);
    const { data, theta } = problem(stack, 20, 3, false);
    const e = new Float64Array(40);
    residualJacobian(stack, theta, data, 0, 20, e, new Float64Array(40 * stack.parameterCount));
    const jte = new Float64Array(stack.parameterCount);
    jacobianTransposeProduct(stack, theta, data, e, jte);
    const ref = reference(stack, theta, Float32Array.from(data.x), Float32Array.from(data.y), 20, [], false);
    expect(relativeError(jte.map((v) => (2 * v) / 40), ref.grad)).toBeLessThan(1e-12);
  });

  it('refuses cross-entropy and rows outside the dataset by name', () => {
    const ce = makeStack(2, [3], ['softmax'], 'softmax-crossentropy', true);
    const { data, theta } = problem(ce, 4, 1, false);
    expect(() => residualSumOfSquares(ce, theta, data)).toThrow(/mse/);
    const stack = makeStack(2, [3], HIDDEN.slice(0, 1), 'mse', true);
    const p = problem(stack, 4, 1, false);
    expect(() => residualJacobian(stack, p.theta, p.data, 3, 2, new Float64Array(6), new Float64Array(6 * stack.parameterCount))).toThrow(/outside/);
  });
});
