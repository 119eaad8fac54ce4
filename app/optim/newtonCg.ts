/**
 * Trust-region Newton with Steihaug–Toint conjugate gradients on exact Hessian-vector products:
 * scipy's `trust-ncg` (scipy/optimize/_trustregion.py and _trustregion_ncg.py; Nocedal & Wright
 * Alg. 4.1 and 7.2). Per trial: CG on H p = −g from p = 0, stopping at the boundary ‖p‖ = Δ, on
 * negative curvature (dᵀHd ≤ 0: to the boundary along d, the end with the lower model value), or
 * when ‖r‖ < min(0.5, √‖g‖)·‖g‖. Then ρ = actual / predicted reduction; ρ < 0.25 → Δ/4; ρ > 0.75 on
 * the boundary → min(2Δ, Δmax); accept when ρ > η.
 *
 * One difference in bookkeeping, none in the path: scipy counts every trial as an iteration; here an
 * iteration ends at an accepted step (rejected trials are its extra evaluations), so that a record
 * always means a new point and the shared f-tolerance test never sees a zero change from a rejection.
 * The model value m(p) is updated along CG from quantities it has (rᵀd, dᵀHd) instead of costing
 * scipy's extra product per evaluation of m.
 */
import { BaseStepper, type IterationOutcome, type StepperOptions } from './stepper';
import type { Objective, StoppingCriteria } from './types';

export interface NewtonCgSettings {
  initialTrustRadius: number;
  maxTrustRadius: number;
  /** Accept a step when ρ > eta (scipy: 0.15). */
  eta: number;
  /** Cap on CG iterations per trial; default 10·n + 100 (scipy has none; this only guards rounding). */
  maxCgIterations?: number;
}

export class NewtonCgStepper extends BaseStepper {
  private radius: number;
  private products = 0;
  private trials = 0;
  private readonly hv: (x: Float64Array, v: Float64Array, out: Float64Array) => number;
  private readonly p: Float64Array;
  private readonly r: Float64Array;
  private readonly d: Float64Array;
  private readonly Hd: Float64Array;
  private readonly xNew: Float64Array;
  private readonly gNew: Float64Array;

  constructor(
    objective: Objective,
    x0: Float64Array,
    stopping: StoppingCriteria,
    private readonly settings: NewtonCgSettings,
    options?: StepperOptions,
  ) {
    super('Newton-CG', objective, x0, stopping, options);
    const hv = objective.hessianVectorProduct?.bind(objective);
    this.hv = hv ?? (() => NaN);
    this.missingProducts = !hv;
    this.radius = settings.initialTrustRadius;
    this.p = this.ops.alloc(this.n);
    this.r = this.ops.alloc(this.n);
    this.d = this.ops.alloc(this.n);
    this.Hd = this.ops.alloc(this.n);
    this.xNew = this.ops.alloc(this.n);
    this.gNew = this.ops.alloc(this.n);
  }

  private readonly missingProducts: boolean;

  /** Hessian-vector products so far. */
  get hessianVectorProducts(): number {
    return this.products;
  }

  /** Current trust radius Δ. */
  get trustRadius(): number {
    return this.radius;
  }

  protected override refusal(): string | null {
    return this.missingProducts ? 'Newton-CG needs exact Hessian-vector products, which this objective does not provide.' : null;
  }

  protected override extraCounters(): { hessianVectorProducts: number } {
    return { hessianVectorProducts: this.products };
  }

  override result(): ReturnType<BaseStepper['result']> {
    return { ...super.result(), hessianVectorProducts: this.products };
  }

  protected iterate(): IterationOutcome {
    const { ops } = this;
    const maxRadius = this.settings.maxTrustRadius;
    let evaluations = 0;
    for (;;) {
      if (this.remainingEvaluations() <= 0) {
        return this.outcome(0, evaluations, { status: 'max-evaluations' });
      }
      const { predicted, hitsBoundary } = this.steihaug();
      if (!(predicted > 0)) {
        return this.outcome(0, evaluations, {
          status: 'trust-region-no-decrease',
          detail: `The quadratic model predicts no decrease (Δ = ${this.radius.toExponential(2)}).`,
        });
      }
      ops.addScaled(this.xNew, this.x, 1, this.p);
      const fNew = this.objective.evaluate(this.xNew, this.gNew);
      evaluations++;
      this.trials++;
      const actual = Number.isFinite(fNew) && ops.allFinite(this.gNew) ? this.f - fNew : -Infinity;
      const rho = actual / predicted;
      if (rho < 0.25) this.radius *= 0.25;
      else if (rho > 0.75 && hitsBoundary) this.radius = Math.min(2 * this.radius, maxRadius);
      if (rho > this.settings.eta) {
        const stepNorm = ops.norm2(this.p);
        const stepInfNorm = ops.infNorm(this.p);
        ops.copy(this.xNew, this.x);
        ops.copy(this.gNew, this.g);
        this.f = fNew;
        return { step: 1, stepNorm, stepInfNorm, lineSearchEvaluations: evaluations, curvature: null, pairSkipped: false, memoryReset: false };
      }
      if (this.radius <= Number.EPSILON * Math.max(1, ops.norm2(this.x))) {
        return this.outcome(0, evaluations, {
          status: 'trust-region-no-decrease',
          detail: `The trust radius shrank to ${this.radius.toExponential(2)} without a step that lowers f.`,
        });
      }
    }
  }

