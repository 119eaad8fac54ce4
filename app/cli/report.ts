/** What the CLI prints: live progress bars on a TTY, a final table, or one JSON document. */
import cliProgress from 'cli-progress';
import type { ExperimentEvent, IterationPoint, RunSummary } from '../train/events';
import type { Experiment } from '../schema/experiment';
import type { ExperimentOutcome } from '../train/runner';
import { repeatRunId, runIds } from '../train/runner';
import { aggregateRepeats, repeatOutcomes, type Aggregate, type Comparison } from '../train/aggregate';

/**
 * `--json`: each run's summary as the UI sees it, plus its history and where it was exported. With
 * repeats (K > 1) also the aggregate per run spec and the paired comparisons; with K = 1 these are
 * left out, so a single-start report is the same as before repeats existed (plus repeat and seed).
 */
export interface JsonReport {
  backend: string;
  experiment: string;
  notes: string[];
  runs: (RunSummary & {
    validationLoss: number | null;
    /**
     * Headline validation metric: accuracy, or R² (averaged over targets when there are several);
     * null without validation. Per-target values: `validation.metrics` and `test.metrics` (the
     * `metrics` key already holds the validation metrics object).
     */
    metric: number | null;
    test: { loss: number; metric: number | null; metrics?: number[] } | null;
    bestIteration: number;
    exportedTo?: string;
    history: IterationPoint[];
  })[];
  aggregates?: Aggregate[];
  comparisons?: Comparison[];
}

export function jsonReport(
  experiment: Experiment,
  outcome: ExperimentOutcome,
  exported: Map<string, string>,
  notes: string[],
): JsonReport {
  return {
    backend: outcome.backend,
    experiment: experiment.name,
    notes,
    runs: outcome.runs.map(({ summary, history }) => ({
      ...summary,
      validationLoss: summary.metrics.validationLoss ?? null,
      metric: summary.validation?.metric ?? null,
      test: summary.test ?? null,
      bestIteration: summary.bestIteration ?? summary.iterations,
      ...(exported.has(summary.runId) && { exportedTo: exported.get(summary.runId) }),
      history,
    })),
    ...(experiment.repeats > 1 && aggregateRepeats(repeatOutcomes(outcome.runs))),
  };
}

