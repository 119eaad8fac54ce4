/**
 * The Hessian's spectrum at a point from Hessian-vector products alone: Lanczos with full
 * re-orthogonalisation for the k largest and k smallest eigenvalues, or, for small n, the whole
 * spectrum from n products (H assembled column by column, symmetrised) and a dense float64
 * symmetric eigensolver — ml-matrix's EigenvalueDecomposition, which for symmetric input runs
 * JAMA's tred2 + tql2 (Householder tridiagonalisation and implicit QL, from EISPACK).
 *
 * Pure math on a product function; the verdict (minimum / saddle / flat) is in spectrumVerdict.ts,
 * which carries no solver so the renderer can use it.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { seededRandom } from '../util/random';
import { spectrumVerdict, type SpectrumReport } from './spectrumVerdict';

export { spectrumVerdict, formatEigenvalue, type SpectrumReport, type SpectrumVerdict } from './spectrumVerdict';

/** out = H·v. */
export type HessianProduct = (v: Float64Array, out: Float64Array) => void;

/** Largest n the automatic choice takes the dense path for (measured: docs/hessian.md). */
export const DENSE_SPECTRUM_BOUND = 300;
export const MAX_SPECTRUM_K = 20;

export interface SpectrumOptions {
  /** How many of the largest and of the smallest eigenvalues to report (1…20). */
  k: number;
  /** 'auto': dense for n ≤ denseBound, else Lanczos. */
  method?: 'auto' | 'dense' | 'lanczos';
  denseBound?: number;
  /** Relative tolerance of the verdict (|λ| < tol·|λ|max counts as flat). */
  tolerance?: number;
  /** Seed of Lanczos' random start. */
  seed?: number;
  /** Cap on Lanczos steps (products); default min(n, max(4k + 40, 60)). */
  maxSteps?: number;
}

/** Every eigenvalue of H, ascending, from n products. */
export function denseSpectrum(hv: HessianProduct, n: number): Float64Array {
  const H = new Float64Array(n * n);
  const e = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    hv(e, col);
    for (let i = 0; i < n; i++) H[i * n + j] = col[i];
  }
  return symmetricEigenvalues(H, n);
}

/** Eigenvalues (ascending) of the symmetric part (A + Aᵀ)/2 of a row-major n×n matrix. */
export function symmetricEigenvalues(A: Float64Array, n: number): Float64Array {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(n);
    for (let j = 0; j < n; j++) row[j] = 0.5 * (A[i * n + j] + A[j * n + i]);
    rows.push(row);
  }
  const values = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues;
  return Float64Array.from(values).sort();
}

export interface LanczosResult {
  /** Ritz values, ascending (all of them: the Krylov space's whole picture). */
  ritzValues: Float64Array;
  /** ‖Hy − θy‖ of each Ritz pair (the Lanczos estimate |β_m·s_m|), same order. */
  residuals: Float64Array;
  products: number;
}

/**
 * Lanczos from a seeded random unit vector, every new vector orthogonalised against all previous
 * ones (classical Gram–Schmidt, repeated when the first pass cancelled much: "twice is enough"). Runs until the k largest and k
 * smallest Ritz pairs have residuals ≤ 1e-8·|θ|max, or maxSteps; on breakdown (an invariant
 * subspace) it restarts from a fresh random vector orthogonal to all before.
 */
export function lanczos(hv: HessianProduct, n: number, k: number, seed = 1, maxSteps?: number): LanczosResult {
  const cap = Math.min(n, maxSteps ?? Math.max(4 * k + 40, 60));
  const rand = seededRandom(seed);
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = []; // beta[j] couples q_j and q_{j+1}
  let q = randomOrthogonal(Q, n, rand);
  const w = new Float64Array(n);
  let products = 0;
  let result: LanczosResult | null = null;
  const checkEvery = Math.max(5, k);
  while (Q.length < cap) {
    Q.push(q);
    hv(q, w);
    products++;
    const a = dot(q, w);
    alpha.push(a);
    // A second pass only when the first cancelled much of w (Kahan–Parlett: ‖w‖ fell below ‖w₀‖/√2).
    let before = Math.sqrt(dot(w, w));
    let b = before;
    for (let pass = 0; pass < 2; pass++) {
      for (const p of Q) {
        const c = dot(p, w);
        for (let i = 0; i < n; i++) w[i] -= c * p[i];
      }
      b = Math.sqrt(dot(w, w));
      if (b > Math.SQRT1_2 * before) break;
      before = b;
    }
    const m = Q.length;
    const scale = Math.max(...alpha.map(Math.abs), ...beta.map(Math.abs), 1e-300);
    const done = m === cap;
    if (done || m >= 2 * k + 10 && (m - 2 * k - 10) % checkEvery === 0) {
      result = tridiagonalRitz(alpha, beta, b, products);
      if (done || converged(result, k)) break;
    }
    if (b <= 1e-12 * scale) {
      beta.push(0);
      q = randomOrthogonal(Q, n, rand);
    } else {
      beta.push(b);
      q = Float64Array.from(w, (v) => v / b);
    }
  }
  return result ?? tridiagonalRitz(alpha, beta, 0, products);
}

