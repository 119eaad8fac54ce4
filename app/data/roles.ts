/** Column roles: which raw columns are the targets, the sample weight and the features. */
import { targetsOf, type DataSpec } from './spec';
import type { RawColumn, RawTable } from './table';
import { DataError } from './types';

export interface Roles {
  /** Target columns in output order (one unless multi-output regression). */
  targets: RawColumn[];
  weight?: RawColumn;
  features: RawColumn[];
}

function missingColumn(table: RawTable, role: string, name: string, field: string): DataError {
  const available = table.columns.map((c) => c.name).join(', ');
  const hint = table.headerDetected === false ? ' (no header row was detected: the first row looked like data, so columns got generated names)' : '';
  return new DataError(`${role} column "${name}" not found; available columns: ${available}${role === 'target' ? hint : ''}`, { file: table.file, column: name, field });
}

export function resolveRoles(table: RawTable, spec: DataSpec, notes: string[]): Roles {
  const file = table.file;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const targetNames = [...new Set(targetsOf(spec))];
  const targets = targetNames.map((name) => {
    const col = byName.get(name);
    if (col === undefined) throw missingColumn(table, 'target', name, 'target');
    return col;
  });
  const named: [string, string[], string][] = [
    ['feature', spec.features ?? [], 'features'],
    ['ignored', spec.ignore, 'ignore'],
    ['weight', spec.weight === undefined ? [] : [spec.weight], 'weight'],
    ['date', spec.expandDates ?? [], 'expandDates'],
  ];
  for (const [role, names, field] of named) for (const name of names) if (!byName.has(name)) throw missingColumn(table, role, name, field);
  const weight = spec.weight === undefined ? undefined : (byName.get(spec.weight) as RawColumn);
  if (weight && targetNames.includes(weight.name)) throw new DataError('the weight column cannot also be a target', { file, column: weight.name, field: 'weight' });
  const ignored = new Set(spec.ignore);
  const clash = spec.features?.find((f) => targetNames.includes(f) || f === spec.weight);
  if (clash !== undefined) {
    throw new DataError(`the ${clash === spec.weight ? 'weight' : 'target'} column cannot also be a feature`, { file, column: clash, field: 'features' });
  }
  const reserved = new Set([...targetNames, ...(spec.weight ? [spec.weight] : [])]);
  let names = spec.features ? [...new Set(spec.features)] : table.columns.map((c) => c.name).filter((n) => !reserved.has(n));
  if (!spec.features) {
    // Wholly empty columns (e.g. from a trailing delimiter on every line) carry nothing; skip them
    // rather than fail on their first empty cell. Named explicitly, they still go through the policy.
    const empty = names.filter((n) => !ignored.has(n) && (byName.get(n) as RawColumn).missingCount === table.rowCount);
    if (empty.length > 0) {
      notes.push(`column${empty.length > 1 ? 's' : ''} ${empty.map((n) => `"${n}"`).join(', ')} ${empty.length > 1 ? 'are' : 'is'} empty and not used`);
      names = names.filter((n) => !empty.includes(n));
    }
  }
  const features = names.filter((n) => !ignored.has(n)).map((n) => byName.get(n) as RawColumn);
  if (features.length === 0) {
    throw new DataError(
      table.columns.length === 1
        ? `only one column ("${targets[0].name}"); a dataset needs at least one feature column besides the target`
        : 'no feature columns left after removing the target and the ignored columns',
      { file, field: 'features' },
    );
  }
  for (const name of spec.expandDates ?? []) {
    if (features.some((f) => f.name === name)) continue;
    const role = targetNames.includes(name) ? 'the target' : name === spec.weight ? 'the sample weight' : 'not a feature';
    throw new DataError(`is listed in expandDates but is ${ignored.has(name) ? 'ignored' : role}; only a feature column can be expanded into date parts`, { file, column: name, field: 'expandDates' });
  }
  return { targets, weight, features };
}
