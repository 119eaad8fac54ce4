/** The missing-value policy applied to a table: which rows are usable, and what it did. */
import type { DataSpec } from './spec';
import { CHUNK_BITS, CHUNK_MASK, type RawColumn, type RawTable } from './table';
import { DataError } from './types';

/** Describes why a cell cannot be used as a number (numeric columns) or category; null when fine. */
export function cellProblem(col: RawColumn, i: number): string | null {
  if (col.kind === 'numeric') {
    if (!Number.isNaN(col.number(i))) return null;
    const t = col.text(i);
    return t === undefined ? 'missing value' : `non-numeric value "${t.length > 40 ? t.slice(0, 40) + '…' : t}"`;
  }
  return col.isMissing(i) ? 'missing value' : null;
}

/** Whether row i of the column may have a problem: only a cell with no number can have one (see cellProblem). */
const maybeProblem = (chunks: readonly Float64Array[], i: number): boolean => Number.isNaN(chunks[i >>> CHUNK_BITS][i & CHUNK_MASK]);

export const hasProblems = (col: RawColumn): boolean => col.missingCount > 0 || (col.kind === 'numeric' && col.textCount > 0);

/**
 * Rows every column can use. Target and weight cells cannot be filled, so under 'fill-mean' their
 * bad rows are dropped too; under 'error' the first bad cell is the error.
 */
export function usableRows(
  table: RawTable,
  targets: RawColumn[],
  weight: RawColumn | undefined,
  features: RawColumn[],
  policy: DataSpec['preprocessing']['missing'],
  notes: string[],
): { rows: Int32Array; droppedRows: number } {
  const file = table.file;
  const n = table.rowCount;
  const keep = new Uint8Array(n).fill(1);
  const required = weight ? [...targets, weight] : targets;
  const checked = [...required, ...features].filter(hasProblems);
  const chunks = checked.map((c) => c.numberChunks());
  if (policy === 'error') {
    for (let i = 0; i < n && checked.length > 0; i++) {
      for (let j = 0; j < checked.length; j++) {
        if (!maybeProblem(chunks[j], i)) continue;
        const col = checked[j];
        const problem = cellProblem(col, i);
        if (problem === null) continue;
        const role = col === weight ? ' in the weight' : targets.includes(col) ? ' in the target' : '';
        const hint = role ? '' : ' (set preprocessing.missing to "drop" or "fill-mean" to continue)';
        throw new DataError(`${problem}${role}${hint}`, {
          file,
          row: table.rowNumber(i),
          column: col.name,
        });
      }
    }
  } else {
    const dropCols = policy === 'drop' ? checked : checked.filter((c) => required.includes(c));
    for (const col of dropCols) {
      const colChunks = chunks[checked.indexOf(col)];
      for (let i = 0; i < n; i++) if (keep[i] && maybeProblem(colChunks, i) && cellProblem(col, i) !== null) keep[i] = 0;
    }
  }
  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i];
  const rows = new Int32Array(kept);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) rows[k++] = i;
  const droppedRows = n - kept;
  if (droppedRows > 0) notes.push(`${droppedRows} of ${n} rows dropped for missing or non-numeric values`);
  if (kept < 2) throw new DataError(`only ${kept} usable row(s) after dropping rows with missing values; need at least 2`, { file });
  return { rows, droppedRows };
}

/** Under 'fill-mean': how many feature cells will be filled, with a note per column. */
export function countFilled(features: RawColumn[], rows: Int32Array, notes: string[], dates: ReadonlySet<string> = new Set()): number {
  let filledCells = 0;
  for (const col of features) {
    if (!hasProblems(col)) continue;
    const chunks = col.numberChunks();
    let filled = 0;
    for (const i of rows) if (maybeProblem(chunks, i) && cellProblem(col, i) !== null) filled++;
    if (filled > 0) notes.push(`column "${col.name}": ${filled} missing cells filled with the training ${col.kind === 'numeric' ? 'mean' : dates.has(col.name) ? 'mean of each date part' : 'most frequent value'}`);
    filledCells += filled;
  }
  return filledCells;
}
