/**
 * data.expandDates: a date column becomes numeric inputs (DATE_PARTS) instead of one-hot text. The
 * day/month order is decided once from every usable row, each distinct date is read once, and the
 * parts are standardised with the training rows' means and scales like any numeric feature.
 */
import { DATE_PARTS, dateParts, decideDateOrder, parseDate, type DateOrder } from './dates';
import type { DataSpec } from './spec';
import type { RawColumn, RawTable } from './table';
import { DataError } from './types';

export interface DatePlan {
  kind: 'date';
  col: RawColumn;
  offset: number;
  order: DateOrder;
  /** The parts of each distinct date text. */
  values: Map<string, Float64Array>;
  /** Per part: the training mean (fills a missing cell under fill-mean), and the standardisation. */
  fill: Float64Array;
  mean: Float64Array;
  scale: Float64Array;
}

/** Input names of an expanded date column, e.g. "Bestelldatum:year". */
export function dateInputNames(column: string): string[] {
  return DATE_PARTS.map((p) => `${column}:${p}`);
}

function orderOf(table: RawTable, col: RawColumn, texts: string[], firstRow: number[], spec: DataSpec): DateOrder {
  const where = (k: number) => ({ file: table.file, row: table.rowNumber(firstRow[k]), column: col.name, field: 'dateOrder' });
  const decision = decideDateOrder(texts.length, (k) => texts[k]);
  if ('order' in decision) return spec.dateOrder === 'dmy' || spec.dateOrder === 'mdy' ? (decision.order === 'ymd' ? 'ymd' : spec.dateOrder) : decision.order;
  if (spec.dateOrder === 'dmy' || spec.dateOrder === 'mdy') return spec.dateOrder;
  if (decision.problem === 'mixed') {
    const [d, m] = [decision.dayFirst, decision.monthFirst];
    const later = Math.max(d, m);
    throw new DataError(
      `"${texts[later]}" contradicts "${texts[later === d ? m : d]}" (row ${table.rowNumber(firstRow[later === d ? m : d])}): one is only a date read day first, the other only month first; use one order in the column`,
      where(later),
    );
  }
  const text = texts[decision.at];
  throw new DataError(
    `"${text}" could be day/month/year or month/day/year, and no date in the column has a day above 12 to tell; set data.dateOrder to "dmy" or "mdy" (CLI --date-order)`,
    where(decision.at),
  );
}

/** Plans one expanded date column from the usable rows (order, values) and the training rows (means, scales). */
export function planDate(table: RawTable, col: RawColumn, offset: number, rows: Int32Array, train: Int32Array, spec: DataSpec, notes: string[]): DatePlan {
  const file = table.file;
  if (col.kind === 'numeric') {
    throw new DataError('holds numbers, not dates written as text (such as 2024-03-01 or 01.03.2024), so it cannot be expanded into date parts', { file, column: col.name, field: 'expandDates' });
  }
  const firstRowOf = new Map<string, number>();
  for (const i of rows) {
    const c = col.category(i);
    if (c !== undefined && !firstRowOf.has(c)) firstRowOf.set(c, i);
  }
  const texts = [...firstRowOf.keys()];
  const firstRow = [...firstRowOf.values()];
  const order = orderOf(table, col, texts, firstRow, spec);
  const values = new Map<string, Float64Array>();
  texts.forEach((text, k) => {
    const date = parseDate(text, order === 'mdy' ? 'mdy' : 'dmy');
    if (typeof date === 'string') {
      // A month above 12 under an order the user chose is fixed by that choice, not by the cell.
      const field = /^month/.test(date) && (spec.dateOrder === 'dmy' || spec.dateOrder === 'mdy') ? 'dateOrder' : 'expandDates';
      throw new DataError(`cell "${text}" is not a date: ${date}`, { file, row: table.rowNumber(firstRow[k]), column: col.name, field });
    }
    values.set(text, dateParts(date));
  });
  const n = DATE_PARTS.length;
  const sum = new Float64Array(n);
  let count = 0;
  for (const i of train) {
    const v = values.get(col.category(i) as string);
    if (v === undefined) continue;
    for (let k = 0; k < n; k++) sum[k] += v[k];
    count++;
  }
  if (count === 0 && spec.preprocessing.missing === 'fill-mean' && col.missingCount > 0) {
    throw new DataError('no dates in the training rows to compute a fill value from', { file, column: col.name });
  }
  const fill = sum.map((s) => s / count);
  const mean = new Float64Array(n);
  const scale = new Float64Array(n).fill(1);
  if (spec.preprocessing.standardize) {
    const ss = new Float64Array(n);
    for (const i of train) {
      const v = values.get(col.category(i) as string);
      if (v !== undefined) for (let k = 0; k < n; k++) ss[k] += (v[k] - fill[k]) ** 2;
    }
    const constant: string[] = [];
    for (let k = 0; k < n; k++) {
      const std = Math.sqrt(ss[k] / count);
      mean[k] = Number.isFinite(fill[k]) ? fill[k] : 0;
      if (std > 0 && Number.isFinite(std)) scale[k] = std;
      else constant.push(DATE_PARTS[k]);
    }
    if (constant.length > 0) notes.push(`date column "${col.name}": ${constant.join(', ')} constant on the training rows; scale set to 1`);
  }
  const read = order === 'ymd' ? 'year first' : order === 'dmy' ? 'day/month/year' : 'month/day/year';
  notes.push(`date column "${col.name}" (read ${read}) expanded into ${n} inputs: ${DATE_PARTS.join(', ')}`);
  return { kind: 'date', col, offset, order, values, fill, mean, scale };
}
