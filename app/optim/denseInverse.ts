/**
 * The dense inverse-Hessian approximation of BFGS, kept in float64 as the upper triangle of a
 * row-major n×n array (H is symmetric; the lower triangle is never read or written).
 *
 * The BFGS update H⁺ = H − ρ(s·(Hy)' + (Hy)·s') + (ρ²·y'Hy + ρ)·ss' (optionally after H ← τH) is
 * not applied when the pair arrives: it is remembered and applied row by row inside the next
 * product H·g, in the same sweep. Each iteration therefore costs two sweeps over the triangle (H·y
 * for the pair, then update-and-multiply for the next direction), n² entries read and n²/2 written,
 * where applying the update eagerly over the full matrix took three sweeps over n² entries: at the
 * sizes dense BFGS runs at, the matrix does not fit in cache and the sweeps are the whole cost.
 *
 * The sweep runs as WebAssembly SIMD (denseSweep.wat, H in the module's memory) where the runtime
 * has it, and in JavaScript otherwise; the two give the same numbers up to the order of the sums.
 */
import { denseBfgsRefusal } from './messages';
import { WasmSweep } from './denseSweepKernel';

/** 'auto': the WebAssembly sweep where available; 'js': always JavaScript (tests, the bench). */
export type SweepKernel = 'auto' | 'js';

export interface DenseInverseOptions {
  /**
   * The memory the matrix may take. The kernel's memory (H with padded rows, its vectors, whole
   * pages) is used only within it, else the JavaScript sweep's n² entries; over even those the
   * constructor throws dense BFGS's refusal, the message BfgsStepper refuses with.
   */
  memoryBudgetBytes?: number;
  kernel?: SweepKernel;
}

export class DenseInverseHessian {
  readonly n: number;
  /** Which sweep runs: 'wasm' or 'js'. */
  readonly kernel: 'wasm' | 'js';
  private readonly wasm: WasmSweep | null;
  /** Row-major with this row length (even for the kernel's aligned pairs). */
  private readonly stride: number;
  private readonly H: Float64Array;
  /** The remembered update, applied at the next sweep: H ← τH + a_i·Hy_j + b_i·s_j per entry. */
  private pending = false;
  private tau = 1;
  private rho = 0;
  private ssCoeff = 0;
  private readonly s: Float64Array;
  private readonly Hy: Float64Array;

  constructor(n: number, options: DenseInverseOptions = {}) {
    this.n = n;
    const budget = options.memoryBudgetBytes ?? Infinity;
    this.wasm = options.kernel === 'js' ? null : WasmSweep.create(n, budget);
    if (this.wasm) {
      this.kernel = 'wasm';
      ({ stride: this.stride, H: this.H, s: this.s, Hy: this.Hy } = this.wasm);
    } else {
      const refusal = denseBfgsRefusal(n, budget);
      if (refusal) throw new Error(refusal);
      this.kernel = 'js';
      this.stride = n;
      this.H = new Float64Array(n * n);
      this.s = new Float64Array(n);
      this.Hy = new Float64Array(n);
    }
  }

  /** H ← γI (the pending update, if any, is dropped). */
  reset(gamma: number): void {
    const { H, n, stride } = this;
    for (let i = 0; i < n; i++) {
      const row = i * stride;
      H.fill(0, row + i, row + n);
      H[row + i] = gamma;
    }
    // The kernel's plain product still multiplies s and Hy by zero: a non-finite pair left behind
    // would turn that zero into NaN.
    this.s.fill(0);
    this.Hy.fill(0);
    this.pending = false;
  }

  /** out ← H·v, applying the remembered update first (in the same sweep). */
  multiply(v: Float64Array, out: Float64Array): void {
    if (this.wasm) {
      this.wasm.v1.set(v);
      this.wasm.v2.set(v);
      this.sweepWasm(this.wasm);
      out.set(this.wasm.out1);
      return;
    }
    const { H, n, stride } = this;
    out.fill(0);
    if (!this.pending) {
      for (let i = 0; i < n; i++) {
        const row = i * stride;
        const vi = v[i];
        let acc = H[row + i] * vi;
        for (let j = i + 1; j < n; j++) {
          const h = H[row + j];
          acc += h * v[j];
          out[j] += h * vi;
        }
        out[i] += acc;
      }
      return;
    }
    const { s, Hy, tau, rho, ssCoeff } = this;
    for (let i = 0; i < n; i++) {
      const row = i * stride;
      const vi = v[i];
      const a = -rho * s[i];
      const b = ssCoeff * s[i] - rho * Hy[i];
      let acc = 0;
      for (let j = i; j < n; j++) {
        const h = tau * H[row + j] + a * Hy[j] + b * s[j];
        H[row + j] = h;
        acc += h * v[j];
        if (j !== i) out[j] += h * vi;
      }
      out[i] += acc;
    }
    this.pending = false;
  }

