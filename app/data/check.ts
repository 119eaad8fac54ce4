/**
 * The Data view's "would this race start?" answer: runs the same preparation the trainer runs at
 * race start and reports its first objection with the control that fixes it, so the user sees it
 * while choosing settings rather than after pressing Start.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSpec } from './spec';
import { loadTable, type LoadOptions } from './load';
import { prepareTable, type DataSpecInput } from './prepare';
import type { RawTable } from './table';
import { DataError } from './types';
import type { DataCheck, DataControl, DataProblem } from './check-result';

export type { DataCheck, DataControl, DataProblem } from './check-result';

const MISSING_HINT = /\s*\(set preprocessing\.missing to "drop" or "fill-mean" to continue\)/;

/** Which control fixes a preparation error, and the error in the words of the Data view. */
export function describeDataError(err: DataError): DataProblem {
  // The CLI's hint quotes option values ("drop"): not the cell, so it goes before the value is read.
  let message = err.reason.replace(MISSING_HINT, '');
  const where = { row: err.row, column: err.column };
  // A missing value is an empty cell: say so rather than quote some other word of the message.
  const value = /^missing value/.test(message) ? '' : /"((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  const withValue = (control: DataControl, text: string): DataProblem => ({
    control,
    message: text,
    ...where,
    ...(value !== undefined && err.row !== undefined ? { value } : {}),
  });
  if (/missing value|non-numeric value/.test(message)) {
    const inTarget = message.includes('in the target');
    const fix = inTarget
      ? 'Set "Missing values" to "Drop the row" to skip such rows.'
      : 'Set "Missing values" to "Drop the row" or "Fill with the column mean", or set this column\'s Role to Ignore.';
    return withValue('missing', `${capitalise(message)}. ${fix}`);
  }
  if (err.field === 'preprocessing.oneHot') {
    return withValue('oneHot', `${capitalise(message.replace(/; enable preprocessing\.oneHot or add the column to ignore/, ''))}. Tick "One-hot encode categorical features" or set this column's Role to Ignore.`);
  }
  if (err.field === 'dateOrder') {
    const fix = message.replace(/; set data\.dateOrder to .*$/, '');
    return withValue('dates', `${capitalise(fix)}. Choose "Day first" or "Month first" under "Dates with the year last".`);
  }
  if (err.field === 'expandDates') return withValue('roles', `${capitalise(message)}. Correct the cell, or set this column's Role to Ignore.`);
  if (/only one column/.test(message)) return withValue('file', `${capitalise(message)}. Open a file with the target and at least one feature column.`);
  if (err.field === 'features' || err.field === 'ignore' || /feature column/.test(message)) {
    return withValue('roles', `${capitalise(message)}. Give at least one other column the Role "Feature".`);
  }
  if (err.field === 'target') return withValue('target', capitalise(message));
  if (/target column is constant/.test(message)) return withValue('target', `${capitalise(message)}. Choose another Target column.`);
  if (/classification|regression needs|classes/.test(message)) return withValue('task', `${capitalise(message)}. Choose another Task or Target column.`);
  if (/split|validation|training rows|test rows/i.test(message)) return withValue('split', capitalise(message));
  return withValue('file', capitalise(message));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Checks a loaded table against the data settings. Never throws for data problems. */
export function checkTable(table: RawTable, spec: DataSpec | DataSpecInput): DataCheck {
  try {
    const prepared = prepareTable(table, spec);
    return {
      ok: true,
      problems: [],
      task: prepared.task,
      inputDim: prepared.inputDim,
      trainRows: prepared.train.rows,
      validationRows: prepared.validation?.rows ?? 0,
      notes: prepared.notes,
    };
  } catch (err) {
    if (err instanceof DataError) return { ok: false, problems: [describeDataError(err)], notes: [] };
    throw err;
  }
}

/** Loaded tables are kept per file (by size and modification time), so each setting change is cheap. */
export class TableCache {
  private entry: { key: string; table: RawTable } | null = null;

  async load(spec: DataSpec | DataSpecInput, options: LoadOptions = {}): Promise<RawTable> {
    const source = spec.source;
    const key = source.kind === 'file' ? fileKey(resolve(options.baseDir ?? '.', source.path), source.format, source.targetPath) : null;
    if (key !== null && this.entry?.key === key) return this.entry.table;
    const table = await loadTable(source as DataSpec['source'], options);
    if (key !== null) this.entry = { key, table };
    return table;
  }
}

function fileKey(path: string, format: string | undefined, targetPath: string | undefined): string | null {
  try {
    const st = statSync(path);
    return [path, st.size, st.mtimeMs, format ?? '', targetPath ?? ''].join('\0');
  } catch {
    return null; // let the loader report the missing file
  }
}

/** Loads (or reuses) the data and checks it; a file that cannot be read is a 'file' problem. */
export async function checkData(spec: DataSpec | DataSpecInput, cache: TableCache, options: LoadOptions = {}): Promise<DataCheck> {
  let table: RawTable;
  try {
    table = await cache.load(spec, { maxFileBytes: (spec as DataSpec).maxFileBytes, ...options });
  } catch (err) {
    if (err instanceof DataError) {
      const p = describeDataError(err);
      return { ok: false, problems: [{ ...p, control: 'file' }], notes: [] };
    }
    throw err;
  }
  return checkTable(table, spec);
}
