/**
 * Median curve and inter-quartile band over the repeats of one run spec, built incrementally as
 * points stream in. Each repeat is a step function of x (its latest value holds until its next
 * point; a finished repeat holds its final value). The band is only drawn up to the smallest x
 * that every still-running repeat has reached, so it never summarises a subset of the starts.
 */
import { quartiles } from '../../../app/ui';
import type { RunSeries, SeriesKey, XAxis, XYPoint } from './series';

export class BandCache {
  readonly median: XYPoint[] = [];
  readonly q1: XYPoint[] = [];
  readonly q3: XYPoint[] = [];
  private cursors: number[] = [];
  private values: number[] = [];

  constructor(
    readonly x: XAxis,
    readonly key: SeriesKey,
    readonly positiveOnly: boolean,
  ) {}

  /** `finished[r]`: repeat r has ended, so its last value holds for every larger x. */
  sync(repeats: readonly RunSeries[], finished: readonly boolean[]): void {
    const k = repeats.length;
    while (this.cursors.length < k) {
      this.cursors.push(0);
      this.values.push(NaN);
    }
    let frontier = Infinity;
    for (let r = 0; r < k; r++) {
      if (finished[r]) continue;
      const xs = repeats[r][this.x];
      frontier = Math.min(frontier, xs.length ? xs[xs.length - 1] : -Infinity);
    }
    for (;;) {
      let next = Infinity;
      for (let r = 0; r < k; r++) {
        const xs = repeats[r][this.x];
        if (this.cursors[r] < xs.length) next = Math.min(next, xs[this.cursors[r]]);
      }
      if (next === Infinity || next > frontier) return;
      let started = true;
      for (let r = 0; r < k; r++) {
        const s = repeats[r];
        const xs = s[this.x];
        while (this.cursors[r] < xs.length && xs[this.cursors[r]] <= next) this.values[r] = this.clean(s[this.key][this.cursors[r]++]);
        if (this.cursors[r] === 0) started = false;
      }
      if (!started) continue;
      const q = quartiles(this.values);
      // Unusable quartiles (a step size at iteration 0, a diverged repeat) are left out, not kept as
      // NaN gaps: chart.js' LTTB decimation throws on a bucket of NaN points and the chart stays blank.
      const push = (to: XYPoint[], y: number) => Number.isFinite(y) && to.push({ x: next, y });
      push(this.median, q.median);
      push(this.q1, q.q1);
      push(this.q3, q.q3);
    }
  }

  /** Unusable values (NaN, or ≤ 0 on a log axis) rank as the worst: +∞. */
  private clean(v: number): number {
    return Number.isFinite(v) && (!this.positiveOnly || v > 0) ? v : Infinity;
  }
}

/** The points where a hand-off run switched optimizer, on its own curve. */
export function switchPoints(series: RunSeries, x: XAxis, key: SeriesKey): XYPoint[] {
  return series.switches.map((i) => ({ x: series[x][i], y: series[key][i] }));
}

/** '#0072B2' → 'rgba(0, 114, 178, a)'. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
