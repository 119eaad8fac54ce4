/**
 * The contract every optimizer in Curvature is written against. No tfjs here: an objective is any
 * function of a float64 vector that returns f and fills the gradient.
 */

/** A differentiable function of a float64 parameter vector. */
export interface Objective {
  /** Number of parameters n. */
  readonly dimension: number;
  /**
   * Evaluate f at x and write ∇f(x) into grad (length n). May return NaN or ±Infinity; optimizers
   * treat a non-finite value as +∞. Must not keep references to x or grad.
   */
  evaluate(x: Float64Array, grad: Float64Array): number;
  /** Number of samples, when the objective supports minibatches (first-order optimizers only). */
  readonly sampleCount?: number;
  /** Mean loss and gradient over the given sample rows only (stochastic; never used by BFGS/L-BFGS). */
  evaluateBatch?(x: Float64Array, grad: Float64Array, rows: Int32Array): number;
  /**
   * The arithmetic f is computed in (default float32): what "f did not change" can mean. Line
   * searches and precision-loss messages use its resolution (2⁻²³ or 2⁻⁵² relative).
   */
  readonly precision?: 'float32' | 'float64';
  /** out = ∇²f(x)·v, exact; returns f(x). Newton-CG and the spectrum need it. */
  hessianVectorProduct?(x: Float64Array, v: Float64Array, out: Float64Array): number;
}

/** Relative resolution (machine epsilon) of a loss computed in the objective's precision. */
export function lossEpsilon(precision: Objective['precision']): number {
  return precision === 'float64' ? Number.EPSILON : 2 ** -23;
}

/**
 * An objective that is a sum of squares, for Levenberg–Marquardt and Bayesian regularization:
 *   f(x) = lossScale · (E_D(x) + Σ_j penalty_j · x_j²),  E_D = Σ e_i² over `residualCount` residuals.
 * LM works in the units of E (MATLAB's sum of squared errors), so μ's defaults mean what trainlm's do.
 */
export interface LeastSquaresObjective extends Objective {
  /** Number of error terms (rows × outputs): Bayesian regularization's n. */
  readonly residualCount: number;
  /** f = lossScale · E (e.g. 1 / (outputs · Σw) for a mean squared error). */
  readonly lossScale: number;
  /** Per-parameter weights of the quadratic penalty in E's units (null: no penalty). */
  readonly penaltyWeights: Float64Array | null;
  /** E_D at x: one forward pass. May return NaN/∞. */
  sumOfSquares(x: Float64Array): number;
  /** JᵀJ (n × n) and Jᵀe (n) of the data residuals at x; returns E_D. */
  gaussNewtonSystem(x: Float64Array, jtj: Float64Array, jte: Float64Array): number;
  /** out = Jᵀe at x (one backward pass); returns E_D. */
  jacobianTransposeResiduals(x: Float64Array, out: Float64Array): number;
  /** out = JᵀJ·v at x (J·v forward, then Jᵀ backward: two passes), without forming J. */
  gaussNewtonProduct(x: Float64Array, v: Float64Array, out: Float64Array): void;
  /** Why the products are unavailable for this objective (loss, engine), or null when they are. */
  leastSquaresRefusal(): string | null;
}

export function isLeastSquares(objective: Objective): objective is LeastSquaresObjective {
  return typeof (objective as Partial<LeastSquaresObjective>).gaussNewtonSystem === 'function';
}

/** Why a run ended. `message` on the result says it in words. */
export type TerminationStatus =
  | 'gradient-tolerance' // ‖g‖∞ ≤ gtol
  | 'function-tolerance' // relative change of f ≤ ftol
  | 'step-tolerance' // ‖Δx‖∞ ≤ xtol (1 + ‖x‖∞)
  | 'precision-loss' // line search could not decrease f even along −g: float32 floor reached
  | 'line-search-failed' // line search failed for another reason (e.g. evaluation cap, bad direction)
  | 'trust-region-no-decrease' // Newton-CG: the model predicts no decrease, or Δ collapsed without a lower point
  | 'non-finite' // f or g not finite at the start point, or no finite point found
  | 'max-iterations'
  | 'max-evaluations'
  | 'max-time'
  | 'stopped-by-user' // external stop signal
  | 'stopped-by-callback' // the per-iteration callback returned false
  | 'damping-limit' // Levenberg–Marquardt: μ exceeded μ_max without a step that lowers the error
  | 'validation-checks' // the runner's validation checks: no validation improvement for K iterations
  | 'refused'; // the optimizer cannot run at all (e.g. dense BFGS over its memory budget)

/** Statuses that count as converged (scipy's `success`). */
export const SUCCESS_STATUSES: ReadonlySet<TerminationStatus> = new Set([
  'gradient-tolerance',
  'function-tolerance',
  'step-tolerance',
]);

