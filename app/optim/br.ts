/**
 * Bayesian regularization (MATLAB `trainbr`; MacKay 1992, Foresee & Hagan 1997): Levenberg–Marquardt
 * on F = β·E_D + α·E_W, E_W = Σθ² over every weight and bias, with α and β re-estimated by MacKay's
 * evidence rule after each accepted step:
 *   γ = N − α·tr((βJᵀJ + αI)⁻¹)   (= N − 2α·tr(H⁻¹), H = 2βJᵀJ + 2αI, N parameters)
 *   α = γ / (2E_W),   β = (n − γ) / (2E_D),   n error terms.
 * Start as trainbr: γ = N, α = γ / (2E_W) (1 when E_W = 0), β = (n − γ) / (2E_D) (1 when not positive).
 * γ needs tr(H⁻¹), so Bayesian regularization is dense only (one more Cholesky per accepted step).
 */
import { LevenbergMarquardtStepper, type LmSettings, type Weighting } from './lm';
import type { StepperOptions } from './stepper';
import type { IterationRecord, Objective, StoppingCriteria } from './types';

export class BrStepper extends LevenbergMarquardtStepper {
  private alpha = NaN;
  private beta = NaN;
  private gamma = NaN;
  private sumSquaredWeights = NaN;
  private penalty: Float64Array;

  constructor(objective: Objective, x0: Float64Array, stopping: StoppingCriteria, settings: LmSettings, options?: StepperOptions) {
    super('Bayesian regularization', objective, x0, stopping, settings, options);
    this.penalty = new Float64Array(this.n);
  }

  protected override needsDense(): boolean {
    return true;
  }

  protected override refusal(): string | null {
    const base = super.refusal();
    if (base) return base;
    if (this.path !== 'dense') {
      return `Bayesian regularization needs tr(H⁻¹) from a dense factorisation; n = ${this.n} is above its dense limit (${this.settings.denseLimit}). Use Levenberg–Marquardt (matrix-free) or raise denseLimit.`;
    }
    if (this.ls!.penaltyWeights?.some((p) => p > 0)) {
      return 'Bayesian regularization chooses its own weight penalty α; set the model\'s L2 to 0 for this run.';
    }
    return null;
  }

  protected override weighting(): Weighting {
    return { beta: this.beta, penalty: this.penalty };
  }

  /** The result is the latest point: F changes with α and β, so a lower data loss is not "better". */
  protected override resultIsLatest(): boolean {
    return true;
  }

  protected override afterAccept(jtj: Float64Array | null): void {
    const n = this.n;
    const count = this.ls!.residualCount;
    let ew = 0;
    for (let j = 0; j < n; j++) ew += this.x[j] * this.x[j];
    this.sumSquaredWeights = ew;
    const ed = this.sumSquares;
    if (Number.isNaN(this.alpha)) {
      this.gamma = n;
    } else {
      // H/2 = βJᵀJ + αI at the new point, with the α and β the step was taken with; the step's
      // system is free once the step is taken, so it holds this factor too.
      const system = this.system!;
      const { matrix: A, stride } = system;
      const J = jtj!;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) A[i * stride + j] = this.beta * J[i * n + j];
        A[i * stride + i] += this.alpha;
      }
      if (system.factor()) this.gamma = n - this.alpha * system.inverseTrace();
    }
    this.alpha = ew > 0 ? this.gamma / (2 * ew) : 1;
    const b = (count - this.gamma) / (2 * ed);
    this.beta = b > 0 && Number.isFinite(b) ? b : 1;
    this.penalty.fill(this.alpha);
  }

  protected override recordExtras(): Partial<IterationRecord> {
    return {
      ...super.recordExtras(),
      effectiveParameters: this.gamma,
      alpha: this.alpha,
      beta: this.beta,
      sumSquaredWeights: this.sumSquaredWeights,
    };
  }

  /** "Effective # parameters 23.4 of 81", trainbr's report. */
  effectiveParametersSummary(): string {
    return `Effective # parameters ${this.gamma.toFixed(1)} of ${this.n}`;
  }
}
