/** What a target column says about the task, and the ordering of categories and class labels. */
import { CHUNK_BITS, CHUNK_MASK, type RawColumn } from './table';
import type { Task } from './types';

/** Integer targets with at most this many distinct values (and ≤ 5% of rows) count as classes. */
export const MAX_AUTO_CLASSES = 20;
const MAX_CLASS_SHARE = 0.05;

export interface TargetSummary {
  kind: 'numeric' | 'categorical';
  /** Distinct values, capped just above MAX_AUTO_CLASSES for numeric columns (enough to decide). */
  distinct: number;
  allIntegers: boolean;
  rows: number;
  /** A value of the column, for messages. */
  example?: string;
}

/** Scans the given rows of a target column (missing cells skipped). */
export function summarizeTarget(col: RawColumn, rows: Iterable<number>): TargetSummary {
  if (col.kind === 'numeric' && rows instanceof Int32Array) return summarizeNumbers(col, rows);
  const seen = new Set<string | number>();
  let allIntegers = true;
  let count = 0;
  let example: string | undefined;
  const chunks = col.kind === 'numeric' ? col.numberChunks() : [];
  for (const i of rows) {
    if (col.kind === 'numeric') {
      const v = chunks[i >>> CHUNK_BITS][i & CHUNK_MASK];
      if (Number.isNaN(v)) continue;
      count++;
      if (!Number.isInteger(v)) allIntegers = false;
      if (seen.size <= MAX_AUTO_CLASSES) seen.add(v);
      example ??= String(v);
    } else {
      const c = col.category(i);
      if (c === undefined) continue;
      count++;
      seen.add(c);
      example ??= c;
    }
  }
  return { kind: col.kind, distinct: seen.size, allIntegers, rows: count, example };
}

/** summarizeTarget's numeric case over a big table's usable rows: one indexed loop over the column's chunks. */
function summarizeNumbers(col: RawColumn, rows: Int32Array): TargetSummary {
  const seen = new Set<number>();
  let allIntegers = true;
  let count = 0;
  let example: string | undefined;
  const chunks = col.numberChunks();
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    const v = chunks[i >>> CHUNK_BITS][i & CHUNK_MASK];
    if (Number.isNaN(v)) continue;
    count++;
    if (allIntegers && !Number.isInteger(v)) allIntegers = false;
    if (seen.size <= MAX_AUTO_CLASSES) seen.add(v);
    if (example === undefined) example = String(v);
  }
  return { kind: col.kind, distinct: seen.size, allIntegers, rows: count, example };
}

/**
 * Numeric with ≤ 2 distinct values → binary; text → binary or multiclass by count; integers with few
 * distinct values (≤ 20 and ≤ 5% of rows) → multiclass; otherwise regression.
 */
export function inferTask(s: TargetSummary): Task {
  if (s.kind === 'categorical') return s.distinct <= 2 ? 'binary' : 'multiclass';
  if (s.distinct <= 2) return 'binary';
  if (s.allIntegers && s.distinct <= MAX_AUTO_CLASSES && s.distinct <= MAX_CLASS_SHARE * s.rows) return 'multiclass';
  return 'regression';
}

const NUMERIC_LABEL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Sort order for categories and class labels: numerically when all look like numbers, else by code point. */
export function sortLabels(labels: Iterable<string>): string[] {
  const out = [...labels];
  if (out.every((l) => NUMERIC_LABEL.test(l))) return out.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
