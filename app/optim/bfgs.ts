/**
 * Dense BFGS with a float64 inverse Hessian H (row-major n×n). H₀ = I for the first step, rescaled
 * to γI, γ = s'y / y'y, just before the first update (N&W 6.20) when `initialHessian` is 'scaled' or
 * 'adaptive'; kept at I with 'identity' (scipy's choice) and 'identity-adaptive'. The update
 *   H⁺ = (I − ρsy')H(I − ρys') + ρss'
 * is expanded, using the symmetry of H, to H − ρ(s·(Hy)' + (Hy)·s') + (ρ²·y'Hy + ρ)·ss': one
 * matrix–vector product and one rank-2 pass, O(n²), never a product of two n×n matrices.
 * The n² loops are plain host code on purpose: they are the whole cost and need no abstraction.
 */
import { denseBfgsRefusal } from './messages';
import { QuasiNewtonStepper } from './quasiNewton';
import type { LineSearchSpec } from './spec';
import type { StepperOptions } from './stepper';
import type { Objective, StoppingCriteria } from './types';

export interface BfgsSettings {
  lineSearch: LineSearchSpec;
  memoryBudgetBytes: number;
  /**
   * 'scaled' (when not given): γI before the first update; 'identity': I, as scipy; 'adaptive':
   * 'scaled', then H ← τH whenever τ = s'y/y'Hy > 1; 'identity-adaptive': I, then the same from the
   * SCALE_UP_AFTER-th update on.
   */
  initialHessian?: 'scaled' | 'identity' | 'adaptive' | 'identity-adaptive';
  curvatureUpdate?: 'skip' | 'damped';
}

/**
 * 'identity-adaptive' scales H up only from this many updates on: the first pairs of a network run
 * come from far-off steps (1-20-20-1 tanh regression: τ = 4.8 at update 2), and scaling the whole of H
 * by them cost 60% more evaluations there and 20% on the 2-D Rosenbrock (bench/README.md).
 */
const SCALE_UP_AFTER = 5;

export class BfgsStepper extends QuasiNewtonStepper {
  private H: Float64Array | null = null;
  private readonly Hy: Float64Array;
  private updates = 0;
  private readonly memoryBudgetBytes: number;
  private readonly gammaScaling: boolean;
  private readonly scaleUp: boolean;

  constructor(objective: Objective, x0: Float64Array, stopping: StoppingCriteria, settings: BfgsSettings, options?: StepperOptions) {
    super('BFGS', objective, x0, stopping, settings.lineSearch, options, settings.curvatureUpdate);
    this.memoryBudgetBytes = settings.memoryBudgetBytes;
    const h0 = settings.initialHessian ?? 'scaled';
    this.gammaScaling = h0 === 'scaled' || h0 === 'adaptive';
    this.scaleUp = h0 === 'adaptive' || h0 === 'identity-adaptive';
    this.Hy = this.ops.alloc(this.n);
  }

  protected override refusal(): string | null {
    return denseBfgsRefusal(this.n, this.memoryBudgetBytes);
  }

  protected override prepare(): void {
    this.H = new Float64Array(this.n * this.n);
  }

  protected hasMemory(): boolean {
    return this.updates > 0;
  }

  protected clearMemory(): void {
    this.updates = 0;
  }

  protected computeDirection(g: Float64Array, d: Float64Array): number {
    symmetricProduct(this.matrix(), g, d, this.n);
    this.ops.scale(-1, d);
    return this.ops.dot(g, d);
  }

  protected addPair(s: Float64Array, y: Float64Array, sy: number, yy: number): void {
    const H = this.matrix();
    const n = this.n;
    if (this.updates === 0) {
      H.fill(0);
      const gamma = this.gammaScaling ? sy / yy : 1;
      for (let i = 0; i < n; i++) H[i * n + i] = gamma;
    }
    const Hy = this.Hy;
    symmetricProduct(H, y, Hy, n);
    const rho = 1 / sy;
    let yHy = this.ops.dot(y, Hy);
    if (this.scaleUp && this.updates >= (this.gammaScaling ? 1 : SCALE_UP_AFTER) && sy > yHy) {
      // H under-estimates the inverse curvature along y (y'Hy < s'y): scale it up before the update.
      // BFGS corrects an H that is too small only slowly; on a classifier whose loss falls
      // geometrically the curvature does too (τ ≈ 2 every iteration on the suite's digits problem).
      const tau = sy / yHy;
      for (let k = 0; k < H.length; k++) H[k] *= tau;
      this.ops.scale(tau, Hy);
      yHy *= tau;
    }
    const ssCoeff = rho * rho * yHy + rho;
    for (let i = 0; i < n; i++) {
      const row = i * n;
      const si = s[i];
      const a = -rho * si;
      const b = -rho * Hy[i];
      const c = ssCoeff * si;
      for (let j = 0; j < n; j++) H[row + j] += a * Hy[j] + b * s[j] + c * s[j];
    }
    this.updates++;
  }

  inverseHessianModel(): Float64Array | null {
    return this.H ? Float64Array.from(this.H) : null;
  }

  private matrix(): Float64Array {
    if (!this.H) throw new Error('BFGS inverse Hessian used before the run started.');
    return this.H;
  }
}

/** out ← H·v for a row-major n×n matrix. */
function symmetricProduct(H: Float64Array, v: Float64Array, out: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += H[row + j] * v[j];
    out[i] = sum;
  }
}
