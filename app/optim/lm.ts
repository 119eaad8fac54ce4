/**
 * Levenberg–Marquardt on a sum of squares (MATLAB `trainlm`; Marquardt 1963). Each iteration
 * linearises the residuals once (J at x) and solves the damped normal equations
 *   (JᵀJ + P + μD)δ = −(Jᵀe + Px)        (P: the objective's quadratic penalty, if any)
 * for growing μ until a step lowers E; an accepted step shrinks μ. D is I or diag(JᵀJ + P)
 * (Marquardt's scaling). Work is in E's units (the sum of squared errors), so μ's defaults mean
 * what trainlm's do whatever the loss normalisation.
 *
 * Two solvers: dense Cholesky in float64 (JᵀJ formed by the objective), or, above `denseLimit`
 * parameters or on request, matrix-free conjugate gradients with JᵀJ·v products (J·v then Jᵀ·u,
 * two passes per CG iteration), which never holds an n × n matrix. Bayesian regularization
 * (br.ts) is this stepper with a different weighting of E_D and E_W.
 */
import { wasmCholeskyAvailable } from './choleskyKernel';
import { CholeskySystem } from './choleskySystem';
import { formatBytes } from '../util/bytes';
import { BaseStepper, type IterationOutcome, type StepperOptions } from './stepper';
import { isLeastSquares, type IterationRecord, type LeastSquaresObjective, type Objective, type StoppingCriteria } from './types';

/**
 * Largest n for the dense solve: 8n² bytes per n × n matrix (JᵀJ and the damped system, factored in
 * place; the refusal allows for three — 216 MB at n = 3000) and n³/6 multiply-adds per Cholesky,
 * several per iteration.
 * Below it, 'auto' picks by cost (denseCheaper); above it, only the matrix-free solver runs.
 */
export const DEFAULT_DENSE_LIMIT = 3000;

/**
 * The most the dense solve's n × n matrices may take together (refusal() names the limit); the
 * Cholesky kernel's memory must fit what JᵀJ leaves of it.
 */
const DENSE_BYTES_LIMIT = 2 ** 31;

/*
 * The dense/CG cost model below counts in units of one multiply-add of the WebAssembly Cholesky; its
 * weights are the measured costs of the other parts relative to it (docs/levenberg-marquardt.md,
 * "Measured crossover"). Forming JᵀJ runs as the engine's Gemm, cheaper per multiply-add; one CG
 * pass (J·v, then Jᵀ·u) rebuilds J's chunks through the engine, so per entry of J it costs far more
 * than the products' four multiply-adds, plus a fixed cost per engine call.
 */
const JTJ_WEIGHT = 0.5;
/** One CG pass per entry of J (m·n entries). */
const PASS_WEIGHT = 90;
/** One CG pass's fixed cost, whatever its size. */
const PASS_OVERHEAD = 2.3e6;
/**
 * μ tried per iteration (the measured typical count, rejections included): each costs dense one
 * Cholesky and CG a fresh solve from zero.
 */
const MU_TRIALS = 2;
/**
 * CG passes per solve, as a fraction of the bound min(cgMaxIterations, m + 1): it depends on JᵀJ's
 * spectrum, which the choice cannot see. Networks on multi-input data use most of the bound, one-input
 * toy nets a small part; a half errs toward dense, whose excess on the toys is bounded.
 */
const CG_PASS_FRACTION = 0.5;
/** A JavaScript Cholesky multiply-add against the kernel's, where the runtime has no WebAssembly SIMD. */
const JS_CHOLESKY_WEIGHT = 5;

/**
 * The dense/CG choice by estimated cost per LM iteration, m = residuals, n = parameters: dense forms
 * JᵀJ once (m·n²/2) and factors it once per μ tried (n³/6); CG runs per μ tried a solve of
 * min(cgMax, m + 1) passes at most — JᵀJ + μI has at most m + 1 distinct eigenvalues — each pass
 * 2·m·n each way plus the engine's per-call cost.
 */
export function denseCheaper(n: number, m: number, cgMaxIterations: number, choleskyWeight = wasmCholeskyAvailable() ? 1 : JS_CHOLESKY_WEIGHT): boolean {
  const dense = JTJ_WEIGHT * ((m * n * n) / 2) + MU_TRIALS * choleskyWeight * ((n * n * n) / 6);
  const passes = CG_PASS_FRACTION * Math.min(cgMaxIterations, m + 1);
  const cg = MU_TRIALS * passes * (PASS_WEIGHT * m * n + PASS_OVERHEAD);
  return dense <= cg;
}

