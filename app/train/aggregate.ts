/**
 * The aggregate table of a repeated experiment: per run spec, quartiles over its repeats; per
 * ordered pair of run specs, the paired win rate. Shared by the CLI's --json, the export bundle and
 * the GUI (which feeds it the runs it has seen).
 */
import type { OptimizerKind } from '../optim/spec';
import type { RunSummary } from './events';
import { evaluationsToWorseMedian, quartiles, winRate, type LossCurve, type Quartiles } from './stats';

export interface RepeatOutcome {
  /** The run spec's id: repeats of one spec share it. */
  spec: string;
  label: string;
  optimizer: OptimizerKind;
  repeat: number;
  summary: Pick<RunSummary, 'trainLoss' | 'success' | 'functionEvaluations' | 'seconds' | 'metrics'>;
  /** Training loss against function evaluations, for evaluations-to-target. */
  curve: LossCurve;
  /** Validation loss against function evaluations, when every point has one. */
  validationCurve?: LossCurve;
}

/**
 * Which loss choices are made on: 'validation' when every run has a validation loss (held-out
 * data: an overfitted run cannot win), else 'training'. The test loss is never a basis.
 */
export type ChoiceBasis = 'validation' | 'training';

export function choiceBasis(summaries: readonly Pick<RunSummary, 'metrics'>[]): ChoiceBasis {
  return summaries.length > 0 && summaries.every((s) => s.metrics.validationLoss !== undefined) ? 'validation' : 'training';
}

/** The loss a choice compares: validation loss on a validation basis, else training loss; non-finite loses. */
export function choiceLoss(s: Pick<RunSummary, 'trainLoss' | 'metrics'>, basis: ChoiceBasis): number {
  const v = basis === 'validation' ? (s.metrics.validationLoss ?? NaN) : s.trainLoss;
  return Number.isFinite(v) ? v : Infinity;
}

export interface Aggregate {
  label: string;
  optimizer: OptimizerKind;
  repeats: number;
  successes: number;
  finalLoss: Quartiles;
  /** Final validation loss; null without a validation split. */
  validationLoss: Quartiles | null;
  /** The headline loss (validation loss on a validation basis, else training loss) and its basis. */
  headlineLoss: Quartiles;
  basis: ChoiceBasis;
  functionEvaluations: Quartiles;
  seconds: Quartiles;
  /** Validation accuracy (classification) or R² (regression); null without a validation split. */
  metric: Quartiles | null;
}

export interface Comparison {
  a: string;
  b: string;
  /** Fraction of paired starts where a's final loss on the basis (validation, else training) is below b's (ties ½). */
  winRate: number;
  pairs: number;
  /** The worse of the two medians' final losses… */
  target: number;
  /** …and the median evaluations each side needs to reach it (null: most repeats never did). */
  medianEvaluations: { a: number | null; b: number | null };
}

export function validationMetric(m: RunSummary['metrics']): number | undefined {
  return m.validationAccuracy ?? m.validationR2;
}

