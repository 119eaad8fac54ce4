/**
 * Per-run iteration history in columns. Deliberately not reactive: thousands of points per run
 * would make Svelte proxies the bottleneck; the race store bumps a version counter instead.
 */
import type { IterationPoint } from '../../../app/ui';

/** seconds: the run's own compute time; raceSeconds: the race's wall clock (all runs' turns). */
export type XAxis = 'iteration' | 'evaluations' | 'seconds' | 'raceSeconds';
export type SeriesKey = 'trainLoss' | 'validationLoss' | 'gradNorm2' | 'step';

export interface XYPoint {
  x: number;
  y: number;
}

export class RunSeries {
  readonly iteration: number[] = [];
  readonly evaluations: number[] = [];
  readonly seconds: number[] = [];
  readonly raceSeconds: number[] = [];
  readonly trainLoss: number[] = [];
  readonly validationLoss: number[] = [];
  readonly gradNorm2: number[] = [];
  readonly step: number[] = [];
  hasValidation = false;
  /** Indices of the last point of each phase but the last, in a hand-off run (where the curve gets a marker). */
  readonly switches: number[] = [];
  private lastPhase: number | undefined;

  get length(): number {
    return this.iteration.length;
  }

  push(p: IterationPoint): void {
    this.iteration.push(p.iteration);
    this.evaluations.push(p.functionEvaluations);
    this.seconds.push(p.elapsedMs / 1000);
    // Older trainers send no race clock; their own time is the closest honest stand-in.
    this.raceSeconds.push((p.raceMs ?? p.elapsedMs) / 1000);
    this.trainLoss.push(p.trainLoss);
    this.validationLoss.push(p.validationLoss ?? NaN);
    if (p.validationLoss !== undefined) this.hasValidation = true;
    this.gradNorm2.push(p.gradNorm2);
    // The start record has no step; log axes cannot show 0. Levenberg–Marquardt's "step size" is its
    // damping μ (a step is always the full solve), so its dotted line draws μ, start included.
    this.step.push(p.mu !== undefined ? p.mu : p.iteration === 0 ? NaN : p.step);
    // The marker sits on the hand-over point: the last point of the phase before.
    if (p.phase !== undefined && this.lastPhase !== undefined && p.phase !== this.lastPhase) this.switches.push(this.iteration.length - 2);
    this.lastPhase = p.phase;
  }
}

/** Chart points built incrementally from a RunSeries, reused across frames. */
export class PointCache {
  readonly points: XYPoint[] = [];
  /** Series entries already looked at (skipped ones included). */
  private seen = 0;
  constructor(
    readonly x: XAxis,
    readonly key: SeriesKey,
  ) {}

  /**
   * Appends points not yet converted. Non-finite or (on log axes) non-positive values are left out
   * rather than kept as NaN gaps: the lines span gaps anyway, and chart.js' LTTB decimation picks an
   * undefined point (and throws) when a bucket starts on a NaN — the step series' first point is 0.
   */
  sync(series: RunSeries, positiveOnly: boolean): XYPoint[] {
    const xs = series[this.x];
    const ys = series[this.key];
    for (; this.seen < series.length; this.seen++) {
      const x = xs[this.seen];
      const y = ys[this.seen];
      if (Number.isFinite(x) && Number.isFinite(y) && (!positiveOnly || y > 0)) this.points.push({ x, y });
    }
    return this.points;
  }
}
