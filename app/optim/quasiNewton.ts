/**
 * The iteration BFGS and L-BFGS share: search along −H·g, fall back to −g with the memory cleared
 * when that finds no lower point, and feed the curvature pair (s, y) to the memory unless its
 * curvature is not safely positive. Subclasses only say how H is stored and applied.
 */
import { lineSearch, createLineSearchWorkspace, type LineSearchResult, type LineSearchWorkspace } from './lineSearch';
import { precisionLossDetail } from './messages';
import type { LineSearchSpec } from './spec';
import { BaseStepper, type IterationOutcome, type StepperOptions } from './stepper';
import type { Objective, StoppingCriteria, TerminationStatus } from './types';
import type { VectorOps } from './vector';

export abstract class QuasiNewtonStepper extends BaseStepper {
  private workspace: LineSearchWorkspace | null = null;
  private readonly d: Float64Array;
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  /** f before minus f after the last accepted step, for the 'previous-decrease' first trial. */
  private lastDecrease = NaN;

  constructor(
    name: string,
    objective: Objective,
    x0: Float64Array,
    stopping: StoppingCriteria,
    private readonly lineSearchSpec: LineSearchSpec,
    options?: StepperOptions,
    private readonly curvatureUpdate: 'skip' | 'damped' = 'skip',
  ) {
    super(name, objective, x0, stopping, options);
    this.d = this.ops.alloc(this.n);
    this.s = this.ops.alloc(this.n);
    this.y = this.ops.alloc(this.n);
  }

  /** True when the memory holds curvature information (H ≠ I). */
  protected abstract hasMemory(): boolean;
  /** d ← −H·g; returns g'd (the line search's initial slope). */
  protected abstract computeDirection(g: Float64Array, d: Float64Array): number;
  protected abstract clearMemory(): void;
  /**
   * Take a pair with s'y safely positive. s and y are scratch: copy what you keep. gNew is the
   * gradient at the new point, the g of the next computeDirection (dense BFGS multiplies it in the
   * same sweep as y).
   */
  protected abstract addPair(s: Float64Array, y: Float64Array, sy: number, yy: number, gNew: Float64Array): void;

  protected iterate(): IterationOutcome {
    let memoryReset = false;
    let search = this.searchAlong(this.hasMemory());
    // What a full quasi-Newton step promised (−½·g'd): tells precision loss at the float32 floor
    // apart from precision loss far from a minimum.
    const modelDecrease = this.hasMemory() && search.status !== 'not-descent' ? -0.5 * search.initialSlope : undefined;
    let evaluations = search.evaluations;
    if (!search.decreased && this.hasMemory() && this.remainingEvaluations() > 0) {
      // L-BFGS-B's recovery: the model of the curvature may be what is wrong, so start afresh.
      this.clearMemory();
      memoryReset = true;
      search = this.searchAlong(false);
      evaluations += search.evaluations;
    }
    if (!search.decreased) {
      return {
        step: 0,
        stepNorm: 0,
        stepInfNorm: 0,
        lineSearchEvaluations: evaluations,
        curvature: null,
        pairSkipped: false,
        memoryReset,
        failure: this.failureOf(search, modelDecrease),
      };
    }

    const { ops, s, y } = this;
    let { sy, yy } = ops.differences(s, search.x, this.x, y, search.g, this.g);
    if (this.curvatureUpdate === 'damped' && search.initialSlope < 0) {
      const damped = this.damp(search, sy);
      if (damped !== sy) [sy, yy] = [damped, ops.dot(y, y)];
    }
    // Scale-aware safeguard (L-BFGS-B): compare s'y with the decrease the step promised, not with
    // a fixed constant that breaks for small losses and float32 gradients.
    const pairSkipped = !(sy > Number.EPSILON * -search.initialSlope * search.alpha) || !Number.isFinite(yy);
    if (!pairSkipped) this.addPair(s, y, sy, yy, search.g);
    const step = ops.norms(s);

    ops.copy(search.x, this.x);
    ops.copy(search.g, this.g);
    this.lastDecrease = this.f - search.f;
    this.f = search.f;
    return {
      step: search.alpha,
      stepNorm: step.l2,
      stepInfNorm: step.inf,
      lineSearchEvaluations: evaluations,
      curvature: sy,
      pairSkipped,
      memoryReset,
    };
  }

