/**
 * `npm run bench -- bfgs`: host time of one dense BFGS iteration (H·y for the pair, the rank-2
 * update, H·g for the next direction) at n = 481 and n = 4810 with the WebAssembly SIMD sweep and
 * with the JavaScript one, next to scipy's BLAS (dgemv twice, dger three times, one thread) and to
 * the eager full-matrix update Curvature used before, in interleaved rounds. Prints; asserts nothing.
 */
import { DenseInverseHessian, type SweepKernel } from '../../app/optim/denseInverse';
import { seededRandom } from '../../app/util/random';
import { fmt, mid, python, pythonMissing, ratio, ROUNDS, table } from './common';

const SIZES = [481, 4810];

function vectors(n: number, seed: number) {
  const rand = seededRandom(seed);
  const g = Float64Array.from({ length: n }, () => 2 * rand() - 1);
  const s = Float64Array.from({ length: n }, () => 0.01 * (2 * rand() - 1));
  const y = Float64Array.from(s, (v) => 2 * v + 1e-3 * (2 * rand() - 1));
  return { g, s, y };
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((acc, v, i) => acc + v * b[i], 0);

/** ms per iteration as BfgsStepper runs it: one sweep (update + H·y + H·g), direction in O(n). */
function timeOneSweep(n: number, reps: number, kernel: SweepKernel): number {
  const H = new DenseInverseHessian(n, { kernel });
  if (kernel === 'auto' && H.kernel !== 'wasm') throw new Error('the WebAssembly SIMD sweep is unavailable in this runtime');
  H.reset(1);
  const Hy = new Float64Array(n);
  const Hg = new Float64Array(n);
  const d = new Float64Array(n);
  const times: number[] = [];
  for (let k = 0; k < reps + 2; k++) {
    const { g, s, y } = vectors(n, k);
    const t = performance.now();
    H.multiplyTwo(y, Hy, g, Hg);
    H.update(s, Hy, dot(s, y), dot(y, Hy), false);
    H.multiplyUpdated(g, Hg, d);
    if (k >= 2) times.push(performance.now() - t);
  }
  return mid(times)!;
}

/** The previous implementation: full row-major H, H·y, eager rank-2 update over n², H·g. */
function timeEager(n: number, reps: number): number {
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = 1;
  const Hy = new Float64Array(n);
  const d = new Float64Array(n);
  const product = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += H[i * n + j] * v[j];
      out[i] = sum;
    }
  };
  const times: number[] = [];
  for (let k = 0; k < reps + 2; k++) {
    const { g, s, y } = vectors(n, k);
    const t = performance.now();
    product(y, Hy);
    const rho = 1 / dot(s, y);
    const c0 = rho * rho * dot(y, Hy) + rho;
    for (let i = 0; i < n; i++) {
      const a = -rho * s[i];
      const b = -rho * Hy[i];
      const c = c0 * s[i];
      for (let j = 0; j < n; j++) H[i * n + j] += a * Hy[j] + b * s[j] + c * s[j];
    }
    product(g, d);
    if (k >= 2) times.push(performance.now() - t);
  }
  return mid(times)!;
}

const missing = pythonMissing(['numpy', 'scipy']);
if (missing) console.log(`scipy side skipped: ${missing}`);
const rows: string[][] = [];
for (const n of SIZES) {
  const reps = n > 1000 ? 5 : 50;
  const wasm: number[] = [];
  const js: number[] = [];
  const eager: number[] = [];
  const scipy: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    wasm.push(timeOneSweep(n, reps, 'auto'));
    js.push(timeOneSweep(n, reps, 'js'));
    eager.push(timeEager(n, reps));
    if (!missing) scipy.push(python<{ ms: number }>(['bfgs', String(n), String(reps)]).ms);
  }
  const [w, j, e, s] = [mid(wasm), mid(js), mid(eager), mid(scipy)];
  const rounds = (values: number[]) => values.map((v) => fmt(v)).join(' / ');
  rows.push([ratio(w, s), ratio(j, s), `n = ${n}`, fmt(w, ' ms'), fmt(j, ' ms'), fmt(s, ' ms'), fmt(e, ' ms'), ratio(j, w), rounds(wasm), rounds(js), rounds(scipy)]);
}
console.log(`dense BFGS host work per iteration, median of ${ROUNDS} interleaved rounds (each a median over iterations); scipy: 1 BLAS thread`);
table(
  ['wasm / scipy', 'JS / scipy', 'size', 'wasm SIMD sweep', 'JS sweep', 'scipy dgemv+dger', 'before (eager, full H)', 'JS / wasm', 'wasm rounds', 'JS rounds', 'scipy rounds'],
  rows,
);
