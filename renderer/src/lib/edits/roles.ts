/**
 * Column roles (feature, date expanded into parts, target, sample weight, ignore) as edits of the
 * experiment's data section.
 */
import { targetsOf, type DataSpec } from '../../../../app/ui';

export type ColumnRole = 'feature' | 'date' | 'target' | 'weight' | 'ignore';

export function roleOf(data: DataSpec, column: string): ColumnRole {
  if (targetsOf(data).includes(column)) return 'target';
  if (data.weight === column) return 'weight';
  if (data.ignore.includes(column)) return 'ignore';
  if (data.features && !data.features.includes(column)) return 'ignore';
  if (data.expandDates?.includes(column)) return 'date';
  return 'feature';
}

/**
 * Sets one column's role in place; `columns` are the file's column names. `add`: a column made a
 * target joins the targets (the column table: several targets make a multi-output regression)
 * instead of replacing the one there (the target picker). Returns whether the targets changed.
 */
export function setRole(data: DataSpec, columns: readonly string[] | null, column: string, role: ColumnRole, mode: 'replace' | 'add' = 'replace'): boolean {
  const targets = targetsOf(data);
  // An explicit feature list becomes "everything not ignored", which says the same thing.
  if (data.features && columns) {
    const keep = new Set(data.features);
    data.ignore = columns.filter((n) => !targets.includes(n) && n !== data.weight && !keep.has(n));
    data.features = undefined;
  }
  if (data.weight === column && role !== 'weight') data.weight = undefined;
  // A date column is a feature read as a date: in expandDates exactly while its role is 'date'.
  const dates = (data.expandDates ?? []).filter((n) => n !== column);
  if (role === 'date') dates.push(column);
  data.expandDates = dates.length > 0 ? dates : undefined;
  if (dates.length === 0) data.dateOrder = undefined;
  let targetsChanged = false;
  if (role !== 'target' && targets.includes(column) && targets.length > 1) {
    const rest = targets.filter((t) => t !== column);
    data.target = rest.length === 1 ? rest[0] : rest;
    targetsChanged = true;
  }
  if (role === 'target') {
    const next = mode === 'add' ? (targets.includes(column) ? targets : [...targets.filter(Boolean), column]) : [column];
    data.target = next.length === 1 ? next[0] : next;
    data.ignore = data.ignore.filter((n) => n !== column);
    targetsChanged = true;
  } else if (role === 'weight') {
    data.weight = column;
    data.ignore = data.ignore.filter((n) => n !== column);
  } else if (role === 'ignore') {
    if (!data.ignore.includes(column)) data.ignore = [...data.ignore, column];
  } else {
    data.ignore = data.ignore.filter((n) => n !== column);
  }
  return targetsChanged;
}