  private outcome(step: number, evaluations: number, failure: NonNullable<IterationOutcome['failure']>): IterationOutcome {
    return { step, stepNorm: 0, stepInfNorm: 0, lineSearchEvaluations: evaluations, curvature: null, pairSkipped: false, memoryReset: false, failure };
  }

  /**
   * Steihaug–Toint CG for min m(p) = gᵀp + ½pᵀHp, ‖p‖ ≤ Δ; leaves p in this.p and returns the
   * predicted reduction −m(p).
   */
  private steihaug(): { predicted: number; hitsBoundary: boolean } {
    const { ops, p, r, d, Hd, g } = this;
    const gNorm = ops.norm2(g);
    const tolerance = Math.min(0.5, Math.sqrt(gNorm)) * gNorm;
    ops.fill(p, 0);
    ops.copy(g, r);
    ops.copy(g, d);
    ops.scale(-1, d);
    let model = 0; // m(p) − f
    const cap = this.settings.maxCgIterations ?? 10 * this.n + 100;
    for (let it = 0; ; it++) {
      this.hv(this.x, d, Hd);
      this.products++;
      const dHd = ops.dot(d, Hd);
      const rd = ops.dot(r, d);
      if (!Number.isFinite(dHd)) return { predicted: NaN, hitsBoundary: false };
      if (dHd <= 0) {
        // Negative curvature: to the boundary along d, at whichever end the model is lower.
        const [ta, tb] = this.boundaryIntersections(p, d);
        const ma = ta * rd + 0.5 * ta * ta * dHd;
        const mb = tb * rd + 0.5 * tb * tb * dHd;
        const t = ma < mb ? ta : tb;
        ops.axpy(t, d, p);
        return { predicted: -(model + Math.min(ma, mb)), hitsBoundary: true };
      }
      const rr = ops.dot(r, r);
      const alpha = rr / dHd;
      // ‖p + αd‖ ≥ Δ: stop at the boundary.
      const pp = ops.dot(p, p);
      const pd = ops.dot(p, d);
      const dd = ops.dot(d, d);
      const nextNormSq = pp + 2 * alpha * pd + alpha * alpha * dd;
      if (Math.sqrt(nextNormSq) >= this.radius) {
        const [, tb] = this.boundaryIntersections(p, d);
        model += tb * rd + 0.5 * tb * tb * dHd;
        ops.axpy(tb, d, p);
        return { predicted: -model, hitsBoundary: true };
      }
      model += alpha * rd + 0.5 * alpha * alpha * dHd;
      ops.axpy(alpha, d, p);
      ops.axpy(alpha, Hd, r);
      const rrNext = ops.dot(r, r);
      if (Math.sqrt(rrNext) < tolerance || it + 1 >= cap) return { predicted: -model, hitsBoundary: false };
      const beta = rrNext / rr;
      for (let i = 0; i < d.length; i++) d[i] = -r[i] + beta * d[i];
    }
  }

  /** The two t with ‖z + t·d‖ = Δ, ascending (scipy's get_boundaries_intersections). */
  private boundaryIntersections(z: Float64Array, d: Float64Array): [number, number] {
    const a = this.ops.dot(d, d);
    const b = 2 * this.ops.dot(z, d);
    const c = this.ops.dot(z, z) - this.radius * this.radius;
    const sqrtDisc = Math.sqrt(Math.max(b * b - 4 * a * c, 0));
    const aux = b + (b >= 0 ? sqrtDisc : -sqrtDisc);
    const ta = -aux / (2 * a);
    const tb = (-2 * c) / aux;
    return ta <= tb ? [ta, tb] : [tb, ta];
  }
}
