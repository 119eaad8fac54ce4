/**
 * The one-triangle, update-on-next-product inverse Hessian gives the numbers of the textbook update
 * H⁺ = (I − ρsy')H(I − ρys') + ρss' applied to a full matrix, including the τ scale-up, with either
 * sweep (WebAssembly SIMD and JavaScript).
 */
import { describe, expect, it } from 'vitest';
import { DenseInverseHessian, type SweepKernel } from '../../../app/optim/denseInverse';
import { seededRandom } from '../../../app/util/random';

function textbookUpdate(H: Float64Array, n: number, s: Float64Array, y: Float64Array, tau: number): Float64Array {
  const scaled = H.map((h) => h * tau);
  const rho = 1 / s.reduce((a, si, i) => a + si * y[i], 0);
  // (I − ρsy') H (I − ρys') + ρss'
  const left = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) left[i * n + j] = (i === j ? 1 : 0) - rho * s[i] * y[j];
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) sum += left[i * n + k] * scaled[k * n + l] * left[j * n + l];
      out[i * n + j] = sum + rho * s[i] * s[j];
    }
  return out;
}

const multiplyFull = (H: Float64Array, n: number, v: Float64Array) =>
  Float64Array.from({ length: n }, (_, i) => v.reduce((a, vj, j) => a + H[i * n + j] * vj, 0));

describe.each<SweepKernel>(['auto', 'js'])('DenseInverseHessian (kernel %s)', (kernel) => {
  it('matches the textbook BFGS update over several pairs, with and without the τ scale-up', () => {
    const n = 7;
    const rand = seededRandom(5);
    const vec = () => Float64Array.from({ length: n }, () => 2 * rand() - 1);
    const inverse = new DenseInverseHessian(n, { kernel });
    inverse.reset(0.5);
    let reference: Float64Array = new Float64Array(n * n);
    for (let i = 0; i < n; i++) reference[i * n + i] = 0.5;
    let scaledOnce = false;
    for (let k = 0; k < 6; k++) {
      const s = vec();
      // A y with s'y > 0: y = A s for a positive definite A; every other pair small so τ > 1 happens.
      const y = Float64Array.from(s, (si, i) => (k % 2 ? 0.05 : 3) * si + 0.01 * s[(i + 1) % n]);
      const sy = s.reduce((a, si, i) => a + si * y[i], 0);
      expect(sy).toBeGreaterThan(0);
      const Hy = new Float64Array(n);
      const g = vec();
      const Hg = new Float64Array(n);
      // Alternate the two sweeps: one product, or the pair's and the next gradient's together.
      if (k % 2) inverse.multiply(y, Hy);
      else inverse.multiplyTwo(y, Hy, g, Hg);
      expect(Array.from(Hy)).toEqual(Array.from(multiplyFull(reference, n, y)).map((v) => expect.closeTo(v, 9)));
      const yHy = y.reduce((a, yi, i) => a + yi * Hy[i], 0);
      const scaled = inverse.update(s, Hy, sy, yHy, true);
      scaledOnce ||= scaled;
      reference = textbookUpdate(reference, n, s, y, scaled ? sy / yHy : 1);
      if (k % 2 === 0) {
        // The next direction from the update alone, without a sweep.
        const next = new Float64Array(n);
        inverse.multiplyUpdated(g, Hg, next);
        const want = multiplyFull(reference, n, g);
        for (let i = 0; i < n; i++) expect(next[i]).toBeCloseTo(want[i], 10);
      }
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(inverse.entry(i, j)).toBeCloseTo(reference[i * n + j], 10);
    }
    expect(scaledOnce).toBe(true);
    const g = vec();
    const out = new Float64Array(n);
    inverse.multiply(g, out);
    const want = multiplyFull(reference, n, g);
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(want[i], 10);
  });

  it('reset drops a remembered update', () => {
    const inverse = new DenseInverseHessian(3, { kernel });
    inverse.reset(1);
    inverse.update(Float64Array.of(1, 0, 0), Float64Array.of(2, 0, 0), 1, 2, false);
    inverse.reset(2);
    const out = new Float64Array(3);
    inverse.multiply(Float64Array.of(1, 1, 1), out);
    expect(Array.from(out)).toEqual([2, 2, 2]);
  });
});