  /**
   * Powell's damping in inverse form: the step was s = α·d with d = −H·g, so Bs = −α·g and
   * s'Bs = α²·(−g'd) need no B. When s'y < 0.2·s'Bs, y ← θy + (1−θ)Bs with θ = 0.8·s'Bs/(s'Bs − s'y),
   * which makes s'y = 0.2·s'Bs. Returns the new s'y (y is changed in place). Along −g (no memory)
   * H = I, and the same formula holds.
   */
  private damp(search: LineSearchResult, sy: number): number {
    const sBs = search.alpha * search.alpha * -search.initialSlope;
    if (!(sy < 0.2 * sBs)) return sy;
    const theta = (0.8 * sBs) / (sBs - sy);
    this.ops.scale(theta, this.y);
    this.ops.axpy(-(1 - theta) * search.alpha, this.g, this.y);
    return 0.2 * sBs;
  }

  /**
   * With memory: d = −H·g and α = 1 (or scipy's guess from the last decrease). Without: d = −g
   * and α from spec.firstStep (see firstStepAlongGradient) so the first step is sane.
   */
  private searchAlong(useMemory: boolean): LineSearchResult {
    const { ops, d, g } = this;
    let initialStep = 1;
    let slope: number | undefined;
    if (useMemory) {
      slope = this.computeDirection(g, d);
      if (this.lineSearchSpec.initialStep === 'previous-decrease' && this.lastDecrease > 0 && slope < 0) {
        initialStep = Math.min(1, (1.01 * 2 * this.lastDecrease) / -slope);
      }
    } else {
      ops.copy(g, d);
      ops.scale(-1, d);
      initialStep = firstStepAlongGradient(this.lineSearchSpec.firstStep, g, ops);
    }
    this.workspace ??= createLineSearchWorkspace(this.n, ops);
    return lineSearch(
      { objective: this.objective, x: this.x, f: this.f, g, d, slope, initialStep, evaluationBudget: this.remainingEvaluations() },
      this.lineSearchSpec,
      this.workspace,
      ops,
    );
  }

  private failureOf(search: LineSearchResult, modelDecrease: number | undefined): { status: TerminationStatus; detail?: string } {
    if (this.remainingEvaluations() <= 0) return { status: 'max-evaluations' };
    if (search.belowFloat32Resolution) {
      return { status: 'precision-loss', detail: precisionLossDetail(this.f, this.ops.infNorm(this.g), modelDecrease, this.objective.precision) };
    }
    if (search.status === 'not-descent') {
      return { status: 'line-search-failed', detail: 'The negative gradient is not a descent direction; the gradient may be wrong.' };
    }
    const nonFinite =
      search.nonFiniteTrials > 0 ? ` ${search.nonFiniteTrials} of them gave NaN or an infinite loss.` : '';
    return {
      status: 'line-search-failed',
      detail: `The last search along −g (${search.status}) spent ${search.evaluations} evaluations without going below f = ${this.f.toPrecision(7)}.${nonFinite}`,
    };
  }
}

/** First trial step along −g without curvature pairs (LineSearchSpec.firstStep). */
function firstStepAlongGradient(rule: LineSearchSpec['firstStep'], g: Float64Array, ops: VectorOps): number {
  switch (rule) {
    case 'gradient-l1':
      return Math.min(1, 1 / ops.norm1(g));
    case 'gradient-l2-capped':
      return Math.min(1, 1.01 / ops.norm2(g));
    default:
      return 1 / ops.norm2(g);
  }
}