/** One row per iteration; what the live charts and the history CSV show. */
export interface IterationRecord {
  /** 1-based iteration number (0 is the start point, reported once before the first step). */
  iteration: number;
  f: number;
  gradInfNorm: number;
  gradNorm2: number;
  /** Accepted step length α (learning rate for first-order methods); 0 for the start record. */
  step: number;
  /** ‖Δx‖₂ of the accepted step. */
  stepNorm: number;
  /** Function evaluations spent by this iteration's line search (1 for first-order full batch). */
  lineSearchEvaluations: number;
  /** s'y of the new curvature pair, or null when not applicable. */
  curvature: number | null;
  /** True when the curvature pair was rejected by the safeguard. */
  pairSkipped: boolean;
  /** True when the quasi-Newton memory was cleared this iteration (retry along −g). */
  memoryReset: boolean;
  /** Cumulative counters after this iteration. */
  functionEvaluations: number;
  gradientEvaluations: number;
  /** Cumulative wall time spent in this run's own work, ms. */
  elapsedMs: number;
  /** Cumulative Hessian-vector products (Newton-CG only). */
  hessianVectorProducts?: number;
  /** 0-based phase of a sequence (hand-off) run; absent for a single optimizer. */
  phase?: number;
  /** Levenberg–Marquardt / Bayesian regularization: the damping μ after this iteration. */
  mu?: number;
  /** Levenberg–Marquardt / Bayesian regularization: cumulative Jacobians (linearizations) formed. */
  jacobianEvaluations?: number;
  /** Bayesian regularization: effective number of parameters γ = n − 2α·tr(H⁻¹). */
  effectiveParameters?: number;
  /** Bayesian regularization: weight of E_W in F = β·E_D + α·E_W. */
  alpha?: number;
  /** Bayesian regularization: weight of E_D. */
  beta?: number;
  /** Bayesian regularization: E_W = Σ θ² over every weight and bias. */
  sumSquaredWeights?: number;
}

/** How one phase of a sequence run ended; counters are the phase's own. */
export interface PhaseResult {
  optimizer: string;
  iterations: number;
  functionEvaluations: number;
  /** The phase stepper's status, or 'plateau' when it handed over on a loss plateau. */
  status: TerminationStatus | 'plateau';
}

export interface StoppingCriteria {
  /** Stop when ‖g‖∞ ≤ this. Default 1e-5 (float32 losses of order 1 rarely do better). */
  gradientTolerance: number;
  /** Stop when (f_prev − f) / max(|f_prev|, |f|, 1) ≤ this. Default 1e-9 (0 disables). */
  functionTolerance: number;
  /** Stop when ‖Δx‖∞ ≤ this · (1 + ‖x‖∞). Default 0 (disabled). */
  stepTolerance: number;
  maxIterations: number;
  maxEvaluations: number;
  /** Wall time of the run's own work, ms. Infinity disables. */
  maxTimeMs: number;
}

export const DEFAULT_STOPPING: StoppingCriteria = {
  gradientTolerance: 1e-5,
  functionTolerance: 1e-9,
  stepTolerance: 0,
  maxIterations: 1000,
  maxEvaluations: 15000,
  maxTimeMs: Infinity,
};

/** Minimal external stop flag (an AbortSignal satisfies it). */
export interface StopSignal {
  readonly aborted: boolean;
}

export interface OptimizeResult {
  /** Best point seen (never worse than x0). */
  x: Float64Array;
  f: number;
  grad: Float64Array;
  status: TerminationStatus;
  success: boolean;
  /** scipy-style sentence, e.g. "Optimization terminated successfully." */
  message: string;
  iterations: number;
  functionEvaluations: number;
  gradientEvaluations: number;
  elapsedMs: number;
  /** Hessian-vector products spent (Newton-CG only). */
  hessianVectorProducts?: number;
}

/**
 * A run that advances one iteration at a time, so that a runner can interleave several optimizers
 * (round-robin races) and keep the event loop alive between iterations.
 */
export interface Stepper {
  readonly name: string;
  /** The start record (iteration 0); evaluates f(x0) on first call. */
  start(): IterationRecord;
  /** Perform one iteration. Returns its record, or null when the run has ended (see result()). */
  step(): IterationRecord | null;
  /** True once the run has ended. */
  readonly done: boolean;
  /** The current iterate (read-only view; the runner evaluates validation metrics at it). */
  current(): Float64Array;
  /** Ask the run to end before its next iteration with status 'stopped-by-user'. */
  stop(): void;
  /** Final (or, while running, current best) result. */
  result(): OptimizeResult;
  /** Phases run so far, for sequence (hand-off) runs only. */
  phases?(): PhaseResult[];
  /** Levenberg–Marquardt / Bayesian regularization: which solver the run took, in words. */
  solverDescription?(): string;
  /**
   * The method's dense model of the inverse Hessian (row-major n×n, a copy), for methods that keep
   * one (dense BFGS); null before it exists.
   */
  inverseHessianModel?(): Float64Array | null;
}

/** Called after every iteration; return false to stop the run ('stopped-by-callback'). */
export type IterationCallback = (record: IterationRecord) => boolean | void;
