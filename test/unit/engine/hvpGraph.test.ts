/**
 * The onnxruntime R-operator graph (app/engine/onnx/hvpGraph.ts) run in DOUBLE against central
 * differences of the float64 reference gradient (relative 1e-6) and against the float64 JavaScript
 * products (1e-10), for every activation and loss; the FLOAT graph against the same at float32 accuracy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, type Activation, type DenseStack, type Loss } from '../../../app/engine/engine';
import { gaussNewtonVectorProduct, hessianVectorProduct } from '../../../app/engine/js/hessian';
import { createOnnxEngine, onnxUnavailableReason } from '../../../app/engine/onnx';
import { parameterBlocks, INPUT_X, INPUT_Y, OUTPUT_LOSS } from '../../../app/engine/onnx/graph';
import { buildProductGraph, directionInput, INPUT_WEIGHTS, OUTPUT_HV, type ElementType, type ProductKind } from '../../../app/engine/onnx/hvpGraph';
import { onnxRuntime, type OrtTensor } from '../../../app/engine/onnx/runtime';
import { OnnxSession } from '../../../app/engine/onnx/session';
import { lcg, makeStack, randomProblem, referenceLossAndGradient, relativeError } from '../../../support/denseReference';

const unavailable = onnxUnavailableReason();

type AnyTensor = new (type: 'float32' | 'float64', data: Float32Array | Float64Array, dims: readonly number[]) => OrtTensor;

function runGraph(stack: DenseStack, kind: ProductKind, element: ElementType, x: ArrayLike<number>, y: ArrayLike<number>, rows: number, theta: Float64Array, v: Float64Array, weights?: Float64Array): { loss: number; hv: Float64Array } {
  const Tensor = onnxRuntime().Tensor as unknown as AnyTensor;
  const type = element === 'double' ? 'float64' : 'float32';
  const arr = (a: ArrayLike<number>) => (element === 'double' ? Float64Array.from(a) : Float32Array.from(a));
  const K = stack.layers[stack.layers.length - 1].units;
  const feeds: Record<string, OrtTensor> = {
    [INPUT_X]: new Tensor(type, arr(x), [rows, stack.inputDim]),
    [INPUT_Y]: new Tensor(type, arr(y), [rows, K]),
  };
  for (const b of parameterBlocks(stack)) {
    feeds[b.input] = new Tensor(type, arr(theta.subarray(b.offset, b.offset + b.size)), b.dims);
    feeds[directionInput(b.input)] = new Tensor(type, arr(v.subarray(b.offset, b.offset + b.size)), b.dims);
  }
  if (weights) feeds[INPUT_WEIGHTS] = new Tensor(type, arr(weights), [rows]);
  const session = new OnnxSession(buildProductGraph(stack, kind, element, { weighted: weights !== undefined }), { threads: 1 }, () => {});
  try {
    const out = session.run(feeds, { [OUTPUT_LOSS]: null, [OUTPUT_HV]: null });
    return { loss: Number((out[OUTPUT_LOSS].data as Float64Array)[0]), hv: Float64Array.from(out[OUTPUT_HV].data as Float64Array) };
  } finally {
    session.dispose();
  }
}

const OUTPUTS: [Activation, Loss, number][] = [
  ...ACTIVATIONS.map((a): [Activation, Loss, number] => [a, 'mse', 2]),
  ['sigmoid', 'binary-crossentropy', 2],
  ['softmax', 'binary-crossentropy', 3],
  ['softmax', 'softmax-crossentropy', 3],
  ['sigmoid', 'softmax-crossentropy', 3],
];

describe.skipIf(unavailable)('onnxruntime R-operator graph', () => {
  beforeAll(() => {
    onnxRuntime();
  });

  for (const hidden of ACTIVATIONS) {
    it(`DOUBLE Hv and Gv, hidden ${hidden}, every output and loss`, () => {
      for (const [outAct, loss, K] of OUTPUTS) {
        const stack = makeStack(3, [4, 3, K], [hidden, 'tanh', outAct], loss, true);
        const p = randomProblem(stack, 9, 11);
        const rand = lcg(5);
        const v = Float64Array.from({ length: stack.parameterCount }, () => rand() * 2 - 1);
        const data = { x: Float64Array.from(p.x), y: Float64Array.from(p.y), rows: 9 };
        const { hv, loss: f } = runGraph(stack, 'hessian', 'double', p.x, p.y, 9, p.theta, v);
        const eps = 1e-5;
        const gp = referenceLossAndGradient(stack, p.theta.map((t, i) => t + eps * v[i]), p.x, p.y, 9).g;
        const gm = referenceLossAndGradient(stack, p.theta.map((t, i) => t - eps * v[i]), p.x, p.y, 9).g;
        const cd = gp.map((a, i) => (a - gm[i]) / (2 * eps));
        expect(relativeError(hv, cd), `${outAct} ${loss}`).toBeLessThan(1e-6);
        const js = new Float64Array(stack.parameterCount);
        const fjs = hessianVectorProduct(stack, p.theta, data, v, js);
        // gelu's Φ runs Erf in float inside a double graph (no double kernel): float32-accurate there.
        const tight = hidden === 'gelu' || outAct === 'gelu' ? 1e-6 : 1e-10;
        expect(relativeError(hv, js), `${outAct} ${loss}`).toBeLessThan(tight);
        expect(Math.abs(f - fjs)).toBeLessThan(tight * Math.max(1, Math.abs(fjs)));
        const gv = runGraph(stack, 'gauss-newton', 'double', p.x, p.y, 9, p.theta, v).hv;
        gaussNewtonVectorProduct(stack, p.theta, data, v, js);
        expect(relativeError(gv, js), `Gv ${outAct} ${loss}`).toBeLessThan(tight);
      }
    });
  }

  it('DOUBLE with sample weights: Hv, Gv and the loss equal the weighted JavaScript products, every loss', () => {
    for (const [outAct, loss, K] of OUTPUTS.filter(([a]) => a === 'linear' || a === 'sigmoid' || a === 'softmax')) {
      const stack = makeStack(3, [5, K], ['tanh', outAct], loss, true);
      const p = randomProblem(stack, 7, 6);
      const weights = Float64Array.from([1, 0.5, 2, 0, 3, 1, 0.25]);
      const rand = lcg(8);
      const v = Float64Array.from({ length: stack.parameterCount }, () => rand() * 2 - 1);
      const data = { x: Float64Array.from(p.x), y: Float64Array.from(p.y), rows: 7, weights };
      for (const kind of ['hessian', 'gauss-newton'] as const) {
        const graph = runGraph(stack, kind, 'double', p.x, p.y, 7, p.theta, v, weights);
        const js = new Float64Array(stack.parameterCount);
        const f = (kind === 'hessian' ? hessianVectorProduct : gaussNewtonVectorProduct)(stack, p.theta, data, v, js);
        expect(relativeError(graph.hv, js), `${kind} ${outAct} ${loss}`).toBeLessThan(1e-10);
        expect(Math.abs(graph.loss - f)).toBeLessThan(1e-12 * Math.max(1, Math.abs(f)));
      }
    }
  });

  it('FLOAT graph: the same products at float32 accuracy', () => {
    const stack = makeStack(5, [16, 8, 3], ['tanh', 'gelu', 'softmax'], 'softmax-crossentropy', true);
    const p = randomProblem(stack, 64, 2);
    const theta = Float64Array.from(Float32Array.from(p.theta));
    const rand = lcg(3);
    const v = Float64Array.from(Float32Array.from({ length: stack.parameterCount }, () => rand() * 2 - 1));
    const js = new Float64Array(stack.parameterCount);
    hessianVectorProduct(stack, theta, { x: p.x, y: p.y, rows: 64 }, v, js);
    expect(relativeError(runGraph(stack, 'hessian', 'float', p.x, p.y, 64, theta, v).hv, js)).toBeLessThan(1e-4);
  });

  it('the float32 program answers Hv and Gv, holds one session per kind, and frees them on dispose', () => {
    const stack = makeStack(3, [6, 2], ['selu', 'sigmoid'], 'binary-crossentropy', true);
    const p = randomProblem(stack, 20, 8);
    const program = createOnnxEngine({ threads: 1 }).compile(stack);
    const data = program.upload(p.x, p.y, 20);
    const rand = lcg(4);
    const v = Float64Array.from({ length: stack.parameterCount }, () => rand() * 2 - 1);
    const hv = new Float64Array(stack.parameterCount);
    const js = new Float64Array(stack.parameterCount);
    const theta = Float64Array.from(Float32Array.from(p.theta));
    const before = program.liveResources();
    program.hessianVectorProduct!(theta, data, v, hv);
    program.hessianVectorProduct!(theta, data, v, hv);
    program.gaussNewtonVectorProduct!(theta, data, v, hv);
    expect(program.liveResources()).toBe(before + 2);
    program.hessianVectorProduct!(theta, data, v, hv);
    hessianVectorProduct(stack, theta, { x: p.x, y: p.y, rows: 20 }, Float64Array.from(Float32Array.from(v)), js);
    expect(relativeError(hv, js)).toBeLessThan(1e-4);
    expect(() => program.hessianVectorProduct!(theta, data, new Float64Array(2), hv)).toThrow(/v and out need length/);
    program.dispose();
    expect(program.liveResources()).toBe(0);
  });
});