export interface LmSettings {
  mu: number;
  muDecrease: number;
  muIncrease: number;
  muMax: number;
  minGradient: number;
  schedule: 'trainlm' | 'gain-ratio';
  damping: 'identity' | 'diagonal';
  solver: 'auto' | 'dense' | 'matrix-free';
  denseLimit: number;
  cgMaxIterations: number;
  cgTolerance: number;
}

export type LmSolverPath = 'dense' | 'matrix-free';

/**
 * Which solver a run with n parameters and m residuals takes. 'auto': dense up to denseLimit when
 * cheaper per iteration (or always, with `needsDense`: Bayesian regularization needs tr(H⁻¹)).
 */
export function lmSolverPath(n: number, m: number, settings: Pick<LmSettings, 'solver' | 'denseLimit' | 'cgMaxIterations'>, needsDense = false): LmSolverPath {
  if (settings.solver !== 'auto') return settings.solver;
  if (n > settings.denseLimit) return 'matrix-free';
  return needsDense || denseCheaper(n, m, settings.cgMaxIterations) ? 'dense' : 'matrix-free';
}

/** The regularised system's weights: F = β·E_D + E_pen(α) (LM: β = 1 and the objective's own penalty). */
export interface Weighting {
  beta: number;
  /** Penalty weight per parameter in F (P's diagonal), or null for none. */
  penalty: Float64Array | null;
}

export class LevenbergMarquardtStepper extends BaseStepper {
  protected readonly ls: LeastSquaresObjective | null;
  protected readonly settings: LmSettings;
  readonly path: LmSolverPath;
  protected mu: number;
  protected jacobianEvaluations = 0;
  /** E_D at the current point (data sum of squares). */
  protected sumSquares = NaN;
  protected cgIterations = 0;
  // Linearisation at the current point.
  private jtj: Float64Array | null = null;
  /** The damped system, factored in place once per μ tried (and by BR for tr(H⁻¹)). */
  protected system: CholeskySystem | null = null;
  protected readonly jte: Float64Array;
  private readonly rhs: Float64Array;
  private readonly delta: Float64Array;
  private readonly trial: Float64Array;
  /** D's diagonal in the last solve (for the predicted decrease). */
  private readonly scaling: Float64Array;
  /** Nielsen's growth factor for the gain-ratio schedule (doubles on every rejection). */
  private nu = 2;

  constructor(name: string, objective: Objective, x0: Float64Array, stopping: StoppingCriteria, settings: LmSettings, options?: StepperOptions) {
    super(name, objective, x0, stopping, options);
    this.ls = isLeastSquares(objective) ? objective : null;
    this.settings = settings;
    this.mu = settings.mu;
    this.path = lmSolverPath(this.n, this.ls?.residualCount ?? 0, settings, this.needsDense());
    this.jte = new Float64Array(this.n);
    this.rhs = new Float64Array(this.n);
    this.delta = new Float64Array(this.n);
    this.trial = new Float64Array(this.n);
    this.scaling = new Float64Array(this.n).fill(1);
  }

  /** Bayesian regularization needs the dense factor (tr(H⁻¹)); LM does not. */
  protected needsDense(): boolean {
    return false;
  }

  /** One sentence on the solver this run uses, for logs and summaries. */
  solverDescription(): string {
    const s = this.settings;
    if (this.path === 'dense') {
      return `dense Cholesky on JᵀJ (n = ${this.n}, ${formatBytes(8 * this.n * this.n)} per n × n matrix; D = ${s.damping === 'diagonal' ? 'diag(JᵀJ)' : 'I'})`;
    }
    return `matrix-free CG on (JᵀJ + μI)δ = −Jᵀe (n = ${this.n}, up to ${s.cgMaxIterations} CG iterations, 2 passes each)`;
  }

  protected override refusal(): string | null {
    if (!this.ls) return `${this.name} needs a sum-of-squares objective (residuals and their Jacobian); this objective has none.`;
    const why = this.ls.leastSquaresRefusal();
    if (why) return why;
    if (this.path === 'matrix-free' && this.settings.damping === 'diagonal' && this.settings.solver === 'matrix-free') {
      return 'Marquardt\'s diagonal damping needs diag(JᵀJ), which the matrix-free solver does not form; use damping "identity" with the matrix-free solver.';
    }
    if (this.path === 'dense') {
      const bytes = 3 * 8 * this.n * this.n;
      if (bytes > DENSE_BYTES_LIMIT) return `The dense ${this.name} solve needs 3 × 8n² bytes = ${formatBytes(bytes)} for n = ${this.n}; use the matrix-free solver.`;
    }
    return null;
  }

