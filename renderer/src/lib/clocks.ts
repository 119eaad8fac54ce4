/**
 * The race's two clocks, in words. Runs share one trainer process and take turns round-robin (one
 * iteration each), so a run's own compute time is far below the race's wall clock.
 */
import type { XAxis } from './series';

export const TURN_TAKING =
  'Runs take turns round-robin in one trainer process: each does one iteration, then the next run goes.';

export const COMPUTE_TIME_HELP = `Compute time: the seconds this run spent on its own iterations. ${TURN_TAKING} Wall clock time is longer: it includes the other runs' turns.`;

export const WALL_CLOCK_HELP = `Race wall clock: seconds since the race started, every run's turns included. ${TURN_TAKING}`;

/** X-axis titles; the two clocks say which one they are. */
export const X_TITLES: Record<XAxis, string> = {
  iteration: 'Iteration',
  evaluations: 'Function evaluations',
  seconds: "Run's own compute time (s) — runs take turns",
  raceSeconds: 'Race wall clock (s) — all runs, taking turns',
};
