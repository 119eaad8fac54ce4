/**
 * `npm run bench -- hessian`: the cost of exact Hessian-vector products against a gradient, per
 * engine, and the time for a k = 10 spectrum on the three issue-9 models; the dense eigensolver's
 * time by n (what DENSE_SPECTRUM_BOUND rests on). Prints; asserts nothing (the machine is shared).
 *
 * Every engine's Hv is, for now, the float64 R-operator on the host (app/engine/js/hessian.ts), so
 * "Hv ÷ gradient" is printed twice: against the same float64 JavaScript pass (the algorithm's own
 * ratio, target ≤ 3) and against each engine's gradient (what a run pays).
 */
import { median } from '../app/train/stats';
import { availableEngines, initEngine } from '../app/engine/choice';
import { hessianVectorProduct, lossAndGradient } from '../app/engine/js/hessian';
import { hessianSpectrum, symmetricEigenvalues } from '../app/optim/spectrum';
import { seededRandom } from '../app/util/random';
import { benchModels, type BenchModel } from './models';

const BUDGET_MS = 1500;

function time(fn: () => void, minimum = 3): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minimum || (performance.now() - start < BUDGET_MS && times.length < 100)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
    if (performance.now() - start > 4 * BUDGET_MS) break;
  }
  return median(times);
}

const big = process.argv.includes('--big');
const models = benchModels();
await initEngine();
const engines = await availableEngines();
const direction = (n: number) => {
  const rand = seededRandom(5);
  return Float64Array.from({ length: n }, () => rand() * 2 - 1);
};
/** The float64 JS pass on the big model takes minutes per product: only with --big. */
const jsAffordable = (m: BenchModel) => big || m.stack.parameterCount < 100_000;

console.log('Hv ÷ gradient: each engine\'s own Hv over its own gradient; engines without one use the float64 JS product (marked *)');
console.log('model                          n        ' + ['float64 JS', ...engines.map((e) => e.name)].map((s) => s.padStart(14)).join(''));
for (const m of models) {
  const n = m.stack.parameterCount;
  const data = { x: Float64Array.from(m.x), y: Float64Array.from(m.y), rows: m.rows };
  const g = new Float64Array(n);
  const out = new Float64Array(n);
  const v = direction(n);
  let jsHv = NaN;
  const cells: string[] = [];
  if (jsAffordable(m)) {
    const grad = time(() => lossAndGradient(m.stack, m.theta, data, g), 2);
    jsHv = time(() => hessianVectorProduct(m.stack, m.theta, data, v, out), 2);
    cells.push(`${(jsHv / grad).toFixed(2)} (${jsHv.toFixed(0)} ms)`);
  } else cells.push('—');
  for (const e of engines) {
    const program = e.compile(m.stack);
    const d = program.upload(m.x, m.y, m.rows);
    program.valueAndGradient(m.theta, d, g);
    const t = time(() => program.valueAndGradient(m.theta, d, g), 2);
    if (program.hessianVectorProduct) {
      program.hessianVectorProduct(m.theta, d, v, out);
      const h = time(() => program.hessianVectorProduct!(m.theta, d, v, out), 2);
      cells.push(`${(h / t).toFixed(2)} (${h.toFixed(1)} ms)`);
    } else cells.push(Number.isFinite(jsHv) ? `${(jsHv / t).toFixed(0)}*` : '—');
    program.dispose();
  }
  console.log(`${m.name.padEnd(30)} ${String(n).padEnd(8)} ${cells.map((c) => c.padStart(14)).join('')}`);
}

console.log('\nk = 10 spectrum (Lanczos, full re-orthogonalisation)');
const onnx = engines.find((e) => e.name === 'onnxruntime');
for (const m of models) {
  const n = m.stack.parameterCount;
  const rows: string[] = [];
  if (onnx) {
    const program = onnx.compile(m.stack);
    const d = program.upload(m.x, m.y, m.rows);
    const t0 = performance.now();
    const r = hessianSpectrum((v, out) => void program.hessianVectorProduct!(m.theta, d, v, out), n, { k: 10, method: 'lanczos', tolerance: 1e-4 });
    rows.push(`onnxruntime (float32): ${((performance.now() - t0) / 1000).toFixed(1)} s, ${r.hessianVectorProducts} products, max residual ${r.maxResidual?.toExponential(1)}, λ ${r.largest[0].toPrecision(3)} … ${r.smallest[0].toPrecision(3)}`);
    program.dispose();
  }
  if (jsAffordable(m)) {
    const data = { x: Float64Array.from(m.x), y: Float64Array.from(m.y), rows: m.rows };
    const t0 = performance.now();
    const r = hessianSpectrum((v, out) => void hessianVectorProduct(m.stack, m.theta, data, v, out), n, { k: 10, method: 'lanczos' });
    rows.push(`float64 JS: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${r.hessianVectorProducts} products, λ ${r.largest[0].toPrecision(3)} … ${r.smallest[0].toPrecision(3)}`);
  }
  console.log(`${m.name}\n  ${rows.join('\n  ')}`);
}

console.log('\ndense spectrum: symmetric eigensolver (ml-matrix tred2 + tql2) by n');
for (const n of [100, 200, 300, 400, 800]) {
  const rand = seededRandom(n);
  const A = Float64Array.from({ length: n * n }, () => rand() - 0.5);
  const t0 = performance.now();
  symmetricEigenvalues(A, n);
  console.log(`n = ${String(n).padEnd(4)} ${((performance.now() - t0) / 1000).toFixed(2)} s (plus n products)`);
}
