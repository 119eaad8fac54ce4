/**
 * How fast a race goes and when its budget runs out, from what the table already shows: iterations
 * per second of race wall clock, and the time until the furthest-behind running run uses up its budget
 * at the pace so far (an upper estimate: runs that stop early hand their turns to the others).
 */
export interface RateInput {
  running: boolean;
  iterations: number;
  /** Share of the budget used, 0..1 (the largest of iterations, evaluations and seconds). */
  progress: number;
}

export function raceRate(runs: readonly RateInput[], raceSeconds: number | null): { perSecond: number; etaSeconds: number | null } | null {
  if (raceSeconds === null || raceSeconds <= 0) return null;
  const iterations = runs.reduce((n, r) => n + r.iterations, 0);
  const open = runs.filter((r) => r.running);
  if (open.length === 0) return null;
  const slowest = Math.min(...open.map((r) => r.progress));
  const etaSeconds = slowest > 0 ? (raceSeconds * (1 - slowest)) / slowest : null;
  return { perSecond: iterations / raceSeconds, etaSeconds };
}
