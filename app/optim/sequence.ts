/**
 * Hand-off runs (e.g. Adam, then L-BFGS): a Stepper that runs the phases of a sequence one after
 * another, each a stepper built by `createOptimizer` with fresh state, starting from the best point
 * of the phase before. Records, counters and the time budget are the run's: cumulative over phases.
 */
import { terminationMessage } from './messages';
import { OPTIMIZER_LABELS, type SequenceSpec, type SingleOptimizerSpec } from './spec';
import type { StepperOptions } from './stepper';
import {
  SUCCESS_STATUSES,
  type IterationRecord,
  type Objective,
  type OptimizeResult,
  type PhaseResult,
  type Stepper,
  type StoppingCriteria,
  type TerminationStatus,
} from './types';

export type StepperFactory = (
  spec: SingleOptimizerSpec,
  objective: Objective,
  x0: Float64Array,
  stopping: StoppingCriteria,
  options: StepperOptions,
) => Stepper;

/** Statuses after which the next phase may still make progress, so the run goes on. */
const HAND_OFF: ReadonlySet<TerminationStatus> = new Set(['function-tolerance', 'step-tolerance', 'precision-loss', 'line-search-failed', 'damping-limit', 'trust-region-no-decrease']);

export class SequenceStepper implements Stepper {
  readonly name: string;
  private index = 0;
  private phase!: Stepper;
  /** The current phase's iteration cap comes from its `until`, not from the run's budget. */
  private cappedByUntil = false;
  private plateauReached = false;
  private outerStopped = false;
  private stopRequested = false;
  /** Losses of the current phase, for the plateau test. */
  private recent: number[] = [];
  private readonly offsets = { iterations: 0, functionEvaluations: 0, gradientEvaluations: 0, elapsedMs: 0, hessianVectorProducts: 0 };
  private readonly ended: PhaseResult[] = [];
  private startRecord: IterationRecord | null = null;
  private final: OptimizeResult | null = null;

  constructor(
    private readonly spec: SequenceSpec,
    private readonly objective: Objective,
    private readonly x0: Float64Array,
    private readonly stopping: StoppingCriteria,
    private readonly options: StepperOptions,
    private readonly create: StepperFactory,
  ) {
    this.name = spec.phases.map((p) => OPTIMIZER_LABELS[p.optimizer.kind]).join(' → ');
  }

  get done(): boolean {
    return this.final !== null;
  }

  current(): Float64Array {
    return this.phase.current();
  }

  stop(): void {
    this.stopRequested = true;
    this.phase?.stop();
  }

  phases(): PhaseResult[] {
    return [...this.ended];
  }

  /** The current phase's solver, when it is Levenberg–Marquardt or Bayesian regularization ('' otherwise). */
  solverDescription(): string {
    return this.phase?.solverDescription?.() ?? '';
  }

  start(): IterationRecord {
    if (this.startRecord) return this.startRecord;
    this.phase = this.open(0, this.x0);
    this.startRecord = this.lift(this.phase.start());
    if (this.phase.done) this.afterPhase();
    return this.startRecord;
  }

  step(): IterationRecord | null {
    if (!this.startRecord) this.start();
    if (this.final) return null;
    if (this.stopRequested) this.phase.stop();
    const rec = this.phase.step();
    const lifted = rec ? this.lift(rec) : null;
    if (this.phase.done) this.afterPhase();
    return lifted;
  }

  result(): OptimizeResult {
    if (this.final) return this.final;
    return this.cumulative(this.phase.result());
  }

  private open(index: number, x: Float64Array): Stepper {
    const p = this.spec.phases[index];
    const s = this.stopping;
    const remaining: StoppingCriteria = {
      ...s,
      maxIterations: s.maxIterations - this.offsets.iterations,
      maxEvaluations: s.maxEvaluations - this.offsets.functionEvaluations,
      maxTimeMs: s.maxTimeMs - this.offsets.elapsedMs,
    };
    const untilIterations = p.until?.iterations;
    this.cappedByUntil = untilIterations !== undefined && untilIterations < remaining.maxIterations;
    if (this.cappedByUntil) remaining.maxIterations = untilIterations!;
    this.index = index;
    this.plateauReached = false;
    this.recent = [];
    return this.create(p.optimizer, this.objective, x, remaining, {
      ...this.options,
      onIteration: (rec) => this.onPhaseRecord(rec),
    });
  }

