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
   * 'larger-of-two': the larger γ of the two newest pairs; 'guarded' (the spec's default): the newest
   * pair's γ unless it fell below half the previous pair's, then the least-squares γ of both.
   */
  initialScaling?: 'every-iteration' | 'first-pair' | 'larger-of-two' | 'guarded';
  curvatureUpdate?: 'skip' | 'damped';
}

/** 'guarded' keeps the newest γ unless it fell below this fraction of the previous pair's. */
const GUARD_DROP = 0.5;

export class LbfgsStepper extends QuasiNewtonStepper {
  private readonly history: number;
  /** Ring buffer of pairs; slot (newest − k) mod m is the k-th most recent. */
  private readonly sMem: Float64Array[] = [];
  private readonly yMem: Float64Array[] = [];
  private readonly rho: Float64Array;
  /** y'y of each pair, kept so that γ costs no pass over y. */
  private readonly yy: Float64Array;
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
    this.yy = new Float64Array(settings.history);
    this.coeff = new Float64Array(settings.history);
  }

  protected hasMemory(): boolean {
    return this.count > 0;
  }

  protected clearMemory(): void {
    this.count = 0;
    this.newest = -1;
  }

  protected addPair(s: Float64Array, y: Float64Array, sy: number, yy: number): void {
    const slot = (this.newest + 1) % this.history;
    if (this.sMem.length <= slot) {
      // Memory grows to m pairs as needed rather than up front: most short runs never fill it.
      this.sMem.push(this.ops.alloc(this.n));
      this.yMem.push(this.ops.alloc(this.n));
    }
    if (this.count === 0) this.firstGamma = sy / yy;
    this.ops.copy(s, this.sMem[slot]);
    this.ops.copy(y, this.yMem[slot]);
    this.rho[slot] = 1 / sy;
    this.yy[slot] = yy;
    this.newest = slot;
    this.count = Math.min(this.count + 1, this.history);
  }

  /** γ of H₀ = γI (see `initialScaling`), from the y'y kept with each pair. */
  private gamma(): number {
    const { rho, yy, newest, history } = this;
    const of = (i: number) => 1 / (rho[i] * yy[i]);
    switch (this.scaling) {
      case 'first-pair':
        return this.firstGamma;
      case 'larger-of-two':
        // A single pair with unusually high curvature along s would shrink the whole next step.
        return this.count < 2 ? of(newest) : Math.max(of(newest), of((newest - 1 + history) % history));
      case 'guarded': {
        // The newest γ, unless it fell below half the previous pair's: one pair with unusually high
        // curvature along its step would then shrink the whole next step, so fit γ to both pairs
        // instead (least squares of γy ≈ s over the two).
        if (this.count < 2) return of(newest);
        const older = (newest - 1 + history) % history;
        if (of(newest) >= GUARD_DROP * of(older)) return of(newest);
        return (1 / rho[newest] + 1 / rho[older]) / (yy[newest] + yy[older]);
      }
      default:
        return of(newest);
    }
  }

  /**
   * Two-loop recursion on −g, which yields d = −H·g directly (the recursion is linear). Each pass
   * that updates d also takes the dot product the next step needs (axpyDot): 2m + 3 passes over n
   * instead of 4m + 3, and the last one returns g'd for the line search.
   */
  protected computeDirection(g: Float64Array, d: Float64Array): number {
    const { ops, history, sMem, yMem, rho, coeff, count } = this;
    const slot = (k: number) => (this.newest - k + history) % history;
    ops.copy(g, d);
    ops.scale(-1, d);
    // Newest to oldest: coeffᵢ = ρᵢ·sᵢ'd, d ← d − coeffᵢ·yᵢ.
    let sd = ops.dot(sMem[slot(0)], d);
    for (let k = 0; k < count; k++) {
      const i = slot(k);
      coeff[i] = rho[i] * sd;
      if (k + 1 < count) sd = ops.axpyDot(-coeff[i], yMem[i], d, sMem[slot(k + 1)]);
      else ops.axpy(-coeff[i], yMem[i], d);
    }
    ops.scale(this.gamma(), d);
    // Oldest to newest: βᵢ = ρᵢ·yᵢ'd, d ← d + (coeffᵢ − βᵢ)·sᵢ.
    let yd = ops.dot(yMem[slot(count - 1)], d);
    let gd = 0;
    for (let k = count - 1; k >= 0; k--) {
      const i = slot(k);
      const step = coeff[i] - rho[i] * yd;
      if (k > 0) yd = ops.axpyDot(step, sMem[i], d, yMem[slot(k - 1)]);
      else gd = ops.axpyDot(step, sMem[i], d, g);
    }
    return gd;
  }
}
