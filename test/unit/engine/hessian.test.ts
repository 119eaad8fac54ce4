/**
 * The float64 R-operator (app/engine/js/hessian.ts) against central differences of the float64
 * reference gradient, for every activation (hidden and output) and every loss, with and without
 * sample weights; the Gauss–Newton product against (Ju)ᵀΛ(Jv) from differences of the outputs.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation, type DenseStack, type Loss } from '../../../app/engine/engine';
import { gaussNewtonVectorProduct, hessianVectorProduct, lossAndGradient, type RowData } from '../../../app/engine/js/hessian';
import { lcg, makeStack, randomProblem, reference, referenceLossAndGradient, relativeError } from '../../../support/denseReference';

function direction(n: number, seed: number): Float64Array {
  const rand = lcg(seed);
  return new Float64Array(n).map(() => rand() * 2 - 1);
}

/** (g(θ + εv) − g(θ − εv)) / 2ε with g from the given gradient function. */
function centralDifference(gradAt: (t: Float64Array) => Float64Array, theta: Float64Array, v: Float64Array, eps = 1e-5): Float64Array {
  const plus = gradAt(theta.map((t, i) => t + eps * v[i]));
  const minus = gradAt(theta.map((t, i) => t - eps * v[i]));
  return plus.map((p, i) => (p - minus[i]) / (2 * eps));
}

function problem(stack: DenseStack, rows: number, seed: number): { data: RowData; theta: Float64Array } {
  const p = randomProblem(stack, rows, seed);
  return { data: { x: Float64Array.from(p.x), y: Float64Array.from(p.y), rows }, theta: p.theta };
}

/** Output activation × loss pairs: every loss, from logits and on (clipped) probabilities. */
const OUTPUTS: [Activation, Loss, number][] = [
  ...ACTIVATIONS.map((a): [Activation, Loss, number] => [a, 'mse', 2]),
  ['sigmoid', 'binary-crossentropy', 2],
  ['softmax', 'binary-crossentropy', 3],
  ['softmax', 'softmax-crossentropy', 3],
  ['sigmoid', 'softmax-crossentropy', 3],
];

