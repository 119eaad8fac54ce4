/**
 * The onnxruntime Jacobian graphs: J of the residuals against central differences of the float64
 * reference (float32 program: 1e-5 relative, the float32 rounding of J; the DOUBLE graph: 1e-6),
 * JᵀJ/Jᵀe from the engine's Gemm against the float64 JavaScript products, and J·v / Jᵀ·u.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation, type DenseStack } from '../../../app/engine/engine';
import { createOnnxEngine, onnxUnavailableReason } from '../../../app/engine/onnx';
import { buildJacobianGraph, ELEMENT_DOUBLE, INPUT_ROOT_WEIGHTS, OUTPUT_JACOBIAN, OUTPUT_RESIDUALS } from '../../../app/engine/onnx/jacobianGraph';
import { INPUT_X, INPUT_Y, parameterBlocks } from '../../../app/engine/onnx/graph';
import { onnxRuntime, type OrtTensor } from '../../../app/engine/onnx/runtime';
import { OnnxSession } from '../../../app/engine/onnx/session';
import { gaussNewtonSystem, jacobianTransposeProduct, jacobianVectorProduct, residualJacobian } from '../../../app/engine/js/jacobian';
import { lcg, makeStack, randomProblem, reference, relativeError } from '../../../support/denseReference';

const unavailable = onnxUnavailableReason();

function centralJacobian(stack: DenseStack, theta: Float64Array, x: Float32Array, y: Float32Array, rows: number): Float64Array {
  const n = stack.parameterCount;
  const res = (t: Float64Array) => {
    const { outputs } = reference(stack, t, x, y, rows, [], false);
    return outputs.map((o, i) => o - y[i]);
  };
  const m = y.length;
  const J = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(theta[j]));
    const p = Float64Array.from(theta);
    const q = Float64Array.from(theta);
    p[j] += h;
    q[j] -= h;
    const ep = res(p);
    const eq = res(q);
    for (let r = 0; r < m; r++) J[r * n + j] = (ep[r] - eq[r]) / (2 * h);
  }
  return J;
}

function stackFor(act: Activation): DenseStack {
  return act === 'softmax' ? makeStack(3, [5, 3], ['tanh', 'softmax'], 'mse', true) : makeStack(3, [5, 4, 2], [act, act, 'linear'], 'mse', true);
}

describe.skipIf(unavailable !== null)('onnxruntime Jacobian graph', () => {
  for (const act of ACTIVATIONS) {
    it(`float32 program: J matches central differences of the reference (${act})`, () => {
      const stack = stackFor(act);
      const { x, y, theta: t } = randomProblem(stack, 6, 23);
      const theta = Float64Array.from(Float32Array.from(t)); // what the float32 program computes with
      const program = createOnnxEngine({ threads: 1 }).compile(stack);
      const data = program.upload(x, y, 6);
      const K = stack.layers[stack.layers.length - 1].units;
      const n = stack.parameterCount;
      const e = new Float64Array(6 * K);
      const J = new Float64Array(6 * K * n);
      program.residualJacobian!(theta, data, 0, 6, e, J);
      expect(relativeError(J, centralJacobian(stack, theta, x, y, 6))).toBeLessThan(1e-5);
      program.dispose();
    });
  }

  it('DOUBLE graph: J matches central differences to 1e-6 (tanh, softmax output)', () => {
    for (const stack of [makeStack(3, [5, 4, 2], ['tanh', 'elu', 'sigmoid'], 'mse', true), makeStack(2, [4, 3], ['softplus', 'softmax'], 'mse', false)]) {
      const rows = 5;
      const { x, y, theta } = randomProblem(stack, rows, 31);
      const session = new OnnxSession(buildJacobianGraph(stack, 'jacobian', ELEMENT_DOUBLE), { threads: 1 }, () => {});
      const Tensor = onnxRuntime().Tensor as unknown as new (type: 'float64', data: Float64Array, dims: readonly number[]) => OrtTensor;
      const K = stack.layers[stack.layers.length - 1].units;
      const feeds: Record<string, OrtTensor> = {
        [INPUT_X]: new Tensor('float64', Float64Array.from(x), [rows, stack.inputDim]),
        [INPUT_Y]: new Tensor('float64', Float64Array.from(y), [rows, K]),
        [INPUT_ROOT_WEIGHTS]: new Tensor('float64', new Float64Array(rows).fill(1), [rows, 1]),
      };
      for (const b of parameterBlocks(stack)) feeds[b.input] = new Tensor('float64', theta.slice(b.offset, b.offset + b.size), b.dims);
      const out = session.run(feeds, { [OUTPUT_RESIDUALS]: null, [OUTPUT_JACOBIAN]: null });
      expect(out[OUTPUT_JACOBIAN].data).toBeInstanceOf(Float64Array);
      expect(relativeError(out[OUTPUT_JACOBIAN].data as Float64Array, centralJacobian(stack, theta, x, y, rows))).toBeLessThan(1e-6);
      session.dispose();
    }
  });

  it('JᵀJ, Jᵀe (chunked Gemm), J·v and Jᵀ·u agree with the float64 JavaScript products', () => {
    const stack = makeStack(4, [7, 2], ['tanh', 'linear'], 'mse', true);
    const rows = 53;
    const { x, y, theta: t } = randomProblem(stack, rows, 3);
    const theta = Float64Array.from(Float32Array.from(t));
    const n = stack.parameterCount;
    const program = createOnnxEngine({ threads: 1 }).compile(stack);
    const data = program.upload(x, y, rows);
    const host = { x, y, rows };
    const jtj = new Float64Array(n * n);
    const jte = new Float64Array(n);
    // 2 KB of float32 J per chunk: several chunks and a short last one.
    const s = program.gaussNewtonSystem!(theta, data, jtj, jte, { chunkBytes: 2048 });
    const jtj64 = new Float64Array(n * n);
    const jte64 = new Float64Array(n);
    const s64 = gaussNewtonSystem(stack, theta, host, jtj64, jte64);
    expect(relativeError(jtj, jtj64)).toBeLessThan(1e-5);
    expect(relativeError(jte, jte64)).toBeLessThan(1e-5);
    expect(s.sumSquares).toBeCloseTo(s64.sumSquares, 3);
    const rand = lcg(4);
    const v = new Float64Array(n).map(() => rand() - 0.5);
    const jv = new Float64Array(rows * 2);
    const jv64 = new Float64Array(rows * 2);
    program.jacobianVectorProduct!(theta, data, v, jv);
    jacobianVectorProduct(stack, theta, host, v, jv64);
    expect(relativeError(jv, jv64)).toBeLessThan(1e-5);
    const jtu = new Float64Array(n);
    const jtu64 = new Float64Array(n);
    program.jacobianTransposeProduct!(theta, data, jv64, jtu);
    jacobianTransposeProduct(stack, theta, host, jv64, jtu64);
    expect(relativeError(jtu, jtu64)).toBeLessThan(1e-5);
    // Row ranges are the same block of the full J.
    const e = new Float64Array(rows * 2);
    const J = new Float64Array(rows * 2 * n);
    residualJacobian(stack, theta, host, 0, rows, e, J);
    const e2 = new Float64Array(10 * 2);
    const J2 = new Float64Array(10 * 2 * n);
    program.residualJacobian!(theta, data, 20, 10, e2, J2);
    expect(relativeError(J2, J.subarray(20 * 2 * n, 30 * 2 * n))).toBeLessThan(1e-5);
    expect(program.liveResources()).toBe(3); // the dataset and the two Jacobian sessions
    program.dispose();
    expect(program.liveResources()).toBe(0);
  });
});
