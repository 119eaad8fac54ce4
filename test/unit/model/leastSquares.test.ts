/**
 * The model objective as a sum of squares: Levenberg–Marquardt's products on a real network, checked
 * against the objective's own f and ∇f, the matrix-free path against the dense one, and the refusals.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../app/engine/choice';
import { tfjsEngine } from '../../../app/engine/tfjs';
import { createOnnxEngine, onnxUnavailableReason } from '../../../app/engine/onnx';
import type { ComputeEngine } from '../../../app/engine/engine';
import { resolveModel } from '../../../app/model/layers';
import { glorotUniform } from '../../../app/model/params';
import { ModelObjective } from '../../../app/model/objective';
import { modelSpecSchema } from '../../../app/model/spec';
import { minimize } from '../../../app/optim';
import { optimizerSpecSchema } from '../../../app/optim/spec';
import { DEFAULT_STOPPING } from '../../../app/optim/types';
import { seededRandom } from '../../../app/util/random';

beforeAll(async () => {
  await initEngine();
  await tf.setBackend('cpu');
});

/**
 * tfjs has no Jacobian pass: its objective uses the float64 JavaScript products (checked tightly);
 * onnxruntime forms J in float32 on the engine (checked to float32 accuracy).
 */
const ENGINES: { name: string; make: () => ComputeEngine; digits: number }[] = [
  { name: 'tfjs cpu → float64 JavaScript J', make: () => tfjsEngine('cpu', 'tfjs cpu'), digits: 9 },
  ...(onnxUnavailableReason() ? [] : [{ name: 'onnxruntime J', make: () => createOnnxEngine({ threads: 1 }), digits: 4 }]),
];

/** y = sin(2x₁)·cos(x₂) + noise on [−1, 1]², the shape of the smooth 2-input regression. */
function smoothRegression(rows: number, seed: number) {
  const rand = seededRandom(seed);
  const x = Float32Array.from({ length: rows * 2 }, () => rand() * 2 - 1);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = Math.sin(2 * x[2 * r]) * Math.cos(x[2 * r + 1]) + 0.05 * (rand() - 0.5);
  return { x, y, rows };
}

function net(hidden: number, l2 = 0) {
  return resolveModel(modelSpecSchema.parse({ layers: [{ units: hidden, activation: 'tanh' }], l2 }), 2, 'regression', 1);
}

describe.each(ENGINES)('ModelObjective as a sum of squares ($name)', ({ make, digits }) => {
  it('f = lossScale·(E_D + penalty) and ∇f = 2·lossScale·(Jᵀe + P·x), with L2', () => {
    const model = net(6, 1e-3);
    const obj = new ModelObjective(model, smoothRegression(50, 1), { engine: make() });
    const x = glorotUniform(model, 3);
    const g = new Float64Array(model.parameterCount);
    const f = obj.evaluate(x, g);
    const n = model.parameterCount;
    const jtj = new Float64Array(n * n);
    const jte = new Float64Array(n);
    const E = obj.gaussNewtonSystem(x, jtj, jte);
    let pen = 0;
    for (let j = 0; j < n; j++) pen += obj.penaltyWeights![j] * x[j] * x[j];
    expect(obj.lossScale * (E + pen)).toBeCloseTo(f, 5);
    expect(obj.sumOfSquares(x) / E).toBeCloseTo(1, digits);
    for (let j = 0; j < n; j++) expect(2 * obj.lossScale * (jte[j] + obj.penaltyWeights![j] * x[j])).toBeCloseTo(g[j], 5);
    const jte2 = new Float64Array(n);
    obj.jacobianTransposeResiduals(x, jte2);
    for (let j = 0; j < n; j++) expect(jte2[j]).toBeCloseTo(jte[j], digits - 2);
    obj.dispose();
  });

  it('LM fits the smooth regression; the matrix-free path agrees with the dense one on a small net', () => {
    const model = net(5);
    const data = smoothRegression(80, 2);
    const x0 = glorotUniform(model, 7);
    const stopping = { ...DEFAULT_STOPPING, maxIterations: 6, functionTolerance: 0 };
    const run = (solver: 'dense' | 'matrix-free') => {
      const obj = new ModelObjective(model, data, { engine: make() });
      const res = minimize(optimizerSpecSchema.parse({ kind: 'lm', solver, cgTolerance: 1e-12, cgMaxIterations: 200 }), obj, x0, stopping);
      obj.dispose();
      return res;
    };
    const dense = run('dense');
    const cg = run('matrix-free');
    expect(dense.f).toBeLessThan(dense.history[0].f / 5);
    expect(cg.history.length).toBe(dense.history.length);
    cg.history.forEach((r, i) => {
      expect(r.mu).toBe(dense.history[i].mu);
      expect(r.f / dense.history[i].f).toBeCloseTo(1, digits - 2);
    });
  });

  it('BR reports γ, α, β, ΣW² and keeps γ between 0 and n', () => {
    const model = net(8);
    const obj = new ModelObjective(model, smoothRegression(60, 4), { engine: make() });
    const res = minimize(optimizerSpecSchema.parse({ kind: 'br' }), obj, glorotUniform(model, 1), { ...DEFAULT_STOPPING, maxIterations: 15 });
    const last = res.history[res.history.length - 1];
    expect(last.effectiveParameters).toBeGreaterThan(0);
    expect(last.effectiveParameters).toBeLessThan(model.parameterCount);
    expect(last.sumSquaredWeights).toBeGreaterThan(0);
    expect(last.alpha! * 2 * last.sumSquaredWeights!).toBeCloseTo(last.effectiveParameters!, 8);
    obj.dispose();
  });

  it('refuses cross-entropy naming L-BFGS, and BR with an L2 penalty', () => {
    const clf = resolveModel(modelSpecSchema.parse({ layers: [{ units: 4, activation: 'tanh' }] }), 2, 'binary', 1);
    const data = smoothRegression(20, 5);
    data.y = data.y.map((v) => (v > 0 ? 1 : 0));
    const obj = new ModelObjective(clf, data, { engine: make() });
    const res = minimize(optimizerSpecSchema.parse({ kind: 'lm' }), obj, glorotUniform(clf, 1), DEFAULT_STOPPING);
    expect(res.status).toBe('refused');
    expect(res.message).toMatch(/L-BFGS/);
    obj.dispose();
    const reg = net(3, 0.01);
    const obj2 = new ModelObjective(reg, smoothRegression(20, 6), { engine: make() });
    const br = minimize(optimizerSpecSchema.parse({ kind: 'br' }), obj2, glorotUniform(reg, 1), DEFAULT_STOPPING);
    expect(br.status).toBe('refused');
    expect(br.message).toMatch(/L2/);
    obj2.dispose();
  });
});