  protected override prepare(): void {
    if (this.path === 'dense') {
      this.jtj = new Float64Array(this.n * this.n);
      // The kernel's memory takes the place of the factor's matrix, within what is left after JᵀJ.
      this.system = new CholeskySystem(this.n, { memoryBudgetBytes: DENSE_BYTES_LIMIT - 8 * this.n * this.n });
    }
    // The first linearisation belongs to the start point, so its record already carries μ (and BR's α, β, γ).
    this.linearise();
    this.afterAccept(this.jtj);
  }

  /** Weights of F at the current estimate (LM: E_D plus the objective's penalty). */
  protected weighting(): Weighting {
    return { beta: 1, penalty: this.ls!.penaltyWeights };
  }

  /** F = β·E_D + Σ p_j x_j², the value the steps must lower. */
  protected regularised(sumSquares: number, x: Float64Array, w: Weighting): number {
    let pen = 0;
    if (w.penalty) for (let j = 0; j < this.n; j++) pen += w.penalty[j] * x[j] * x[j];
    return w.beta * sumSquares + pen;
  }

  /** Called after an accepted step, with JᵀJ at the new point when dense (BR re-estimates α, β). */
  protected afterAccept(_jtj: Float64Array | null): void {}

  /** The record's g: ∇ of lossScale·(E_D + penalty/β) from Jᵀe, no extra pass. */
  private gradientFromSystem(x: Float64Array, w: Weighting): void {
    const c = 2 * this.ls!.lossScale;
    for (let j = 0; j < this.n; j++) this.g[j] = c * (this.jte[j] + (w.penalty ? (w.penalty[j] * x[j]) / w.beta : 0));
  }

  /** J at x: JᵀJ (dense) or nothing but Jᵀe (matrix-free); sets E_D and g. */
  private linearise(): void {
    const ls = this.ls!;
    this.sumSquares = this.jtj ? ls.gaussNewtonSystem(this.x, this.jtj, this.jte) : ls.jacobianTransposeResiduals(this.x, this.jte);
    this.jacobianEvaluations++;
    this.gradientEvaluations++;
  }

  protected iterate(): IterationOutcome {
    const ls = this.ls!;
    const n = this.n;
    const w = this.weighting();
    const F = this.regularised(this.sumSquares, this.x, w);
    // rhs = −(β·Jᵀe + Px)
    for (let j = 0; j < n; j++) this.rhs[j] = -(w.beta * this.jte[j] + (w.penalty ? w.penalty[j] * this.x[j] : 0));
    let trials = 0;
    for (;;) {
      if (this.mu > this.settings.muMax) {
        return this.outcome(0, 0, trials, { status: 'damping-limit', detail: `μ = ${this.mu.toExponential(2)} exceeded μ_max = ${this.settings.muMax.toExponential(2)} at E = ${F.toPrecision(7)}.` });
      }
      if (this.remainingEvaluations() <= 0) return this.outcome(0, 0, trials);
      const solved = this.jtj ? this.solveDense(w) : this.solveMatrixFree(w);
      if (solved) {
        for (let j = 0; j < n; j++) this.trial[j] = this.x[j] + this.delta[j];
        const trialSumSquares = ls.sumOfSquares(this.trial);
        this.functionEvaluations++;
        trials++;
        const trialF = this.regularised(trialSumSquares, this.trial, w);
        if (Number.isFinite(trialF) && trialF < F) {
          let norm2 = 0;
          let inf = 0;
          for (let j = 0; j < n; j++) {
            norm2 += this.delta[j] * this.delta[j];
            inf = Math.max(inf, Math.abs(this.delta[j]));
          }
          this.shrinkMu(F - trialF);
          this.x.set(this.trial);
          this.linearise();
          this.afterAccept(this.jtj);
          // f is the objective's own value (E_D plus its penalty), as every other method reports it.
          this.f = ls.lossScale * this.regularised(this.sumSquares, this.x, { beta: 1, penalty: ls.penaltyWeights });
          this.gradientFromSystem(this.x, this.weighting());
          let gNorm = 0;
          for (let j = 0; j < n; j++) gNorm += this.g[j] * this.g[j];
          if (Math.sqrt(gNorm) < this.settings.minGradient) {
            return this.outcome(Math.sqrt(norm2), inf, trials, {
              status: 'gradient-tolerance',
              detail: `‖∇f‖₂ = ${Math.sqrt(gNorm).toExponential(2)} is below min_grad = ${this.settings.minGradient.toExponential(1)}.`,
            });
          }
          return this.outcome(Math.sqrt(norm2), inf, trials);
        }
      }
      this.growMu();
    }
  }

