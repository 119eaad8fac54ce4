/** Markdown tables of the suite: one per problem, Curvature's variants then scipy's, defaults marked. */
import type { BenchProblem } from './problems';
import type { RunRow, Variant } from './suite';

/** A scipy run that gave no row (its own timeout, a crash): the table says why instead. */
export interface ScipyMissing {
  problem: string;
  variant: string;
  reason: string;
}

export type ScipySide = { scipy: string; numpy: string; rows: RunRow[]; missing: ScipyMissing[] } | { skipped: string };

const SCIPY_LABELS: Record<string, string> = { 'scipy-bfgs': 'scipy BFGS', 'scipy-l-bfgs-b': 'scipy L-BFGS-B' };

function fmtTarget(t: number): string {
  return t >= 0.01 && t < 1000 ? String(t) : t.toExponential(0);
}

function fmtLoss(f: number): string {
  return Math.abs(f) >= 1e-3 || f === 0 ? f.toPrecision(4) : f.toExponential(2);
}

export function formatTables(problems: BenchProblem[], variants: Variant[], rows: RunRow[], scipy: ScipySide, engine: string): string {
  const out: string[] = [];
  out.push(`Engine: ${engine}. ${'rows' in scipy ? `scipy ${scipy.scipy}, numpy ${scipy.numpy} (float64 objective rebuilt in numpy from the same arrays and start).` : `scipy: skipped — ${scipy.skipped}.`}`);
  out.push('Cells: evaluations (f and ∇f together, line-search trials included) until the loss first reached each target; — = not within the budget. ★ = default.');
  for (const p of problems) {
    out.push('', `**${p.id}** — ${p.title}; targets ${p.targets.map(fmtTarget).join(' / ')}; budget ${p.budget} evaluations; ${p.precision}`, '');
    out.push(`| optimizer | ${p.targets.map((t) => `to ${fmtTarget(t)}`).join(' | ')} | loss at budget | evals | ms | stop |`);
    out.push(`|---|${p.targets.map(() => '--:').join('|')}|--:|--:|--:|---|`);
    const line = (label: string, r: RunRow) =>
      out.push(`| ${label} | ${r.hits.map((h) => (h === null ? '—' : String(h))).join(' | ')} | ${fmtLoss(r.finalLoss)} | ${r.evaluations} | ${r.ms.toFixed(0)} | ${r.stop} |`);
    for (const v of variants) {
      const r = rows.find((x) => x.problem === p.id && x.variant === v.id);
      if (r) line(v.isDefault ? `★ ${v.label}` : v.label, r);
    }
    if ('rows' in scipy) {
      for (const r of scipy.rows.filter((x) => x.problem === p.id)) line(SCIPY_LABELS[r.variant] ?? r.variant, r);
      for (const m of scipy.missing.filter((x) => x.problem === p.id)) {
        out.push(`| ${SCIPY_LABELS[m.variant] ?? m.variant} | ${p.targets.map(() => '?').join(' | ')} | ? | ? | ? | no row: ${m.reason} |`);
      }
    }
  }
  return out.join('\n');
}

/**
 * One row per problem: the defaults and scipy side by side, evaluations to each target (the
 * README's table). Cells "a / b / c", — where a target was not reached, ? where scipy gave no row.
 */
export function formatSummary(problems: BenchProblem[], variants: Variant[], rows: RunRow[], scipy: ScipySide): string {
  const cell = (r: RunRow | undefined) => (r ? r.hits.map((h) => (h === null ? '—' : String(h))).join(' / ') : '?');
  const defaultOf = (kind: string) => variants.find((v) => v.isDefault && v.spec.kind === kind);
  const bfgs = defaultOf('bfgs');
  const lbfgs = defaultOf('lbfgs');
  const scipyRow = (id: string, variant: string) => ('rows' in scipy ? scipy.rows.find((r) => r.problem === id && r.variant === variant) : undefined);
  const ours = (id: string, v: Variant | undefined) => (v ? rows.find((r) => r.problem === id && r.variant === v.id) : undefined);
  const out = [
    '| problem | targets | ★ BFGS | scipy BFGS | ★ L-BFGS | scipy L-BFGS-B |',
    '|---|---|--:|--:|--:|--:|',
  ];
  for (const p of problems) {
    out.push(
      `| ${p.id} | ${p.targets.map(fmtTarget).join(' / ')} | ${cell(ours(p.id, bfgs))} | ${cell(scipyRow(p.id, 'scipy-bfgs'))} | ${cell(ours(p.id, lbfgs))} | ${cell(scipyRow(p.id, 'scipy-l-bfgs-b'))} |`,
    );
  }
  return out.join('\n');
}
