/**
 * Limited-memory BFGS (N&W Alg. 7.4/7.5): the last m curvature pairs applied by the two-loop
 * recursion, with H₀ = γI, γ = s'y / y'y of the newest pair, recomputed every iteration (N&W 7.20),
 * the larger γ of the two newest pairs ('larger-of-two'), or of the first pair only ('first-pair').
 */
import { QuasiNewtonStepper } from './quasiNewton';
import type { LineSearchSpec } from './spec';
import type { StepperOptions } from './stepper';
import type { Objective, StoppingCriteria } from './types';

export interface LbfgsSettings {
  history: number;
  lineSearch: LineSearchSpec;
  /**
   * 'every-iteration': γ of the newest pair; 'first-pair': γ of the first pair, kept;
   * 'larger-of-two': the larger γ of the two newest pairs.
   */
  initialScaling?: 'every-iteration' | 'first-pair' | 'larger-of-two';
  curvatureUpdate?: 'skip' | 'damped';
}

export class LbfgsStepper extends QuasiNewtonStepper {
  private readonly history: number;
  /** Ring buffer of pairs; slot (newest − k) mod m is the k-th most recent. */
  private readonly sMem: Float64Array[] = [];
  private readonly yMem: Float64Array[] = [];
  private readonly rho: Float64Array;
  private readonly coeff: Float64Array;
  private count = 0;
  private newest = -1;
  private readonly scaling: NonNullable<LbfgsSettings['initialScaling']>;
  /** γ of the first pair since the last reset ('first-pair' scaling). */
  private firstGamma = NaN;

  constructor(objective: Objective, x0: Float64Array, stopping: StoppingCriteria, settings: LbfgsSettings, options?: StepperOptions) {
    super('L-BFGS', objective, x0, stopping, settings.lineSearch, options, settings.curvatureUpdate);
    this.history = settings.history;
    this.scaling = settings.initialScaling ?? 'every-iteration';
    this.rho = new Float64Array(settings.history);
    this.coeff = new Float64Array(settings.history);
  }

  protected hasMemory(): boolean {
    return this.count > 0;
  }

  protected clearMemory(): void {
    this.count = 0;
    this.newest = -1;
  }

  protected addPair(s: Float64Array, y: Float64Array, sy: number): void {
    const slot = (this.newest + 1) % this.history;
    if (this.sMem.length <= slot) {
      // Memory grows to m pairs as needed rather than up front: most short runs never fill it.
      this.sMem.push(this.ops.alloc(this.n));
      this.yMem.push(this.ops.alloc(this.n));
    }
    if (this.count === 0) this.firstGamma = sy / this.ops.dot(y, y);
    this.ops.copy(s, this.sMem[slot]);
    this.ops.copy(y, this.yMem[slot]);
    this.rho[slot] = 1 / sy;
    this.newest = slot;
    this.count = Math.min(this.count + 1, this.history);
  }

  /** γ of H₀ = γI (see `initialScaling`). */
  private gamma(): number {
    const { ops, rho, yMem, newest, history } = this;
    switch (this.scaling) {
      case 'first-pair':
        return this.firstGamma;
      case 'larger-of-two': {
        // A single pair with unusually high curvature along s would shrink the whole next step.
        const older = (newest - 1 + history) % history;
        const g0 = 1 / (rho[newest] * ops.dot(yMem[newest], yMem[newest]));
        return this.count < 2 ? g0 : Math.max(g0, 1 / (rho[older] * ops.dot(yMem[older], yMem[older])));
      }
      default:
        return 1 / (rho[newest] * ops.dot(yMem[newest], yMem[newest]));
    }
  }

  /** Two-loop recursion: d = −H·g. */
  protected computeDirection(g: Float64Array, d: Float64Array): void {
    const { ops, history, sMem, yMem, rho, coeff } = this;
    ops.copy(g, d);
    for (let k = 0; k < this.count; k++) {
      const i = (this.newest - k + history) % history;
      coeff[i] = rho[i] * ops.dot(sMem[i], d);
      ops.axpy(-coeff[i], yMem[i], d);
    }
    ops.scale(this.gamma(), d);
    for (let k = this.count - 1; k >= 0; k--) {
      const i = (this.newest - k + history) % history;
      const beta = rho[i] * ops.dot(yMem[i], d);
      ops.axpy(coeff[i] - beta, sMem[i], d);
    }
    ops.scale(-1, d);
  }
}
