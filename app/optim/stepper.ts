/**
 * What every optimizer shares: counters, the best point seen, the iteration records, and the
 * termination rules. A concrete optimizer only implements `iterate()`: one step from the current
 * point, leaving the new current point in x/f/g.
 */
import {
  IN_PROGRESS_MESSAGE,
  precisionLossDetail,
  terminationMessage,
} from './messages';
import {
  SUCCESS_STATUSES,
  type IterationCallback,
  type IterationRecord,
  type Objective,
  type OptimizeResult,
  type StopSignal,
  type Stepper,
  type StoppingCriteria,
  type TerminationStatus,
} from './types';
import { hostVectorOps, type VectorNorms, type VectorOps } from './vector';

export interface StepperOptions {
  /** External stop flag (an AbortSignal works); checked before every iteration. */
  signal?: StopSignal;
  /** Called with every record, the start record included; returning false ends the run. */
  onIteration?: IterationCallback;
  /** Clock in ms for the run's own time budget (injectable for tests). Default performance.now. */
  now?: () => number;
  /** Seed of the minibatch shuffling RNG (first-order methods with batchSize). Default 0. */
  seed?: number;
  ops?: VectorOps;
}

/** What one iteration reports back to the shared bookkeeping. */
export interface IterationOutcome {
  step: number;
  stepNorm: number;
  stepInfNorm: number;
  lineSearchEvaluations: number;
  curvature: number | null;
  pairSkipped: boolean;
  memoryReset: boolean;
  /** Set when the iteration could not make progress: the run ends with this status. */
  failure?: { status: TerminationStatus; detail?: string };
}

export abstract class BaseStepper implements Stepper {
  protected readonly ops: VectorOps;
  protected readonly n: number;
  /** The objective wrapped so that every full evaluation is counted. */
  protected readonly objective: Objective;
  protected readonly stopping: StoppingCriteria;
  /** Current point and its value and gradient. */
  protected x: Float64Array;
  protected f = NaN;
  protected g: Float64Array;

  protected functionEvaluations = 0;
  protected gradientEvaluations = 0;