export function aggregateRepeats(outcomes: readonly RepeatOutcome[]): { aggregates: Aggregate[]; comparisons: Comparison[] } {
  const groups = new Map<string, RepeatOutcome[]>();
  for (const o of outcomes) groups.set(o.spec, [...(groups.get(o.spec) ?? []), o]);
  const entries = [...groups.entries()];
  const basis = choiceBasis(outcomes.map((o) => o.summary));
  // Labels name the specs in `comparisons`, so two specs with the same label get their ids added.
  const labelCount = new Map<string, number>();
  for (const [, runs] of entries) labelCount.set(runs[0].label, (labelCount.get(runs[0].label) ?? 0) + 1);
  const labelOf = (spec: string, runs: RepeatOutcome[]) => (labelCount.get(runs[0].label)! > 1 ? `${runs[0].label} (${spec})` : runs[0].label);

  const aggregates: Aggregate[] = entries.map(([spec, runs]) => {
    const metrics = runs.map((r) => validationMetric(r.summary.metrics)).filter((v): v is number => v !== undefined);
    const validation = runs.map((r) => r.summary.metrics.validationLoss).filter((v): v is number => v !== undefined);
    const finalLoss = quartiles(runs.map((r) => r.summary.trainLoss));
    const validationLoss = validation.length === runs.length && validation.length > 0 ? quartiles(validation) : null;
    return {
      label: labelOf(spec, runs),
      optimizer: runs[0].optimizer,
      repeats: runs.length,
      successes: runs.filter((r) => r.summary.success).length,
      finalLoss,
      validationLoss,
      headlineLoss: basis === 'validation' && validationLoss ? validationLoss : finalLoss,
      basis,
      functionEvaluations: quartiles(runs.map((r) => r.summary.functionEvaluations)),
      seconds: quartiles(runs.map((r) => r.summary.seconds)),
      metric: metrics.length === runs.length && metrics.length > 0 ? quartiles(metrics) : null,
    };
  });

  const byRepeat = (runs: RepeatOutcome[]) => {
    const losses: (number | undefined)[] = [];
    for (const r of runs) losses[r.repeat] = basis === 'validation' ? (r.summary.metrics.validationLoss ?? NaN) : r.summary.trainLoss;
    return losses;
  };
  const lossOf = (r: RepeatOutcome) => (basis === 'validation' ? (r.summary.metrics.validationLoss ?? NaN) : r.summary.trainLoss);
  const curveOf = (r: RepeatOutcome) => (basis === 'validation' && r.validationCurve ? r.validationCurve : r.curve);
  const comparisons: Comparison[] = [];
  entries.forEach(([specA, runsA], i) => {
    entries.forEach(([specB, runsB], j) => {
      if (i === j) return;
      const w = winRate(byRepeat(runsA), byRepeat(runsB));
      const side = (runs: RepeatOutcome[]) => ({ finalLosses: runs.map(lossOf), curves: runs.map(curveOf) });
      const e = evaluationsToWorseMedian(side(runsA), side(runsB));
      comparisons.push({
        a: labelOf(specA, runsA),
        b: labelOf(specB, runsB),
        winRate: w.winRate,
        pairs: w.pairs,
        target: e.target,
        medianEvaluations: { a: e.a, b: e.b },
      });
    });
  });
  return { aggregates, comparisons };
}

/** What the runner's finished runs carry (structurally, so this module needs no runner import). */
export interface FinishedRepeat {
  spec?: string;
  repeat?: number;
  summary: RunSummary;
  history: readonly { trainLoss: number; functionEvaluations: number; validationLoss?: number }[];
}

export function repeatOutcomes(runs: readonly FinishedRepeat[]): RepeatOutcome[] {
  return runs.map((r) => ({
    spec: r.spec ?? r.summary.runId,
    label: r.summary.label,
    optimizer: r.summary.optimizer,
    repeat: r.repeat ?? r.summary.repeat ?? 0,
    summary: r.summary,
    curve: { loss: r.history.map((p) => p.trainLoss), evaluations: r.history.map((p) => p.functionEvaluations) },
    ...(r.history.length > 0 &&
      r.history.every((p) => p.validationLoss !== undefined) && {
        validationCurve: { loss: r.history.map((p) => p.validationLoss as number), evaluations: r.history.map((p) => p.functionEvaluations) },
      }),
  }));
}

/**
 * The repeat whose weights an export writes by default: the lowest final validation loss when every
 * repeat has one, else the lowest training loss (a non-finite loss never wins; ties go to the
 * lower repeat index). The test loss never takes part.
 */
export function bestRepeat<T extends FinishedRepeat>(group: readonly T[]): T {
  const basis = choiceBasis(group.map((r) => r.summary));
  return group.reduce((best, r) => (choiceLoss(r.summary, basis) < choiceLoss(best.summary, basis) ? r : best));
}
