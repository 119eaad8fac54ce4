/**
 * Limited-memory BFGS (N&W Alg. 7.4/7.5): the last m curvature pairs applied by the two-loop
 * recursion, with H₀ = γI, γ = s'y / y'y of the newest pair, recomputed every iteration (N&W 7.20),
 * or (initialScaling 'first-pair') of the first pair only.
 */
import { QuasiNewtonStepper } from './quasiNewton';
import type { LineSearchSpec } from './spec';
import type { StepperOptions } from './stepper';
import type { Objective, StoppingCriteria } from './types';

export interface LbfgsSettings {
  history: number;
  lineSearch: LineSearchSpec;
  /** 'every-iteration' (default): γ of the newest pair; 'first-pair': γ of the first pair, kept. */
  initialScaling?: 'every-iteration' | 'first-pair';
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
  private readonly firstPairScaling: boolean;
  /** γ of the first pair since the last reset ('first-pair' scaling). */
  private firstGamma = NaN;

  constructor(objective: Objective, x0: Float64Array, stopping: StoppingCriteria, settings: LbfgsSettings, options?: StepperOptions) {
    super('L-BFGS', objective, x0, stopping, settings.lineSearch, options, settings.curvatureUpdate);
    this.history = settings.history;
    this.firstPairScaling = settings.initialScaling === 'first-pair';
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

  /** Two-loop recursion: d = −H·g. */
  protected computeDirection(g: Float64Array, d: Float64Array): void {
    const { ops, history, sMem, yMem, rho, coeff } = this;
    ops.copy(g, d);
    for (let k = 0; k < this.count; k++) {
      const i = (this.newest - k + history) % history;
      coeff[i] = rho[i] * ops.dot(sMem[i], d);
      ops.axpy(-coeff[i], yMem[i], d);
    }
    const yNewest = yMem[this.newest];
    const gamma = this.firstPairScaling ? this.firstGamma : 1 / (rho[this.newest] * ops.dot(yNewest, yNewest));
    ops.scale(gamma, d);
    for (let k = this.count - 1; k >= 0; k--) {
      const i = (this.newest - k + history) % history;
      const beta = rho[i] * ops.dot(yMem[i], d);
      ops.axpy(coeff[i] - beta, sMem[i], d);
    }
    ops.scale(-1, d);
  }
}