  private readonly bestX: Float64Array;
  private readonly bestG: Float64Array;
  private bestF = Infinity;
  private iterations = 0;
  private elapsedMs = 0;
  private startRecord: IterationRecord | null = null;
  private status: TerminationStatus | null = null;
  private detail: string | undefined;
  private stopRequested = false;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    objective: Objective,
    x0: Float64Array,
    stopping: StoppingCriteria,
    private readonly options: StepperOptions = {},
  ) {
    if (x0.length !== objective.dimension) {
      throw new Error(`Start point has ${x0.length} entries but the objective has dimension ${objective.dimension}.`);
    }
    this.ops = options.ops ?? hostVectorOps;
    this.now = options.now ?? (() => performance.now());
    this.n = objective.dimension;
    this.stopping = stopping;
    this.objective = {
      dimension: objective.dimension,
      ...(objective.precision ? { precision: objective.precision } : {}),
      evaluate: (x, g) => {
        this.functionEvaluations++;
        this.gradientEvaluations++;
        return objective.evaluate(x, g);
      },
    };
    this.x = Float64Array.from(x0);
    this.g = this.ops.alloc(this.n);
    this.bestX = Float64Array.from(x0);
    this.bestG = this.ops.alloc(this.n);
  }

  /** One iteration from the current point. Only called while the run is live. */
  protected abstract iterate(): IterationOutcome;

  /** Reason the optimizer cannot run at all (checked once, after the start evaluation). */
  protected refusal(): string | null {
    return null;
  }

  /** Counters a subclass adds to every record (Newton-CG: its Hessian-vector products). */
  protected extraCounters(): Partial<IterationRecord> {
    return {};
  }

  /** Allocate large state once the run is known to go ahead. */
  protected prepare(): void {}

  /** Method-specific fields added to every record (e.g. Levenberg–Marquardt's μ). */
  protected recordExtras(): Partial<IterationRecord> | undefined {
    return undefined;
  }

  /**
   * True for methods whose objective is not f itself (Bayesian regularization minimises β·E_D + α·E_W
   * with changing α, β): the result is then the latest point, not the one with the lowest f.
   */
  protected resultIsLatest(): boolean {
    return false;
  }

  get done(): boolean {
    return this.status !== null;
  }

  stop(): void {
    this.stopRequested = true;
  }

  /** The current iterate (for first-order methods it may differ from the best point). Do not modify. */
  current(): Float64Array {
    return this.x;
  }

  start(): IterationRecord {
    if (this.startRecord) return this.startRecord;
    const t0 = this.now();
    this.f = this.objective.evaluate(this.x, this.g);
    const finite = Number.isFinite(this.f) && this.ops.allFinite(this.g);
    if (finite) this.rememberBest();
    const refusal = finite ? this.refusal() : null;
    if (finite && !refusal) this.prepare();
    this.elapsedMs += this.now() - t0;

    const record = this.record(0, { step: 0, stepNorm: 0, stepInfNorm: 0, lineSearchEvaluations: 0, curvature: null, pairSkipped: false, memoryReset: false });
    this.startRecord = record;
    if (!finite) {
      this.bestF = this.f;
      this.ops.copy(this.g, this.bestG);
      this.finish('non-finite', 'The start point has a non-finite loss or gradient; check the data and the initial weights.');
      this.options.onIteration?.(record);
    } else if (refusal) {
      this.finish('refused', refusal);
      this.options.onIteration?.(record);
    } else {
      this.checkAfter(record, null);
    }
    return record;
  }

  step(): IterationRecord | null {
    if (!this.startRecord) this.start();
    if (this.status) return null;
    if (this.stopRequested || this.options.signal?.aborted) {
      this.finish('stopped-by-user');
      return null;
    }
    const previousF = this.f;
    const t0 = this.now();
    const outcome = this.iterate();
    // One pass gives the record's norms and tells whether g is finite (its max is then finite).
    const gradient = this.ops.norms(this.g);
    if (Number.isFinite(this.f) && (this.f < this.bestF || this.resultIsLatest()) && Number.isFinite(gradient.inf)) this.rememberBest();
    this.elapsedMs += this.now() - t0;
    this.iterations++;
    const record = this.record(this.iterations, outcome, gradient);
    if (outcome.failure) {
      const { status } = outcome.failure;
      const detail =
        outcome.failure.detail ?? (status === 'precision-loss' ? precisionLossDetail(this.bestF, this.ops.infNorm(this.bestG), undefined, this.objective.precision) : undefined);
      this.finish(status, detail);
      this.options.onIteration?.(record);
      return record;
    }
    this.checkAfter(record, { previousF, stepInfNorm: outcome.stepInfNorm });
    return record;
  }

  result(): OptimizeResult {
    const status = this.status ?? 'stopped-by-user';
    return {
      x: Float64Array.from(this.bestX),
      f: this.bestF,
      grad: Float64Array.from(this.bestG),
      status,
      success: SUCCESS_STATUSES.has(status),
      message: this.status ? terminationMessage(this.status, this.detail) : IN_PROGRESS_MESSAGE,
      iterations: this.iterations,
      functionEvaluations: this.functionEvaluations,
      gradientEvaluations: this.gradientEvaluations,
      elapsedMs: this.elapsedMs,
    };
  }

  /** What is left of the run's evaluation budget (caps each line search). */
  protected remainingEvaluations(): number {
    return Math.max(0, this.stopping.maxEvaluations - this.functionEvaluations);
  }

  private rememberBest(): void {
    this.bestF = this.f;
    this.ops.copy(this.x, this.bestX);
    this.ops.copy(this.g, this.bestG);
  }

  private finish(status: TerminationStatus, detail?: string): void {
    if (this.status) return;
    this.status = status;
    this.detail = detail;
  }

  /** Termination tests after a record, in order of precedence: convergence, then budgets. */
  private checkAfter(record: IterationRecord, change: { previousF: number; stepInfNorm: number } | null): void {
    const s = this.stopping;
    if (!Number.isFinite(this.f) || !Number.isFinite(record.gradInfNorm)) {
      this.finish('non-finite', `The loss became non-finite at iteration ${record.iteration}; the best finite point is kept. Try a smaller learning rate.`);
    } else if (record.gradInfNorm <= s.gradientTolerance) {
      this.finish('gradient-tolerance');
    } else if (change && s.functionTolerance > 0 && relativeChange(change.previousF, this.f) <= s.functionTolerance) {
      this.finish('function-tolerance');
    } else if (change && s.stepTolerance > 0 && change.stepInfNorm <= s.stepTolerance * (1 + this.ops.infNorm(this.x))) {
      this.finish('step-tolerance');
    }
    // The callback sees every record, the last one included; it can only end a live run.
    const keepGoing = this.options.onIteration?.(record) !== false;
    if (this.status) return;
    if (!keepGoing) this.finish('stopped-by-callback');
    else if (this.iterations >= s.maxIterations) this.finish('max-iterations');
    else if (this.functionEvaluations >= s.maxEvaluations) this.finish('max-evaluations');
    else if (this.elapsedMs >= s.maxTimeMs) this.finish('max-time');
  }

  private record(iteration: number, o: Omit<IterationOutcome, 'failure'>, gradient: VectorNorms = this.ops.norms(this.g)): IterationRecord {
    return {
      iteration,
      f: this.f,
      gradInfNorm: gradient.inf,
      gradNorm2: gradient.l2,
      step: o.step,
      stepNorm: o.stepNorm,
      lineSearchEvaluations: o.lineSearchEvaluations,
      curvature: o.curvature,
      pairSkipped: o.pairSkipped,
      memoryReset: o.memoryReset,
      functionEvaluations: this.functionEvaluations,
      gradientEvaluations: this.gradientEvaluations,
      elapsedMs: this.elapsedMs,
      ...this.recordExtras(),
      ...this.extraCounters(),
    };
  }
}

/** |f_prev − f| / max(|f_prev|, |f|, 1): the absolute value keeps non-monotone methods honest. */
function relativeChange(previous: number, current: number): number {
  return Math.abs(previous - current) / Math.max(Math.abs(previous), Math.abs(current), 1);
}
