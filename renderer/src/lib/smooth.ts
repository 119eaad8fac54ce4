/**
 * Optional smoothing of noisy curves (stochastic first-order losses, ‖g‖ bands), built
 * incrementally like PointCache. An exponential moving average in log space on log axes (so a
 * spike does not dominate), and the last raw point appended, so the curve always ends at the true
 * latest value.
 */
import type { XYPoint } from './series';

export type CurveMode = 'raw' | 'minmax' | 'smooth';

export class SmoothCache {
  private readonly smoothed: XYPoint[] = [];
  private state = NaN;
  private consumed = 0;
  /** The smoothed value hidden under the raw last point. */
  private tail: XYPoint | null = null;

  constructor(
    /** Weight of each new point: 0.1 ≈ a 10-point window. */
    readonly alpha = 0.1,
    readonly logSpace = true,
  ) {}

  /** Smoothed points for `raw` (which only ever grows), ending with raw's last point. */
  sync(raw: readonly XYPoint[]): XYPoint[] {
    // Put back the smoothed value the raw latest point stood in for last time.
    if (this.tail) this.smoothed[this.smoothed.length - 1] = this.tail;
    for (let i = this.consumed; i < raw.length; i++) {
      const { x, y } = raw[i];
      if (Number.isFinite(y) && (!this.logSpace || y > 0)) {
        const v = this.logSpace ? Math.log(y) : y;
        this.state = Number.isNaN(this.state) ? v : this.state + this.alpha * (v - this.state);
        this.smoothed.push({ x, y: this.logSpace ? Math.exp(this.state) : this.state });
      } else {
        this.smoothed.push({ x, y: NaN });
      }
    }
    this.consumed = raw.length;
    // The true latest value, so smoothing never hides where a run ended.
    const last = raw[raw.length - 1];
    if (last && this.smoothed.length > 0) {
      this.tail = this.smoothed[this.smoothed.length - 1];
      this.smoothed[this.smoothed.length - 1] = { ...last };
    }
    return this.smoothed;
  }
}
