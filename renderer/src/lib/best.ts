/**
 * Which run gets the "best" badge, by one stated rule: the lowest validation loss when the race has a
 * validation split, else the lowest training loss; among runs that ended (finished or stopped by
 * the user) without an error. The rule's wording is shown beside the badge.
 */
import type { RunSummary } from '../../../app/ui';

export interface BestCandidate {
  runId: string;
  summary: RunSummary | null;
  error: string | null;
}

export type BestBasis = 'validation' | 'training';

export function bestBasis(runs: readonly BestCandidate[]): BestBasis {
  return runs.some((r) => r.summary?.metrics.validationLoss !== undefined) ? 'validation' : 'training';
}

/** The best run's id, or null while fewer than two runs have ended. */
export function bestRun(runs: readonly BestCandidate[]): string | null {
  const ended = runs.filter((r) => r.summary && r.error === null);
  if (ended.length < 2) return null;
  const basis = bestBasis(ended);
  const score = (r: BestCandidate) => (basis === 'validation' ? (r.summary?.metrics.validationLoss ?? NaN) : (r.summary?.trainLoss ?? NaN));
  let best: BestCandidate | null = null;
  for (const r of ended) if (Number.isFinite(score(r)) && (best === null || score(r) < score(best))) best = r;
  return best?.runId ?? null;
}

export function bestRuleText(basis: BestBasis): string {
  return basis === 'validation'
    ? 'Best = lowest validation loss among runs that finished or were stopped.'
    : 'Best = lowest training loss among runs that finished or were stopped (no validation split).';
}
