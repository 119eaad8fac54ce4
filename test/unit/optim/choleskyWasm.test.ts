/**
 * The WebAssembly SIMD Cholesky: its committed bytes are what its text source assembles to, it gives
 * the JavaScript factor, solve and tr(A⁻¹) (up to the order of the sums) at sizes that exercise every
 * pairing and tail case, it refuses what the JavaScript code refuses, and its memory stays within
 * the budget.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { WasmCholesky, wasmCholeskyBytes } from '../../../app/optim/choleskyKernel';
import { CholeskySystem } from '../../../app/optim/choleskySystem';
import { seededRandom } from '../../../app/util/random';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** JᵀJ + ridge·I for a random m × n J (row-major n × n, full). */
function spd(n: number, m: number, ridge: number, seed: number): Float64Array {
  const rand = seededRandom(seed);
  const J = Float64Array.from({ length: m * n }, () => 2 * rand() - 1);
  const A = new Float64Array(n * n);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < n; i++) {
      const ji = J[r * n + i];
      for (let j = 0; j <= i; j++) A[i * n + j] += ji * J[r * n + j];
    }
  }
  for (let i = 0; i < n; i++) {
    A[i * n + i] += ridge;
    for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
  }
  return A;
}

function load(system: CholeskySystem, A: Float64Array): void {
  const { n, stride, matrix } = system;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) matrix[i * stride + j] = A[i * n + j];
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('Cholesky kernel', () => {
  it('is what cholesky.wat assembles to (npm run build:wasm reproduces the committed bytes)', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/build-wasm.mjs'), '--check'], { encoding: 'utf8', cwd: REPO });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('runs here (Node has WebAssembly SIMD)', () => {
    expect(new CholeskySystem(3).kernel).toBe('wasm');
    expect(new CholeskySystem(3, { kernel: 'js' }).kernel).toBe('js');
  });

  it('falls back to JavaScript where the runtime rejects the SIMD module, deciding once', async () => {
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const fresh = await import('../../../app/optim/choleskySystem');
      const system = new fresh.CholeskySystem(2);
      expect(system.kernel).toBe('js');
      system.matrix.set([4, 0, 2, 5]);
      expect(system.factor()).toBe(true);
      expect(Array.from(system.solve(Float64Array.of(6, 7), new Float64Array(2)))).toEqual([1, 1]);
      expect(validate).toHaveBeenCalledTimes(1);
      new fresh.CholeskySystem(2);
      expect(validate).toHaveBeenCalledTimes(1);
    } finally {
      validate.mockRestore();
      vi.resetModules();
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 33, 64, 101, 150])('matches the JavaScript factor, solve and tr(A⁻¹) at n = %i', (n) => {
    const A = spd(n, n + 5, 0.1, n);
    const wasm = new CholeskySystem(n);
    const js = new CholeskySystem(n, { kernel: 'js' });
    load(wasm, A);
    load(js, A);
    expect(wasm.factor()).toBe(true);
    expect(js.factor()).toBe(true);
    const scale = maxAbs(js.matrix);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) expect(Math.abs(wasm.matrix[i * wasm.stride + j] - js.matrix[i * n + j])).toBeLessThanOrEqual(1e-12 * scale);
    }
    const rand = seededRandom(100 + n);
    const b = Float64Array.from({ length: n }, () => 2 * rand() - 1);
    const xw = wasm.solve(b, new Float64Array(n));
    const xj = js.solve(b, new Float64Array(n));
    const xs = maxAbs(xj);
    for (let i = 0; i < n; i++) expect(Math.abs(xw[i] - xj[i])).toBeLessThanOrEqual(1e-12 * xs);
    // The solution solves the system, not only matches the other code.
    for (let i = 0; i < n; i++) {
      let r = -b[i];
      for (let j = 0; j < n; j++) r += A[i * n + j] * xw[j];
      expect(Math.abs(r)).toBeLessThanOrEqual(1e-10 * (maxAbs(b) + 1));
    }
    const tw = wasm.inverseTrace();
    const tj = js.inverseTrace();
    expect(Math.abs(tw - tj)).toBeLessThanOrEqual(1e-12 * tj);
  });

  it.each([
    [2, 7],
    [4, 33],
    [8, 64],
    [32, 101],
    [32, 150],
  ])('the blocked factor (panels of %i) matches the JavaScript factor at n = %i, and refuses what it refuses', (panel, n) => {
    const A = spd(n, n + 5, 0.1, 3 * n);
    const wasm = WasmCholesky.create(n, Infinity)!;
    const js = new CholeskySystem(n, { kernel: 'js' });
    const loadBoth = (M: Float64Array) => {
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) wasm.A[i * wasm.stride + j] = M[i * n + j];
      load(js, M);
    };
    loadBoth(A);
    expect(wasm.factor(panel)).toBe(true);
    expect(js.factor()).toBe(true);
    const scale = maxAbs(js.matrix);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) expect(Math.abs(wasm.A[i * wasm.stride + j] - js.matrix[i * n + j])).toBeLessThanOrEqual(1e-12 * scale);
    }
    // A negative pivot in the last panel, after the updates from the panels before it.
    const bad = Float64Array.from(A);
    bad[n * n - 1] = -1;
    loadBoth(bad);
    expect(js.factor()).toBe(false);
    expect(wasm.factor(panel)).toBe(false);
  });

  it('rejects an odd panel width', () => {
    expect(() => WasmCholesky.create(4, Infinity)!.factor(3)).toThrow('Cholesky panel width must be even and at least 2, got 3');
  });

  it('solves in place (x may be b)', () => {
    const n = 7;
    const system = new CholeskySystem(n);
    load(system, spd(n, 9, 0.5, 1));
    expect(system.factor()).toBe(true);
    const b = Float64Array.from({ length: n }, (_, i) => i - 3);
    const want = system.solve(b, new Float64Array(n));
    expect(Array.from(system.solve(b, b))).toEqual(Array.from(want));
  });

  it.each([2, 5, 12, 31])('reports failure as the JavaScript code does on non-positive-definite matrices (n = %i)', (n) => {
    const base = spd(n, n + 2, 0.1, 7 * n);
    const cases: Float64Array[] = [];
    // A negative pivot at each position in turn, a rank-deficient Gram matrix, NaN and ∞ entries.
    for (let k = 0; k < n; k++) {
      const A = Float64Array.from(base);
      A[k * n + k] = -1;
      cases.push(A);
    }
    cases.push(spd(n, Math.max(1, n - 2), 0, 3 * n).map((v, i) => (i === n * n - 1 ? v - 1e3 : v)));
    const nan = Float64Array.from(base);
    nan[(n - 1) * n] = NaN;
    cases.push(nan);
    const inf = Float64Array.from(base);
    inf[n * n - 1] = Infinity;
    cases.push(inf);
    for (const A of cases) {
      const wasm = new CholeskySystem(n);
      const js = new CholeskySystem(n, { kernel: 'js' });
      load(wasm, A);
      load(js, A);
      expect(js.factor()).toBe(false);
      expect(wasm.factor()).toBe(false);
    }
  });

  it('keeps its memory within the budget, else the JavaScript code runs', () => {
    const n = 100;
    const bytes = wasmCholeskyBytes(n)!;
    expect(bytes).toBeGreaterThan(n * n * 8);
    expect(new CholeskySystem(n, { memoryBudgetBytes: bytes }).kernel).toBe('wasm');
    expect(new CholeskySystem(n, { memoryBudgetBytes: bytes - 1 }).kernel).toBe('js');
    expect(wasmCholeskyBytes(100_000)).toBeNull();
  });
});