describe('exact Hessian-vector products (float64 R-operator)', () => {
  it('the gradient from the same pass equals the float64 reference', () => {
    const stack = makeStack(3, [4, 3], ['tanh', 'softmax'], 'softmax-crossentropy', true);
    const { data, theta } = problem(stack, 7, 1);
    const g = new Float64Array(stack.parameterCount);
    const f = lossAndGradient(stack, theta, data, g);
    const ref = referenceLossAndGradient(stack, theta, data.x, data.y, data.rows);
    expect(Math.abs(f - ref.f)).toBeLessThan(1e-14 * Math.abs(ref.f) + 1e-15);
    expect(relativeError(g, ref.g)).toBeLessThan(1e-13);
  });

  for (const hidden of ACTIVATIONS) {
    for (const [outAct, loss, K] of OUTPUTS) {
      it(`Hv: hidden ${hidden}, output ${outAct}, ${loss}`, () => {
        const stack = makeStack(3, [4, 3, K], [hidden, 'tanh', outAct], loss, true);
        const { data, theta } = problem(stack, 9, 11);
        const v = direction(stack.parameterCount, 5);
        const hv = new Float64Array(stack.parameterCount);
        const f = hessianVectorProduct(stack, theta, data, v, hv);
        const cd = centralDifference((t) => referenceLossAndGradient(stack, t, data.x, data.y, data.rows).g, theta, v);
        expect(relativeError(hv, cd)).toBeLessThan(1e-6);
        expect(f).toBeCloseTo(referenceLossAndGradient(stack, theta, data.x, data.y, data.rows).f, 12);
      });
    }
  }

  it('sample weights: Hv against differences of the weighted gradient, and weight 2 equals a duplicated row', () => {
    const stack = makeStack(2, [5, 2], ['gelu', 'softmax'], 'softmax-crossentropy', false);
    const { data, theta } = problem(stack, 6, 3);
    const weights = Float64Array.from([1, 2, 0.5, 0, 1, 3]);
    const weighted = { ...data, weights };
    const v = direction(stack.parameterCount, 9);
    const hv = new Float64Array(stack.parameterCount);
    hessianVectorProduct(stack, theta, weighted, v, hv);
    const cd = centralDifference((t) => {
      const g = new Float64Array(stack.parameterCount);
      lossAndGradient(stack, t, weighted, g);
      return g;
    }, theta, v);
    expect(relativeError(hv, cd)).toBeLessThan(1e-6);
    // Weight 2 on row 0 and one copy of it: the same objective.
    const w2 = Float64Array.from([2, 1, 1, 1, 1, 1]);
    const dup: RowData = {
      x: Float64Array.from([...data.x, ...data.x.subarray(0, 2)]),
      y: Float64Array.from([...data.y, ...data.y.subarray(0, 2)]),
      rows: 7,
    };
    const a = new Float64Array(stack.parameterCount);
    const b = new Float64Array(stack.parameterCount);
    hessianVectorProduct(stack, theta, { ...data, weights: w2 }, v, a);
    hessianVectorProduct(stack, theta, dup, v, b);
    expect(relativeError(a, b)).toBeLessThan(1e-13);
  });

  it('a linear model with a convex loss: G = H', () => {
    for (const [act, loss] of [['linear', 'mse'], ['softmax', 'softmax-crossentropy'], ['sigmoid', 'binary-crossentropy']] as [Activation, Loss][]) {
      const stack = makeStack(4, [act === 'sigmoid' ? 1 : 3], [act], loss, true);
      const { data, theta } = problem(stack, 12, 4);
      const v = direction(stack.parameterCount, 2);
      const hv = new Float64Array(stack.parameterCount);
      const gv = new Float64Array(stack.parameterCount);
      hessianVectorProduct(stack, theta, data, v, hv);
      gaussNewtonVectorProduct(stack, theta, data, v, gv);
      expect(relativeError(gv, hv)).toBeLessThan(1e-13);
    }
  });

  it('Gv for mse is 2·(Ju)ᵀ(Jv)/(rows·K) with J = ∂outputs/∂θ from differences, and symmetric', () => {
    const stack = makeStack(3, [5, 2], ['tanh', 'sigmoid'], 'mse', true);
    const { data, theta } = problem(stack, 8, 6);
    const n = stack.parameterCount;
    const u = direction(n, 7);
    const v = direction(n, 8);
    const outputsAt = (t: Float64Array): Float64Array => reference(stack, t, Float32Array.from(data.x), Float32Array.from(data.y), data.rows, [], false).outputs;
    const jvp = (d: Float64Array): Float64Array => {
      const eps = 1e-6;
      const p = outputsAt(theta.map((t, i) => t + eps * d[i]));
      const m = outputsAt(theta.map((t, i) => t - eps * d[i]));
      return p.map((x, i) => (x - m[i]) / (2 * eps));
    };
    const ju = jvp(u);
    const jv = jvp(v);
    let expected = 0;
    for (let i = 0; i < ju.length; i++) expected += (2 * ju[i] * jv[i]) / (data.rows * 2);
    const gv = new Float64Array(n);
    const gu = new Float64Array(n);
    gaussNewtonVectorProduct(stack, theta, data, v, gv);
    gaussNewtonVectorProduct(stack, theta, data, u, gu);
    const uGv = u.reduce((s, ui, i) => s + ui * gv[i], 0);
    const vGu = v.reduce((s, vi, i) => s + vi * gu[i], 0);
    expect(Math.abs(uGv - expected)).toBeLessThan(1e-7 * Math.abs(expected));
    expect(Math.abs(uGv - vGu)).toBeLessThan(1e-13 * Math.abs(uGv));
  });

  it('refuses mismatched lengths by name', () => {
    const stack = makeStack(2, [1], ['linear'], 'mse', true);
    const { data, theta } = problem(stack, 3, 1);
    expect(() => hessianVectorProduct(stack, theta, data, new Float64Array(2), new Float64Array(3))).toThrow(/v has 2 entries/);
  });
});
