/**
 * The WebAssembly SIMD sweep of the dense inverse Hessian: its committed bytes are what its text
 * source assembles to, it gives the JavaScript sweep's numbers (up to the order of the sums) at sizes
 * that exercise every alignment case, and its memory stays within the budget.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { DenseInverseHessian } from '../../../app/optim/denseInverse';
import { wasmSweepBytes } from '../../../app/optim/denseSweepKernel';
import { seededRandom } from '../../../app/util/random';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function expectClose(got: Float64Array, want: Float64Array, scale: number) {
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-12 * scale);
}

const maxAbs = (v: Float64Array) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('dense sweep kernel', () => {
  it('is what denseSweep.wat assembles to (npm run build:wasm reproduces the committed bytes)', () => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'scripts/build-wasm.mjs'), '--check'], { encoding: 'utf8', cwd: REPO });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('runs here (Node has WebAssembly SIMD)', () => {
    expect(new DenseInverseHessian(3).kernel).toBe('wasm');
    expect(new DenseInverseHessian(3, { kernel: 'js' }).kernel).toBe('js');
  });

  it('falls back to the JavaScript sweep where the runtime rejects the SIMD module', async () => {
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const fresh = await import('../../../app/optim/denseInverse');
      const inverse = new fresh.DenseInverseHessian(5);
      expect(inverse.kernel).toBe('js');
      inverse.reset(3);
      const out = new Float64Array(5);
      inverse.multiply(Float64Array.of(1, 2, 3, 4, 5), out);
      expect(Array.from(out)).toEqual([3, 6, 9, 12, 15]);
      expect(validate).toHaveBeenCalledTimes(1);
      new fresh.DenseInverseHessian(5);
      expect(validate).toHaveBeenCalledTimes(1);
    } finally {
      validate.mockRestore();
      vi.resetModules();
    }
  });

  it.each([1, 2, 3, 4, 5, 8, 33, 64, 101])('matches the JavaScript sweep at n = %i over a run of updates', (n) => {
    const rand = seededRandom(n);
    const vec = (scale = 1) => Float64Array.from({ length: n }, () => scale * (2 * rand() - 1));
    const wasm = new DenseInverseHessian(n);
    const js = new DenseInverseHessian(n, { kernel: 'js' });
    wasm.reset(0.7);
    js.reset(0.7);
    const out = () => [new Float64Array(n), new Float64Array(n)];
    for (let k = 0; k < 8; k++) {
      const s = vec(0.1);
      const y = Float64Array.from(s, (si, i) => (k % 3 ? 2 : 0.05) * si + 0.01 * s[(i + 1) % n]);
      const g = vec();
      const [wy, wg] = out();
      const [jy, jg] = out();
      if (k % 4 === 3) {
        wasm.multiply(y, wy);
        js.multiply(y, jy);
      } else {
        wasm.multiplyTwo(y, wy, g, wg);
        js.multiplyTwo(y, jy, g, jg);
        expectClose(wg, jg, maxAbs(jg) + 1);
      }
      expectClose(wy, jy, maxAbs(jy) + 1);
      const sy = s.reduce((a, si, i) => a + si * y[i], 0);
      const yHy = y.reduce((a, yi, i) => a + yi * jy[i], 0);
      expect(wasm.update(s, wy, sy, yHy, true)).toBe(js.update(s, jy, sy, yHy, true));
    }
    let scale = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(js.entry(i, j)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(wasm.entry(i, j) - js.entry(i, j))).toBeLessThanOrEqual(1e-12 * scale);
  });

  it('reset clears a non-finite pair, so the plain product after it stays finite', () => {
    const inverse = new DenseInverseHessian(4);
    inverse.reset(1);
    inverse.update(Float64Array.of(1, 0, 0, 0), Float64Array.of(Infinity, 0, 0, 0), 1, 2, false);
    inverse.reset(2);
    const out = new Float64Array(4);
    inverse.multiply(Float64Array.of(1, 1, 1, 1), out);
    expect(Array.from(out)).toEqual([2, 2, 2, 2]);
  });

  it('keeps its memory within the budget: the JavaScript sweep when only n² entries fit, the refusal when not even they do', () => {
    const n = 100;
    const wasmBytes = wasmSweepBytes(n)!;
    expect(wasmBytes).toBeGreaterThan(n * n * 8);
    expect(new DenseInverseHessian(n, { memoryBudgetBytes: wasmBytes }).kernel).toBe('wasm');
    expect(new DenseInverseHessian(n, { memoryBudgetBytes: wasmBytes - 1 }).kernel).toBe('js');
    expect(() => new DenseInverseHessian(n, { memoryBudgetBytes: n * n * 8 - 1 })).toThrow(
      'Dense BFGS needs n² × 8 bytes = 78.1 KiB for n = 100 parameters, over the budget of 78.1 KiB; use L-BFGS.',
    );
  });
});
