/**
 * The statistics of repeated runs, as pure functions: quartiles, paired win rates and evaluations
 * to reach a target loss. A non-finite value (a diverged run) counts as +∞: the worst possible.
 */

export interface Quartiles {
  median: number;
  q1: number;
  q3: number;
}

function finiteOrInf(v: number): number {
  return Number.isNaN(v) ? Infinity : v;
}

/** Quantile p ∈ [0, 1] of ascending values, linear between order statistics (numpy's default). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  if (lo === hi || sorted[lo] === sorted[hi]) return sorted[lo];
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function quantile(values: readonly number[], p: number): number {
  return quantileSorted(values.map(finiteOrInf).sort((a, b) => a - b), p);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function quartiles(values: readonly number[]): Quartiles {
  const sorted = values.map(finiteOrInf).sort((a, b) => a - b);
  return { median: quantileSorted(sorted, 0.5), q1: quantileSorted(sorted, 0.25), q3: quantileSorted(sorted, 0.75) };
}

/**
 * Paired comparison of final losses: the fraction of starts where a ends below b, ties counting ½.
 * Index i of both arrays is the same start point; a missing entry (undefined) drops the pair.
 */
export function winRate(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): { winRate: number; pairs: number } {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) continue;
    pairs++;
    const fx = finiteOrInf(x);
    const fy = finiteOrInf(y);
    if (fx < fy) wins++;
    else if (fx === fy) wins += 0.5;
  }
  return { winRate: pairs ? wins / pairs : NaN, pairs };
}

export interface LossCurve {
  loss: readonly number[];
  evaluations: readonly number[];
}

/** Function evaluations at the first point whose loss is at or below target; Infinity if never. */
export function evaluationsToTarget(curve: LossCurve, target: number): number {
  for (let i = 0; i < curve.loss.length; i++) if (curve.loss[i] <= target) return curve.evaluations[i];
  return Infinity;
}

/**
 * For a pair of run specs: the target is the worse (higher) of the two median final losses, and
 * each side gets the median over its repeats of the evaluations to reach it (a repeat that never
 * does counts as ∞, so the median is ∞ when most do not — reported as null).
 */
export function evaluationsToWorseMedian(
  a: { finalLosses: readonly number[]; curves: readonly LossCurve[] },
  b: { finalLosses: readonly number[]; curves: readonly LossCurve[] },
): { target: number; a: number | null; b: number | null } {
  const target = Math.max(quartiles(a.finalLosses).median, quartiles(b.finalLosses).median);
  const side = (curves: readonly LossCurve[]) => {
    const m = quartiles(curves.map((c) => evaluationsToTarget(c, target))).median;
    return Number.isFinite(m) ? m : null;
  };
  return { target, a: side(a.curves), b: side(b.curves) };
}
