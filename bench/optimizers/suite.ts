/**
 * Runs optimizer variants on the reference problems and measures, per run: the evaluation at which
 * each target loss was first reached (every f+∇f evaluation counts, line-search trials included —
 * the same rule the Python side applies to scipy), the best loss within the budget, wall time and
 * the stop reason. No assertions: the tests and the table builder read the rows.
 */
import { minimize } from '../../app/optim';
import { optimizerSpecSchema, type OptimizerSpecInput } from '../../app/optim/spec';
import { DEFAULT_STOPPING, type Objective, type StoppingCriteria } from '../../app/optim/types';
import { median } from '../../app/train/stats';
import { seededRandom } from '../../app/util/random';
import type { BenchProblem } from './problems';

export interface Variant {
  id: string;
  /** Short label for the table. */
  label: string;
  spec: OptimizerSpecInput;
  /** Marked in the table: what a user gets without choosing. */
  isDefault?: boolean;
}

export interface RunRow {
  problem: string;
  variant: string;
  /** Evaluation count at which each target was first reached, null when never. */
  hits: (number | null)[];
  finalLoss: number;
  evaluations: number;
  ms: number;
  stop: string;
}

/** Counts evaluations and notes when each target is first reached. */
export class TargetRecorder implements Objective {
  readonly dimension: number;
  evaluations = 0;
  best = Infinity;
  readonly hits: (number | null)[];
  constructor(
    private readonly inner: Objective,
    private readonly targets: number[],
  ) {
    this.dimension = inner.dimension;
    this.hits = targets.map(() => null);
  }
  evaluate(x: Float64Array, g: Float64Array): number {
    const f = this.inner.evaluate(x, g);
    this.evaluations++;
    if (f < this.best) this.best = f;
    this.targets.forEach((t, k) => {
      if (this.hits[k] === null && f <= t) this.hits[k] = this.evaluations;
    });
    return f;
  }
}

/** Run to the budget: no gradient or function tolerance, so every target gets its chance. */
export function budgetStopping(budget: number): StoppingCriteria {
  return { ...DEFAULT_STOPPING, gradientTolerance: 0, functionTolerance: 0, maxIterations: 1_000_000, maxEvaluations: budget };
}

/**
 * Start `s` of a problem: the fixed start for s = 0, else every weight scaled by 1 + u·1e-7 with u
 * uniform in [−1, 1] from seed s. Near the float32 floor a network run is chaotic (a last-bit change
 * of γ moved one run from 313 evaluations to 481), so a count from one start says little on its own.
 */
export function perturbedStart(x0: Float64Array, s: number): Float64Array {
  const x = Float64Array.from(x0);
  if (s === 0) return x;
  const rand = seededRandom(100 + s);
  for (let i = 0; i < x.length; i++) x[i] *= 1 + 1e-7 * (2 * rand() - 1);
  return x;
}

/** With starts > 1, each cell is the median over the starts (a target missed counts as never). */
export async function runProblem(problem: BenchProblem, variants: Variant[], onRow?: (row: RunRow) => void, starts = 1): Promise<RunRow[]> {
  const instance = await problem.create();
  const rows: RunRow[] = [];
  try {
    for (const v of variants) {
      const spec = optimizerSpecSchema.parse(v.spec);
      const runs: RunRow[] = [];
      for (let s = 0; s < starts; s++) {
        const recorder = new TargetRecorder(instance.objective, problem.targets);
        const t0 = performance.now();
        const r = minimize(spec, recorder, perturbedStart(instance.x0, s), budgetStopping(problem.budget));
        const ms = performance.now() - t0;
        runs.push({ problem: problem.id, variant: v.id, hits: [...recorder.hits], finalLoss: r.f, evaluations: r.functionEvaluations, ms, stop: r.status });
      }
      const row: RunRow =
        starts === 1
          ? runs[0]
          : {
              ...runs[0],
              hits: problem.targets.map((_, k) => {
                const m = median(runs.map((r) => r.hits[k] ?? Infinity));
                return Number.isFinite(m) ? m : null;
              }),
              finalLoss: median(runs.map((r) => r.finalLoss)),
              evaluations: median(runs.map((r) => r.evaluations)),
              ms: median(runs.map((r) => r.ms)),
            };
      rows.push(row);
      onRow?.(row);
    }
  } finally {
    instance.dispose();
  }
  return rows;
}