/** Progress bars per run: the fraction of the run's budget used (iterations, evaluations or time). */
export function progressBars(experiment: Experiment, stream: NodeJS.WriteStream): (e: ExperimentEvent) => void {
  const specIds = runIds(experiment.runs);
  const ids = Array.from({ length: experiment.repeats }, (_, r) => specIds.map((id) => repeatRunId(id, r))).flat();
  const width = Math.max(...ids.map((id) => id.length));
  const multi = new cliProgress.MultiBar(
    {
      format: ` {run} {bar} {percentage}% | it {it} | evals {evals} | f {f} {status}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stream,
      fps: 15,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map(ids.map((id) => [id, multi.create(1000, 0, { run: id.padEnd(width), it: 0, evals: 0, f: '-', status: '' })]));
  return (e) => {
    if (e.type === 'iteration') {
      const index = ids.indexOf(e.runId);
      if (index < 0) return;
      const s = experiment.runs[index % experiment.runs.length].stopping;
      const p = e.point;
      const used = Math.max(
        p.iteration / s.maxIterations,
        p.functionEvaluations / s.maxEvaluations,
        s.maxSeconds ? p.elapsedMs / 1000 / s.maxSeconds : 0,
      );
      bars.get(e.runId)?.update(Math.min(999, Math.round(used * 1000)), { it: p.iteration, evals: p.functionEvaluations, f: fmt(p.f) });
    } else if (e.type === 'run-finished') {
      bars.get(e.runId)?.update(1000, { status: e.summary.status });
    } else if (e.type === 'experiment-finished' || e.type === 'error') {
      multi.stop();
    }
  };
}

export function fmt(v: number | undefined | null): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '-';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(4) : v.toPrecision(6);
}

function metricText(s: RunSummary): string {
  const m = s.metrics;
  if (m.validationAccuracy !== undefined) return `acc ${(m.validationAccuracy * 100).toFixed(1)}%`;
  if (m.validationR2 !== undefined) return `R² ${m.validationR2.toFixed(4)}`;
  return '-';
}

function scoreText(metric: number | null, kind: 'acc' | 'R²'): string {
  if (metric === null) return '-';
  return kind === 'acc' ? `acc ${(metric * 100).toFixed(1)}%` : `R² ${metric.toFixed(4)}`;
}

/** The first sentence of a status message; the rest is printed under the table. */
function headline(message: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(message);
  return m ? m[1] : message;
}

/** The final table, one row per run, then the full message of any run whose status says more. */
export function summaryTable(summaries: RunSummary[]): string {
  const withTest = summaries.some((s) => s.test);
  const head = ['run', 'status', 'iter', 'f-evals', 'g-evals', 'train loss', 'val loss', 'val metric', ...(withTest ? ['test loss', 'test metric'] : []), 'seconds'];
  const rows = summaries.map((s) => [
    s.runId,
    headline(s.message),
    String(s.iterations),
    String(s.functionEvaluations),
    String(s.gradientEvaluations),
    fmt(s.trainLoss),
    fmt(s.metrics.validationLoss),
    metricText(s),
    ...(withTest ? [fmt(s.test?.loss), s.test ? scoreText(s.test.metric, s.metrics.validationAccuracy !== undefined || s.test.metric === null ? 'acc' : 'R²') : '-'] : []),
    s.seconds.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i: number) => i >= 2;
  const line = (cells: string[]) => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const details = summaries.filter((s) => headline(s.message) !== s.message).map((s) => `${s.runId}: ${s.message}`);
  // Levenberg–Marquardt runs: which solver ran, the Jacobians formed (f-evals count forward passes), BR's γ.
  for (const s of summaries) {
    const lm = s.levenbergMarquardt;
    if (!lm) continue;
    const br = lm.effectiveParametersText ? ` · ${lm.effectiveParametersText} · α ${fmt(lm.alpha ?? NaN)} · β ${fmt(lm.beta ?? NaN)} · ΣW² ${fmt(lm.sumSquaredWeights ?? NaN)}` : '';
    details.push(`${s.runId}: ${s.label}: ${lm.solver}; ${lm.jacobianEvaluations} Jacobians, final μ ${lm.mu.toExponential(1)}${br}`);
  }
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line), ...(details.length ? ['', ...details] : [])].join('\n');
}

/** With repeats: per run spec, median [q1, q3] of the final numbers; then the paired win rates. */
export function aggregateTable({ aggregates, comparisons }: { aggregates: Aggregate[]; comparisons: Comparison[] }): string {
  const q = (v: { median: number; q1: number; q3: number } | null, f: (x: number) => string = fmt) => (v ? `${f(v.median)} [${f(v.q1)}, ${f(v.q3)}]` : '-');
  const validation = aggregates.some((a) => a.basis === 'validation');
  // With a validation split, choices (and this headline column) use the validation loss; training loss stays beside it.
  const head = ['run', 'repeats', 'successes', ...(validation ? ['val loss median [IQR]'] : []), 'train loss median [IQR]', 'val metric', 'f-evals', 'seconds'];
  const rows = aggregates.map((a) => [
    a.label,
    String(a.repeats),
    String(a.successes),
    ...(validation ? [q(a.validationLoss)] : []),
    q(a.finalLoss),
    q(a.metric),
    q(a.functionEvaluations, (v) => String(Math.round(v))),
    q(a.seconds, (v) => v.toFixed(2)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const wins = comparisons.map(
    (c) => `${c.a} beats ${c.b} on ${validation ? 'validation loss' : 'training loss'} on ${(c.winRate * 100).toFixed(0)}% of ${c.pairs} paired starts` +
      ` (evaluations to reach ${fmt(c.target)}: ${c.medianEvaluations.a ?? 'not reached'} vs ${c.medianEvaluations.b ?? 'not reached'})`,
  );
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line), '', ...wins].join('\n');
}
