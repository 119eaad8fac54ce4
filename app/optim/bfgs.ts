/**
 * Dense BFGS with a float64 inverse Hessian H (row-major n×n). H₀ = I for the first step, rescaled
 * to γI, γ = s'y / y'y, just before the first update (N&W 6.20) when `initialHessian` is 'scaled' or
 * 'adaptive'; kept at I with 'identity' (scipy's choice) and 'identity-adaptive'. The update
 *   H⁺ = (I − ρsy')H(I − ρys') + ρss'
 * is expanded, using the symmetry of H, to H − ρ(s·(Hy)' + (Hy)·s') + (ρ²·y'Hy + ρ)·ss', O(n²),
 * never a product of two n×n matrices; DenseInverseHessian keeps one triangle and applies each
 * update inside the next sweep, which also multiplies y and the new gradient: one sweep of the
 * triangle per iteration.
 */
import { DenseInverseHessian } from './denseInverse';
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
 * come from far-off steps, and scaling the whole of H by them cost evaluations on the tanh regression
 * and the 2-D Rosenbrock (bench/README.md).
 */
const SCALE_UP_AFTER = 5;

export class BfgsStepper extends QuasiNewtonStepper {
  private H: DenseInverseHessian | null = null;
  private readonly Hy: Float64Array;
  /** H·gNew before the update, and H⁺·gNew after it: the next direction, ready without a sweep. */
  private readonly Hg: Float64Array;
  private readonly next: Float64Array;
  private readonly nextFor: Float64Array;
  private nextReady = false;
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
    this.Hg = this.ops.alloc(this.n);
    this.next = this.ops.alloc(this.n);
    this.nextFor = this.ops.alloc(this.n);
  }

  protected override refusal(): string | null {
    return denseBfgsRefusal(this.n, this.memoryBudgetBytes);
  }

  protected override prepare(): void {
    this.H = new DenseInverseHessian(this.n, { memoryBudgetBytes: this.memoryBudgetBytes });
  }

  protected hasMemory(): boolean {
    return this.updates > 0;
  }

  protected clearMemory(): void {
    this.updates = 0;
    this.nextReady = false;
  }

  protected computeDirection(g: Float64Array, d: Float64Array): number {
    if (this.nextReady && sameValues(g, this.nextFor)) this.ops.copy(this.next, d);
    else this.matrix().multiply(g, d);
    this.nextReady = false;
    this.ops.scale(-1, d);
    return this.ops.dot(g, d);
  }

  /**
   * One sweep over H per iteration: it applies the previous update, and multiplies y (for this pair)
   * and gNew (for the next direction) at once; the direction then follows from this update in O(n).
   */
  protected addPair(s: Float64Array, y: Float64Array, sy: number, yy: number, gNew: Float64Array): void {
    const H = this.matrix();
    const { Hy, Hg } = this;
    if (this.updates === 0) {
      const gamma = this.gammaScaling ? sy / yy : 1;
      H.reset(gamma);
      for (let i = 0; i < this.n; i++) {
        Hy[i] = gamma * y[i];
        Hg[i] = gamma * gNew[i];
      }
    } else {
      H.multiplyTwo(y, Hy, gNew, Hg);
    }
    // H under-estimates the inverse curvature along y (y'Hy < s'y): scale it up before the update.
    // BFGS corrects an H that is too small only slowly; on a classifier whose loss falls
    // geometrically the curvature does too (τ ≈ 2 every iteration on the suite's digits problem).
    const scaleUp = this.scaleUp && this.updates >= (this.gammaScaling ? 1 : SCALE_UP_AFTER);
    H.update(s, Hy, sy, this.ops.dot(y, Hy), scaleUp);
    H.multiplyUpdated(gNew, Hg, this.next);
    this.ops.copy(gNew, this.nextFor);
    this.nextReady = true;
    this.updates++;
  }

  inverseHessianModel(): Float64Array | null {
    const H = this.H;
    if (!H) return null;
    const n = H.n;
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = H.entry(i, j);
    return out;
  }

  private matrix(): DenseInverseHessian {
    if (!this.H) throw new Error('BFGS inverse Hessian used before the run started.');
    return this.H;
  }
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