  /** Sees every record of the current phase: passes it on (cumulative) and tests for a plateau. */
  private onPhaseRecord(rec: IterationRecord): boolean {
    // A later phase's start record re-evaluates the hand-over point: not an iteration of the run.
    if (this.index === 0 || rec.iteration > 0) {
      if (this.options.onIteration?.(this.lift(rec)) === false) {
        this.outerStopped = true;
        return false;
      }
    }
    const plateau = this.spec.phases[this.index].until?.plateau;
    if (!plateau) return true;
    this.recent.push(rec.f);
    if (this.recent.length <= plateau.window) return true;
    const before = this.recent[this.recent.length - 1 - plateau.window];
    const decrease = (before - rec.f) / Math.max(Math.abs(before), 1e-300);
    if (decrease < plateau.tolerance) {
      this.plateauReached = true;
      return false;
    }
    return true;
  }

  private lift(rec: IterationRecord): IterationRecord {
    const o = this.offsets;
    return {
      ...rec,
      iteration: rec.iteration + o.iterations,
      functionEvaluations: rec.functionEvaluations + o.functionEvaluations,
      gradientEvaluations: rec.gradientEvaluations + o.gradientEvaluations,
      elapsedMs: rec.elapsedMs + o.elapsedMs,
      ...this.products(rec.hessianVectorProducts),
      phase: this.index,
    };
  }

  /** The current phase has ended: hand over to the next one, or end the run. */
  private afterPhase(): void {
    for (;;) {
      const r = this.phase.result();
      const handOver =
        (r.status === 'max-iterations' && this.cappedByUntil) || (r.status === 'stopped-by-callback' && this.plateauReached && !this.outerStopped);
      this.ended.push({
        optimizer: this.spec.phases[this.index].optimizer.kind,
        iterations: r.iterations,
        functionEvaluations: r.functionEvaluations,
        status: handOver && r.status === 'stopped-by-callback' ? 'plateau' : r.status,
      });
      const last = this.index === this.spec.phases.length - 1;
      const budgetLeft = this.budgetLeftAfter(r);
      if (last || this.stopRequested || !(handOver || HAND_OFF.has(r.status)) || budgetLeft !== null) {
        this.finish(r, budgetLeft);
        return;
      }
      this.offsets.iterations += r.iterations;
      this.offsets.functionEvaluations += r.functionEvaluations;
      this.offsets.gradientEvaluations += r.gradientEvaluations;
      this.offsets.elapsedMs += r.elapsedMs;
      this.offsets.hessianVectorProducts += r.hessianVectorProducts ?? 0;
      this.phase = this.open(this.index + 1, r.x);
      this.phase.start();
      if (!this.phase.done) return;
    }
  }

  /** The run's budget status if the phase just ended used it up (then no phase follows), else null. */
  private budgetLeftAfter(r: OptimizeResult): TerminationStatus | null {
    const s = this.stopping;
    if (this.offsets.iterations + r.iterations >= s.maxIterations) return 'max-iterations';
    if (this.offsets.functionEvaluations + r.functionEvaluations >= s.maxEvaluations) return 'max-evaluations';
    if (this.offsets.elapsedMs + r.elapsedMs >= s.maxTimeMs) return 'max-time';
    return null;
  }

  private finish(r: OptimizeResult, budgetStatus: TerminationStatus | null): void {
    const handedOver = this.ended[this.ended.length - 1].status === 'plateau' || (r.status === 'max-iterations' && this.cappedByUntil);
    // A phase that reached its own `until` exactly when the run's budget ran out ended the run by the budget.
    const status = handedOver && budgetStatus ? budgetStatus : r.status;
    const base = this.cumulative(r);
    const label = OPTIMIZER_LABELS[this.spec.phases[this.index].optimizer.kind];
    const phaseMessage = status === r.status ? r.message : terminationMessage(status);
    this.final = {
      ...base,
      status,
      success: SUCCESS_STATUSES.has(status),
      message: `Phase ${this.index + 1} of ${this.spec.phases.length} (${label}): ${phaseMessage}`,
    };
  }

  private cumulative(r: OptimizeResult): OptimizeResult {
    const o = this.offsets;
    return {
      ...r,
      iterations: r.iterations + o.iterations,
      functionEvaluations: r.functionEvaluations + o.functionEvaluations,
      gradientEvaluations: r.gradientEvaluations + o.gradientEvaluations,
      elapsedMs: r.elapsedMs + o.elapsedMs,
      ...this.products(r.hessianVectorProducts),
    };
  }

  /** Hessian-vector products so far, when any phase counts them (Newton-CG). */
  private products(phase: number | undefined): { hessianVectorProducts?: number } {
    const total = (phase ?? 0) + this.offsets.hessianVectorProducts;
    return phase !== undefined || total > 0 ? { hessianVectorProducts: total } : {};
  }
}