function converged(r: LanczosResult, k: number): boolean {
  const m = r.ritzValues.length;
  const top = Math.max(Math.abs(r.ritzValues[0]), Math.abs(r.ritzValues[m - 1]), 1e-300);
  for (let i = 0; i < m; i++) {
    if (i >= k && i < m - k) continue;
    if (r.residuals[i] > 1e-8 * top) return false;
  }
  return true;
}

/** Ritz values and residual estimates of the m × m tridiagonal T (βₘ: the next off-diagonal). */
function tridiagonalRitz(alpha: number[], beta: number[], nextBeta: number, products: number): LanczosResult {
  const m = alpha.length;
  const rows: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row = new Array<number>(m).fill(0);
    row[i] = alpha[i];
    if (i > 0) row[i - 1] = beta[i - 1];
    if (i < m - 1) row[i + 1] = beta[i];
    rows.push(row);
  }
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const S = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  return {
    ritzValues: Float64Array.from(order, (i) => values[i]),
    residuals: Float64Array.from(order, (i) => Math.abs(nextBeta * S.get(m - 1, i))),
    products,
  };
}

function randomOrthogonal(Q: Float64Array[], n: number, rand: () => number): Float64Array {
  for (let attempt = 0; attempt < 10; attempt++) {
    const q = Float64Array.from({ length: n }, () => rand() * 2 - 1);
    for (let pass = 0; pass < 2; pass++) {
      for (const p of Q) {
        const c = dot(p, q);
        for (let i = 0; i < n; i++) q[i] -= c * p[i];
      }
    }
    const norm = Math.sqrt(dot(q, q));
    if (norm > 1e-8) {
      for (let i = 0; i < n; i++) q[i] /= norm;
      return q;
    }
  }
  throw new Error('Lanczos: could not draw a start vector orthogonal to the Krylov space');
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The k largest (descending) and k smallest (ascending) eigenvalues of H and what they say. */
export function hessianSpectrum(hv: HessianProduct, n: number, options: SpectrumOptions): SpectrumReport {
  const k = Math.min(Math.max(1, Math.floor(options.k)), MAX_SPECTRUM_K, n);
  const bound = options.denseBound ?? DENSE_SPECTRUM_BOUND;
  const method = options.method === 'dense' || (options.method !== 'lanczos' && n <= bound) ? 'dense' : 'lanczos';
  let values: Float64Array;
  let products: number;
  let residuals: Float64Array | undefined;
  let complete: boolean;
  if (method === 'dense') {
    values = denseSpectrum(hv, n);
    products = n;
    complete = true;
  } else {
    const r = lanczos(hv, n, k, options.seed ?? 1, options.maxSteps);
    values = r.ritzValues;
    residuals = r.residuals;
    products = r.products;
    complete = r.ritzValues.length === n;
  }
  const m = values.length;
  const kk = Math.min(k, m);
  const largest = Array.from(values.subarray(m - kk)).reverse();
  const smallest = Array.from(values.subarray(0, kk));
  const verdict = spectrumVerdict(complete ? Array.from(values) : [...smallest, ...largest], options.tolerance, complete);
  // From the two ends alone the smallest positive eigenvalue is known only if the low end reached it.
  if (!complete && !smallest.some((v) => v > verdict.tolerance * Math.max(Math.abs(smallest[0]), Math.abs(largest[0])))) verdict.conditionNumber = null;
  const report: SpectrumReport = { n, largest, smallest, method, hessianVectorProducts: products, ...verdict };
  if (residuals) {
    report.maxResidual = Math.max(...Array.from(residuals.subarray(0, kk)), ...Array.from(residuals.subarray(m - kk)));
  }
  return report;
}
