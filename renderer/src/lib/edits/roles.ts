/** Column roles (feature, target, ignore) as edits of the experiment's data section. */
import type { DataSpec } from '../../../../app/ui';

export type ColumnRole = 'feature' | 'target' | 'ignore';

export function roleOf(data: DataSpec, column: string): ColumnRole {
  if (column === data.target) return 'target';
  if (data.ignore.includes(column)) return 'ignore';
  if (data.features && !data.features.includes(column)) return 'ignore';
  return 'feature';
}

/** Sets one column's role in place; `columns` are the file's column names. */
export function setRole(data: DataSpec, columns: readonly string[] | null, column: string, role: ColumnRole): void {
  // An explicit feature list becomes "everything not ignored", which says the same thing.
  if (data.features && columns) {
    const keep = new Set(data.features);
    data.ignore = columns.filter((n) => n !== data.target && !keep.has(n));
    data.features = undefined;
  }
  if (role === 'target') {
    data.target = column;
    data.ignore = data.ignore.filter((n) => n !== column);
  } else if (role === 'ignore') {
    if (!data.ignore.includes(column)) data.ignore = [...data.ignore, column];
  } else {
    data.ignore = data.ignore.filter((n) => n !== column);
  }
}
