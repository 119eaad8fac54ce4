/**
 * Columns that would quietly hurt a model if used as features: identifiers (a different value on
 * every row, so one-hot encoding memorises rows), dates (text, so each day becomes a category) and
 * categorical columns whose one-hot encoding alone would add many inputs. Pure functions over a
 * loaded table; the Data view shows them and proposes a role.
 */
import { looksLikeDate } from './dates';
import type { RawColumn, RawTable } from './table';

export { looksLikeDate } from './dates';

/** One-hot encoding a column with more categories than this gets a warning (one input per category). */
export const WIDE_ONE_HOT = 50;
/** Below this many rows "unique per row" says little. */
const MIN_ROWS_FOR_ID = 10;
/** Share of non-missing cells that must look like dates. */
const DATE_SHARE = 0.9;
const ID_NAME = /(^|[\s_\-.])(id|uuid|guid|key|index|idx|nr|no|number|code)$|^(id|uuid|guid|idx)([\s_\-.]|$)|Id$|ID$/i;

export type ColumnHintKind = 'identifier' | 'date' | 'wide-one-hot';

export interface ColumnHint {
  column: string;
  kind: ColumnHintKind;
  /** Inputs one-hot encoding this column would add (categorical columns). */
  inputs?: number;
  /** One sentence for the Data view, saying what was seen and why it matters. */
  message: string;
}

function distinctCategories(col: RawColumn, n: number): number {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const c = col.category(i);
    if (c !== undefined) seen.add(c);
  }
  return seen.size;
}

function isDateColumn(col: RawColumn, n: number): boolean {
  if (col.kind !== 'categorical') return false;
  let cells = 0;
  let dates = 0;
  for (let i = 0; i < n; i++) {
    const t = col.category(i);
    if (t === undefined) continue;
    cells++;
    if (looksLikeDate(t)) dates++;
  }
  return cells > 0 && dates >= DATE_SHARE * cells;
}

/** Integers, all different, and either named like a key or counting up without gaps (1, 2, 3, …). */
function isNumericIdentifier(col: RawColumn, n: number): boolean {
  if (col.missingCount > 0 || col.textCount > 0) return false;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = col.number(i);
    if (!Number.isInteger(v)) return false;
    values[i] = v;
  }
  values.sort();
  for (let i = 1; i < n; i++) if (values[i] === values[i - 1]) return false;
  const consecutive = values[n - 1] - values[0] === n - 1;
  return consecutive || ID_NAME.test(col.name.trim());
}

/**
 * Hints for every column of the table; the target is not excluded here (the caller knows the roles).
 * Each column gets at most one hint: identifier before date before wide one-hot.
 */
export function columnHints(table: RawTable): ColumnHint[] {
  const n = table.rowCount;
  const hints: ColumnHint[] = [];
  for (const col of table.columns) {
    if (col.kind === 'numeric') {
      if (n >= MIN_ROWS_FOR_ID && isNumericIdentifier(col, n)) {
        hints.push({ column: col.name, kind: 'identifier', message: `"${col.name}" looks like an identifier: a different whole number on every row, which says nothing about the target.` });
      }
      continue;
    }
    const distinct = distinctCategories(col, n);
    if (isDateColumn(col, n)) {
      hints.push({ column: col.name, kind: 'date', inputs: distinct, message: `"${col.name}" holds dates; as text each of its ${distinct} days would become its own one-hot input.` });
    } else if (n >= MIN_ROWS_FOR_ID && distinct === n - col.missingCount) {
      hints.push({ column: col.name, kind: 'identifier', inputs: distinct, message: `"${col.name}" looks like an identifier: a different value on every row, so one-hot encoding would add ${distinct} inputs that only memorise rows.` });
    } else if (distinct > WIDE_ONE_HOT) {
      hints.push({ column: col.name, kind: 'wide-one-hot', inputs: distinct, message: `One-hot encoding "${col.name}" would add ${distinct} inputs (one per category).` });
    }
  }
  return hints;
}
