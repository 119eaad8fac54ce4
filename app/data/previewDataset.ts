/** The Data view's first look at a file: column kinds and statistics, first rows, a suggested target. */
import { basename } from 'node:path';
import type { DataSource } from './spec';
import { columnHints } from './columnHints';
import { inferTask, summarizeTarget } from './infer';
import { loadTable, type LoadOptions } from './load';
import type { ColumnInfo, DatasetPreview } from './preview';
import type { RawColumn, RawTable } from './table';

const HEAD_ROWS = 20;
const TOP_VALUES = 20;
const TARGET_NAMES = ['target', 'label', 'y', 'class'];

function numericInfo(col: RawColumn, n: number): ColumnInfo {
  const values = new Float64Array(col.numericCount);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = col.number(i);
    if (!Number.isNaN(v)) values[k++] = v;
  }
  // Sorting a copy counts distinct values exactly with less memory than a Set of numbers.
  values.sort();
  let distinct = 0;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    if (i === 0 || values[i] !== values[i - 1]) distinct++;
    sum += values[i];
  }
  const info: ColumnInfo = { name: col.name, kind: 'numeric', missing: n - k, distinct };
  if (k > 0) {
    const mean = sum / k;
    let ss = 0;
    for (let i = 0; i < k; i++) ss += (values[i] - mean) ** 2;
    Object.assign(info, { min: values[0], max: values[k - 1], mean, std: Math.sqrt(ss / k) });
  }
  return info;
}

function categoricalInfo(col: RawColumn, n: number): ColumnInfo {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const c = col.category(i);
    if (c === undefined) missing++;
    else counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const topValues = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, TOP_VALUES)
    .map(([value, count]) => ({ value, count }));
  return { name: col.name, kind: 'categorical', missing, distinct: counts.size, topValues };
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** The cell as shown in the head table; '' for missing. */
function display(col: RawColumn, i: number): string {
  return col.text(i) ?? col.category(i) ?? '';
}

export function suggestTarget(names: string[]): string {
  for (const wanted of TARGET_NAMES) {
    const hit = names.find((n) => n.toLowerCase() === wanted);
    if (hit !== undefined) return hit;
  }
  return names[names.length - 1];
}

/** Preview of an already-loaded table. */
export function previewTable(table: RawTable, file: string): DatasetPreview {
  const n = table.rowCount;
  const columns = table.columns.map((c) => (c.kind === 'numeric' ? numericInfo(c, n) : categoricalInfo(c, n)));
  const head: string[][] = [];
  const headRows: number[] = [];
  for (let i = 0; i < Math.min(n, HEAD_ROWS); i++) {
    head.push(table.columns.map((c) => display(c, i)));
    headRows.push(table.rowNumber(i));
  }
  const suggestedTarget = suggestTarget(table.columns.map((c) => c.name));
  const target = table.columns.find((c) => c.name === suggestedTarget) as RawColumn;
  return {
    file,
    format: table.format,
    rowCount: n,
    columns,
    head,
    headRows,
    hints: columnHints(table),
    suggestedTarget,
    inferredTask: inferTask(summarizeTarget(target, range(n))),
  };
}

/** Loads a dataset file (format from its extension) and summarises it for the Data view. */
export async function previewDataset(path: string, options: LoadOptions = {}): Promise<DatasetPreview> {
  return previewSource({ kind: 'file', path }, options);
}

/** Like previewDataset, for any data source (inline tables included). */
export async function previewSource(source: DataSource, options: LoadOptions = {}): Promise<DatasetPreview> {
  const table = await loadTable(source, options);
  return previewTable(table, source.kind === 'file' ? basename(source.path) : 'inline data');
}
