/**
 * Validation checks (MATLAB's max_fail): after each iteration, compare the validation loss with the
 * best so far; K consecutive iterations without improvement end the run, which then reports the
 * best-validation weights. Works with any optimizer: it only watches the points the run records.
 */
import type { IterationPoint } from './events';

export interface BestValidation {
  iteration: number;
  validationLoss: number;
  trainLoss: number;
  /** The optimizer's objective at that point. */
  f: number;
  x: Float64Array;
}

export class ValidationChecks {
  best: BestValidation | undefined;
  private fails = 0;
  stopped = false;

  constructor(readonly limit: number) {}

  /** Records one iteration's point (x: the weights it was evaluated at); 'stop' once K have failed. */
  observe(p: IterationPoint, x: Float64Array): 'continue' | 'stop' {
    const v = p.validationLoss;
    if (v === undefined || this.stopped) return 'continue';
    if (this.best === undefined || (Number.isFinite(v) && !(v >= this.best.validationLoss))) {
      this.best = { iteration: p.iteration, validationLoss: v, trainLoss: p.trainLoss, f: p.f, x: Float64Array.from(x) };
      this.fails = 0;
      return 'continue';
    }
    this.fails++;
    if (this.fails < this.limit) return 'continue';
    this.stopped = true;
    return 'stop';
  }

  message(): string {
    return `Validation loss did not improve for ${this.limit} iterations; weights from iteration ${this.best?.iteration ?? 0}.`;
  }
}
