/**
 * The objective's exact products on every available engine: Hv and Gv of data loss + L2 through
 * ModelObjective, Hv against central differences of the float64 reference gradient (plus the L2
 * gradient), relative 1e-6. Engines without second-order kernels of their own answer with the
 * float64 R-operator on the host (ModelObjective.secondOrderSource says which); engines with their
 * own (onnxruntime's R-operator graph) are also checked at their precision's accuracy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { availableEngines, initEngine } from '../../../app/engine/choice';
import type { ComputeEngine, Loss, Activation } from '../../../app/engine/engine';
import type { ResolvedModel } from '../../../app/model/layers';
import { ModelObjective } from '../../../app/model/objective';
import { lcg, randomProblem, referenceLossAndGradient, relativeError } from '../../../support/denseReference';

let engines: ComputeEngine[] = [];
beforeAll(async () => {
  await initEngine();
  engines = await availableEngines();
});

function model(activations: Activation[], widths: number[], loss: Loss, l2: number): ResolvedModel {
  let offset = 0;
  let fanIn = 3;
  const layers = widths.map((units, i) => {
    const kernelOffset = offset;
    offset += fanIn * units;
    const biasOffset = offset;
    offset += units;
    const l = { name: `dense_${i}`, fanIn, units, activation: activations[i], useBias: true, dropout: 0, kernelOffset, biasOffset };
    fanIn = units;
    return l;
  });
  return { inputDim: 3, layers, loss, l2, parameterCount: offset };
}

/** ∇(data loss + λΣ‖W‖²) in float64. */
function fullGradient(m: ResolvedModel, theta: Float64Array, x: Float32Array, y: Float32Array, rows: number): Float64Array {
  const g = referenceLossAndGradient(m, theta, x, y, rows).g;
  for (const l of m.layers) for (let k = l.kernelOffset; k < l.kernelOffset + l.fanIn * l.units; k++) g[k] += 2 * m.l2 * theta[k];
  return g;
}

const CASES: [Activation[], number[], Loss][] = [
  [['tanh', 'linear'], [5, 2], 'mse'],
  [['gelu', 'sigmoid'], [4, 1], 'binary-crossentropy'],
  [['elu', 'softmax'], [4, 3], 'softmax-crossentropy'],
];

describe('second-order products on every engine', () => {
  it('Hv of data loss + L2 matches central differences of the float64 gradient; Gv is symmetric', () => {
    expect(engines.length).toBeGreaterThan(0);
    for (const engine of engines) {
      for (const [acts, widths, loss] of CASES) {
        const m = model(acts, widths, loss, 0.01);
        const p = randomProblem(m, 16, 4);
        const objective = new ModelObjective(m, { x: p.x, y: p.y, rows: 16 }, { engine });
        try {
          const rand = lcg(9);
          const v = Float64Array.from({ length: m.parameterCount }, () => rand() * 2 - 1);
          const u = Float64Array.from({ length: m.parameterCount }, () => rand() * 2 - 1);
          const hv = new Float64Array(m.parameterCount);
          const f = objective.hessianVectorProduct(p.theta, v, hv, 'float64');
          const eps = 1e-5;
          const gp = fullGradient(m, p.theta.map((t, i) => t + eps * v[i]), p.x, p.y, 16);
          const gm = fullGradient(m, p.theta.map((t, i) => t - eps * v[i]), p.x, p.y, 16);
          const cd = gp.map((a, i) => (a - gm[i]) / (2 * eps));
          expect(relativeError(hv, cd), `${engine.name} ${loss}`).toBeLessThan(1e-6);
          expect(Number.isFinite(f)).toBe(true);
          const gv = new Float64Array(m.parameterCount);
          const gu = new Float64Array(m.parameterCount);
          objective.gaussNewtonVectorProduct(p.theta, v, gv, 'float64');
          objective.gaussNewtonVectorProduct(p.theta, u, gu, 'float64');
          const uGv = u.reduce((s, x, i) => s + x * gv[i], 0);
          const vGu = v.reduce((s, x, i) => s + x * gu[i], 0);
          expect(Math.abs(uGv - vGu)).toBeLessThan(1e-12 * Math.abs(uGv));
          expect(objective.secondOrderProducts).toBe(3);
          expect(objective.secondOrderSource('float64')).toMatch(/float64/);
          // The engine's own products (onnxruntime's R-operator graph), in the engine's precision.
          const own = new Float64Array(m.parameterCount);
          objective.hessianVectorProduct(p.theta, v, own);
          const tolerance = objective.productPrecision() === 'float32' ? 1e-4 : 1e-6;
          expect(relativeError(own, cd), `${engine.name} own ${loss}`).toBeLessThan(tolerance);
        } finally {
          objective.dispose();
        }
      }
    }
  });
});
