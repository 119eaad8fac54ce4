/**
 * The Hessian spectrum from products: the dense path against a Hessian assembled in the test from
 * central differences of the float64 reference gradient (eigenvalues by the test's own cyclic
 * Jacobi), Lanczos' ends against the dense spectrum, and the verdicts on a constructed saddle, a
 * network's own saddle, a minimum and a flat direction.
 */
import { describe, expect, it } from 'vitest';
import { hessianVectorProduct, type RowData } from '../../../app/engine/js/hessian';
import { denseSpectrum, hessianSpectrum, lanczos, spectrumVerdict } from '../../../app/optim/spectrum';
import { makeStack, randomProblem, referenceLossAndGradient } from '../../../support/denseReference';
import type { DenseStack } from '../../../app/engine/engine';

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan 8.5), ascending. */
function jacobiEigenvalues(A: Float64Array, n: number): number[] {
  const a = Float64Array.from(A);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => x - y);
}

function netProblem(stack: DenseStack, rows: number, seed: number): { data: RowData; theta: Float64Array; hv: (v: Float64Array, out: Float64Array) => void } {
  const p = randomProblem(stack, rows, seed);
  const data = { x: Float64Array.from(p.x), y: Float64Array.from(p.y), rows };
  return { data, theta: p.theta, hv: (v, out) => void hessianVectorProduct(stack, p.theta, data, v, out) };
}

describe('Hessian spectrum', () => {
  it('dense: every eigenvalue of a small net equals those of the Hessian assembled by differences', () => {
    const stack = makeStack(3, [4, 2], ['tanh', 'softmax'], 'softmax-crossentropy', true);
    const { data, theta, hv } = netProblem(stack, 10, 2);
    const n = stack.parameterCount;
    const H = new Float64Array(n * n);
    const eps = 1e-5;
    for (let j = 0; j < n; j++) {
      const plus = Float64Array.from(theta);
      const minus = Float64Array.from(theta);
      plus[j] += eps;
      minus[j] -= eps;
      const gp = referenceLossAndGradient(stack, plus, data.x, data.y, data.rows).g;
      const gm = referenceLossAndGradient(stack, minus, data.x, data.y, data.rows).g;
      for (let i = 0; i < n; i++) H[i * n + j] = (gp[i] - gm[i]) / (2 * eps);
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
    const exact = jacobiEigenvalues(H, n);
    const dense = Array.from(denseSpectrum(hv, n));
    const scale = Math.max(...exact.map(Math.abs));
    for (let i = 0; i < n; i++) expect(Math.abs(dense[i] - exact[i])).toBeLessThan(1e-7 * scale);
  });

  it('Lanczos: the 5 largest and 5 smallest agree with the dense spectrum', () => {
    const stack = makeStack(4, [12, 8, 3], ['tanh', 'gelu', 'softmax'], 'softmax-crossentropy', true);
    const { hv } = netProblem(stack, 40, 3);
    const n = stack.parameterCount;
    expect(n).toBeGreaterThan(150);
    const dense = denseSpectrum(hv, n);
    const report = hessianSpectrum(hv, n, { k: 5, method: 'lanczos' });
    expect(report.method).toBe('lanczos');
    expect(report.hessianVectorProducts).toBeLessThan(n);
    const scale = Math.max(Math.abs(dense[0]), Math.abs(dense[n - 1]));
    const top = Array.from(dense.subarray(n - 5)).reverse();
    const bottom = Array.from(dense.subarray(0, 5));
    for (let i = 0; i < 5; i++) {
      expect(Math.abs(report.largest[i] - top[i])).toBeLessThan(1e-6 * scale);
      expect(Math.abs(report.smallest[i] - bottom[i])).toBeLessThan(1e-6 * scale);
    }
    expect(report.maxResidual).toBeLessThan(1e-6 * scale);
  });

  it('Lanczos with n steps is the whole spectrum, and restarts on breakdown (repeated eigenvalues)', () => {
    const d = [3, 3, 3, -1, -1, 2, 2, 2, 2, 5];
    const r = lanczos((v, out) => d.forEach((di, i) => (out[i] = di * v[i])), d.length, 3, 7, d.length);
    expect(Array.from(r.ritzValues).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([...d].sort((a, b) => a - b));
  });

  it('a constructed saddle is reported as one', () => {
    // H = diag(4, 1, −2, 0.5): one negative direction.
    const d = [4, 1, -2, 0.5];
    const report = hessianSpectrum((v, out) => d.forEach((di, i) => (out[i] = di * v[i])), 4, { k: 2 });
    expect(report.kind).toBe('saddle');
    expect(report.verdict).toBe('saddle: 1 negative direction (λ_min = -2)');
    expect(report.conditionNumber).toBeCloseTo(8, 12);
    expect(report.largest).toEqual([4, 1]);
    expect(report.smallest).toEqual([-2, 0.5]);
  });

  it("a network's symmetric point (zero weights, output bias at the mean) is a saddle with zero gradient", () => {
    const stack = makeStack(2, [3, 1], ['tanh', 'linear'], 'mse', true);
    const p = randomProblem(stack, 20, 5);
    const data = { x: Float64Array.from(p.x), y: Float64Array.from(p.y), rows: 20 };
    const theta = new Float64Array(stack.parameterCount);
    theta[stack.layers[1].biasOffset] = data.y.reduce((s, v) => s + v, 0) / 20;
    const g = referenceLossAndGradient(stack, theta, data.x, data.y, 20).g;
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-15);
    const report = hessianSpectrum((v, out) => void hessianVectorProduct(stack, theta, data, v, out), stack.parameterCount, { k: 3 });
    expect(report.method).toBe('dense');
    expect(report.kind).toBe('saddle');
    expect(report.negativeCount).toBeGreaterThan(0);
  });

  it('verdicts: minimum, flat, partial spectra say "≥"', () => {
    expect(spectrumVerdict([1, 2, 3]).verdict).toBe('minimum');
    expect(spectrumVerdict([1, 2, 3]).conditionNumber).toBe(3);
    const flat = spectrumVerdict([0, 1e-12, 2, 3]);
    expect(flat.kind).toBe('flat');
    expect(flat.verdict).toBe('flat: 2 directions with |λ| < 1e-6·λ_max');
    expect(flat.conditionNumber).toBe(1.5);
    expect(spectrumVerdict([-3, -2, 5, 6], undefined, false).verdict).toBe('saddle: ≥ 2 negative directions (λ_min = -3)');
  });
});