  /**
   * After an accepted step. 'trainlm': μ·μ_dec. 'gain-ratio' (Nielsen 1999; Madsen, Nielsen &
   * Tingleff §3.2): μ·max(1/3, 1 − (2ρ − 1)³), ρ = actual / predicted decrease — a trust region in
   * all but name, which does not waste a rejected trial on every other iteration as the fixed
   * ×0.1/×10 schedule does on curved valleys.
   */
  private shrinkMu(actual: number): void {
    if (this.settings.schedule === 'trainlm') {
      this.mu *= this.settings.muDecrease;
      return;
    }
    // Predicted decrease of the quadratic model: −2bᵀδ − δᵀAδ = rhsᵀδ + μ·δᵀDδ (from (A + μD)δ = rhs).
    let predicted = 0;
    for (let j = 0; j < this.n; j++) predicted += this.rhs[j] * this.delta[j] + this.mu * this.scaling[j] * this.delta[j] * this.delta[j];
    const rho = predicted > 0 ? actual / predicted : 1;
    this.mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
    this.nu = 2;
  }

  private growMu(): void {
    if (this.settings.schedule === 'trainlm') {
      this.mu *= this.settings.muIncrease;
      return;
    }
    this.mu *= this.nu;
    this.nu *= 2;
  }

  private outcome(stepNorm: number, stepInfNorm: number, trials: number, failure?: IterationOutcome['failure']): IterationOutcome {
    return { step: stepNorm > 0 ? 1 : 0, stepNorm, stepInfNorm, lineSearchEvaluations: trials, curvature: null, pairSkipped: false, memoryReset: false, failure };
  }

  /** δ from (βJᵀJ + P + μD) δ = rhs by Cholesky; false when not positive definite. */
  private solveDense(w: Weighting): boolean {
    const n = this.n;
    const system = this.system!;
    const A = system.matrix;
    const stride = system.stride;
    const jtj = this.jtj!;
    for (let i = 0; i < n; i++) {
      const row = i * stride;
      const src = i * n;
      for (let j = 0; j <= i; j++) A[row + j] = w.beta * jtj[src + j];
      const d = w.penalty ? w.penalty[i] : 0;
      A[row + i] += d;
    }
    if (this.settings.damping === 'diagonal') {
      let maxDiag = 0;
      for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, A[i * stride + i]);
      // A zero column of J (a dead unit) would make D singular: floor it at a tiny fraction of the largest.
      const floor = Math.max(maxDiag * 1e-12, 1e-300);
      for (let i = 0; i < n; i++) {
        this.scaling[i] = Math.max(A[i * stride + i], floor);
        A[i * stride + i] += this.mu * this.scaling[i];
      }
    } else {
      for (let i = 0; i < n; i++) A[i * stride + i] += this.mu;
    }
    if (!system.factor()) return false;
    system.solve(this.rhs, this.delta);
    return this.delta.every(Number.isFinite);
  }

  /** δ from (βJᵀJ + P + μI) δ = rhs by conjugate gradients from 0, matrix-free. */
  private solveMatrixFree(w: Weighting): boolean {
    const n = this.n;
    const ls = this.ls!;
    const x = this.delta.fill(0);
    const r = Float64Array.from(this.rhs);
    const p = Float64Array.from(r);
    const Ap = new Float64Array(n);
    let rr = dot(r, r);
    const stop = this.settings.cgTolerance * this.settings.cgTolerance * rr;
    for (let k = 0; k < this.settings.cgMaxIterations && rr > stop; k++) {
      ls.gaussNewtonProduct(this.x, p, Ap);
      for (let j = 0; j < n; j++) Ap[j] = w.beta * Ap[j] + ((w.penalty ? w.penalty[j] : 0) + this.mu) * p[j];
      const pAp = dot(p, Ap);
      if (!(pAp > 0)) break;
      const a = rr / pAp;
      for (let j = 0; j < n; j++) {
        x[j] += a * p[j];
        r[j] -= a * Ap[j];
      }
      const rrNew = dot(r, r);
      const b = rrNew / rr;
      rr = rrNew;
      for (let j = 0; j < n; j++) p[j] = r[j] + b * p[j];
      this.cgIterations++;
    }
    return x.every(Number.isFinite) && dot(x, x) > 0;
  }

  protected override recordExtras(): Partial<IterationRecord> {
    return { mu: this.mu, jacobianEvaluations: this.jacobianEvaluations };
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

export class LmStepper extends LevenbergMarquardtStepper {
  constructor(objective: Objective, x0: Float64Array, stopping: StoppingCriteria, settings: LmSettings, options?: StepperOptions) {
    super('Levenberg–Marquardt', objective, x0, stopping, settings, options);
  }
}
