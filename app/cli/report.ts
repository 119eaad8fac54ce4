/** What the CLI prints: live progress bars on a TTY, a final table, or one JSON document. */
import cliProgress from 'cli-progress';
import type { ExperimentEvent, IterationPoint, RunSummary } from '../train/events';
import type { Experiment } from '../schema/experiment';
import type { ExperimentOutcome } from '../train/runner';
import { runIds } from '../train/runner';

/** `--json`: each run's summary as the UI sees it, plus its history and where it was exported. */
export interface JsonReport {
  backend: string;
  experiment: string;
  notes: string[];
  runs: (RunSummary & { validationLoss: number | null; exportedTo?: string; history: IterationPoint[] })[];
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
      ...(exported.has(summary.runId) && { exportedTo: exported.get(summary.runId) }),
      history,
    })),
  };
}

/** Progress bars per run: the fraction of the run's budget used (iterations, evaluations or time). */
export function progressBars(experiment: Experiment, stream: NodeJS.WriteStream): (e: ExperimentEvent) => void {
  const ids = runIds(experiment.runs);
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
      const run = experiment.runs[ids.indexOf(e.runId)];
      const s = run.stopping;
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

/** The first sentence of a status message; the rest is printed under the table. */
function headline(message: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(message);
  return m ? m[1] : message;
}

/** The final table, one row per run, then the full message of any run whose status says more. */
export function summaryTable(summaries: RunSummary[]): string {
  const head = ['run', 'status', 'iter', 'f-evals', 'g-evals', 'train loss', 'val loss', 'val metric', 'seconds'];
  const rows = summaries.map((s) => [
    s.runId,
    headline(s.message),
    String(s.iterations),
    String(s.functionEvaluations),
    String(s.gradientEvaluations),
    fmt(s.trainLoss),
    fmt(s.metrics.validationLoss),
    metricText(s),
    s.seconds.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = (i: number) => i >= 2;
  const line = (cells: string[]) => cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const details = summaries.filter((s) => headline(s.message) !== s.message).map((s) => `${s.runId}: ${s.message}`);
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line), ...(details.length ? ['', ...details] : [])].join('\n');
}