  /**
   * out1 ← H·v1 and out2 ← H·v2 in one sweep, applying the remembered update first (BFGS: H·y for
   * the pair and H·g at the new point together, so an iteration sweeps H once).
   */
  multiplyTwo(v1: Float64Array, out1: Float64Array, v2: Float64Array, out2: Float64Array): void {
    if (this.wasm) {
      this.wasm.v1.set(v1);
      this.wasm.v2.set(v2);
      this.sweepWasm(this.wasm);
      out1.set(this.wasm.out1);
      out2.set(this.wasm.out2);
      return;
    }
    const { H, n, stride, s, Hy, tau, rho, ssCoeff } = this;
    const pending = this.pending;
    out1.fill(0);
    out2.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * stride;
      const a = pending ? -rho * s[i] : 0;
      const b = pending ? ssCoeff * s[i] - rho * Hy[i] : 0;
      const t = pending ? tau : 1;
      const x1 = v1[i];
      const x2 = v2[i];
      const hii = pending ? t * H[row + i] + a * Hy[i] + b * s[i] : H[row + i];
      H[row + i] = hii;
      let acc1 = hii * x1;
      let acc2 = hii * x2;
      if (pending) {
        for (let j = i + 1; j < n; j++) {
          const h = t * H[row + j] + a * Hy[j] + b * s[j];
          H[row + j] = h;
          acc1 += h * v1[j];
          acc2 += h * v2[j];
          out1[j] += h * x1;
          out2[j] += h * x2;
        }
      } else {
        for (let j = i + 1; j < n; j++) {
          const h = H[row + j];
          acc1 += h * v1[j];
          acc2 += h * v2[j];
          out1[j] += h * x1;
          out2[j] += h * x2;
        }
      }
      out1[i] += acc1;
      out2[i] += acc2;
    }
    this.pending = false;
  }

  /**
   * out ← H⁺·g for the remembered update H⁺ = τH + …, given v = H·g of the matrix before it: no
   * sweep, O(n). (H⁺)_ij = τH_ij + a_i·Hy_j + b_i·s_j, so H⁺g = τv + a·(Hy'g) + b·(s'g).
   */
  multiplyUpdated(g: Float64Array, v: Float64Array, out: Float64Array): void {
    const { s, Hy, tau, rho, ssCoeff, n } = this;
    if (!this.pending) throw new Error('DenseInverseHessian.multiplyUpdated without a remembered update');
    let hyg = 0;
    let sg = 0;
    for (let i = 0; i < n; i++) {
      hyg += Hy[i] * g[i];
      sg += s[i] * g[i];
    }
    for (let i = 0; i < n; i++) out[i] = tau * v[i] - rho * s[i] * hyg + (ssCoeff * s[i] - rho * Hy[i]) * sg;
  }

  /**
   * Remember the update for the pair (s, y) with s'y = sy, given Hy = H·y of the current H (from
   * multiply). scaleUp: when H under-estimates the inverse curvature along y (y'Hy < s'y), H ← τH
   * with τ = s'y / y'Hy first. Returns whether it scaled.
   */
  update(s: Float64Array, Hy: Float64Array, sy: number, yHy: number, scaleUp: boolean): boolean {
    if (this.pending) this.flush();
    let tau = 1;
    if (scaleUp && sy > yHy) {
      tau = sy / yHy;
      yHy *= tau;
    }
    const rho = 1 / sy;
    this.tau = tau;
    this.rho = rho;
    this.ssCoeff = rho * rho * yHy + rho;
    this.s.set(s);
    for (let i = 0; i < this.n; i++) this.Hy[i] = tau * Hy[i];
    this.pending = true;
    return tau !== 1;
  }

  /** Entry (i, j) of H as it stands after any remembered update (tests, diagnostics). */
  entry(i: number, j: number): number {
    if (this.pending) this.flush();
    const [r, c] = i <= j ? [i, j] : [j, i];
    return this.H[r * this.stride + c];
  }

  private flush(): void {
    if (this.wasm) {
      this.wasm.v1.fill(0);
      this.wasm.v2.fill(0);
      this.sweepWasm(this.wasm);
    } else this.multiply(new Float64Array(this.n), new Float64Array(this.n));
  }

  /** The kernel's sweep over its copies of the vectors; τ = 1, ρ = c = 0 when nothing is pending. */
  private sweepWasm(wasm: WasmSweep): void {
    if (this.pending) wasm.sweep(this.tau, this.rho, this.ssCoeff);
    else wasm.sweep(1, 0, 0);
    this.pending = false;
  }
}
