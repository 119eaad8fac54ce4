/**
 * From a raw table to training matrices: column roles, task, missing values, seeded splits,
 * standardisation and one-hot encoding fitted on the training rows, Float32 row-major output.
 */
import type { z } from 'zod';
import { type DataSpec, dataSpecSchema } from './spec';
import { inferTask, MAX_AUTO_CLASSES, sortLabels, summarizeTarget } from './infer';
import { loadTable } from './load';
import { splitRows } from './split';
import type { RawColumn, RawTable } from './table';
import { DataError, type Preprocessing, type PreparedData, type Split, type Task } from './types';

/** One-hot encoding more categories than this is almost always an id column by mistake. */
export const MAX_CATEGORIES = 1000;

/** Element type of prepared matrices (the engine's Precision; data sits beside engine, so spelled here). */
export type Precision = 'float32' | 'float64';

export type DataSpecInput = z.input<typeof dataSpecSchema>;

export interface PrepareOptions {
  /** Folder that a relative source path is resolved against. */
  baseDir?: string;
  /**
   * Element type of the prepared matrices: float32 (default) or float64, which keeps every value as
   * the loader parsed it (a float64 run's data never passes through a Float32Array).
   */
  precision?: Precision;
}

/** Loads the source named by the spec and prepares it for training. The training runner's entry. */
export async function prepareData(spec: DataSpec | DataSpecInput, options: PrepareOptions = {}): Promise<PreparedData> {
  const parsed = parseSpec(spec);
  const table = await loadTable(parsed.source, { baseDir: options.baseDir, maxFileBytes: parsed.maxFileBytes });
  return prepareTable(table, parsed, options.precision);
}

function parseSpec(spec: DataSpec | DataSpecInput): DataSpec {
  const r = dataSpecSchema.safeParse(spec);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new DataError(`invalid data spec: ${issue.message}`, { field: issue.path.join('.') || 'data' });
}

/** Describes why a cell cannot be used as a number (numeric columns) or category; null when fine. */
function cellProblem(col: RawColumn, i: number): string | null {
  if (col.kind === 'numeric') {
    if (!Number.isNaN(col.number(i))) return null;
    const t = col.text(i);
    return t === undefined ? 'missing value' : `non-numeric value "${t.length > 40 ? t.slice(0, 40) + '…' : t}"`;
  }
  return col.isMissing(i) ? 'missing value' : null;
}

const hasProblems = (col: RawColumn) => col.missingCount > 0 || (col.kind === 'numeric' && col.textCount > 0);

interface Roles {
  target: RawColumn;
  features: RawColumn[];
}

function resolveRoles(table: RawTable, spec: DataSpec, notes: string[]): Roles {
  const file = table.file;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const available = table.columns.map((c) => c.name).join(', ');
  const target = byName.get(spec.target);
  if (target === undefined) {
    const hint = table.headerDetected === false ? ' (no header row was detected: the first row looked like data, so columns got generated names)' : '';
    throw new DataError(`target column "${spec.target}" not found; available columns: ${available}${hint}`, {
      file,
      column: spec.target,
      field: 'target',
    });
  }
  for (const [role, names] of [
    ['feature', spec.features ?? []],
    ['ignored', spec.ignore],
  ] as const) {
    for (const name of names) {
      if (!byName.has(name)) {
        throw new DataError(`${role} column "${name}" not found; available columns: ${available}`, {
          file,
          column: name,
          field: role === 'feature' ? 'features' : 'ignore',
        });
      }
    }
  }
  const ignored = new Set(spec.ignore);
  if (spec.features?.includes(spec.target)) {
    throw new DataError('the target column cannot also be a feature', { file, column: spec.target, field: 'features' });
  }
  let names = spec.features ? [...new Set(spec.features)] : table.columns.map((c) => c.name).filter((n) => n !== spec.target);
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
        ? `only one column ("${target.name}"); a dataset needs at least one feature column besides the target`
        : 'no feature columns left after removing the target and the ignored columns',
      { file, field: 'features' },
    );
  }
  return { target, features };
}

interface TargetEncoding {
  task: Task;
  /** Class index per table row (classification only). */
  classOf?: Int32Array;
  classLabels?: string[];
  outputDim: number;
}

function encodeTarget(table: RawTable, target: RawColumn, rows: Int32Array, requested: DataSpec['task'], notes: string[]): TargetEncoding {
  const file = table.file;
  const where = { file, column: target.name };
  const summary = summarizeTarget(target, rows);
  if (summary.distinct <= 1) {
    throw new DataError(`target column is constant (every usable row is ${JSON.stringify(summary.example ?? '')}); there is nothing to learn`, where);
  }
  const task: Task = requested === 'auto' ? inferTask(summary) : requested;
  if (requested === 'auto') {
    notes.push(
      `task inferred as ${task} from target "${target.name}" (${target.kind}, ${summary.distinct > MAX_AUTO_CLASSES && target.kind === 'numeric' ? `more than ${MAX_AUTO_CLASSES}` : summary.distinct} distinct values)`,
    );
  }
  if (task === 'regression') {
    if (target.kind === 'categorical') {
      throw new DataError(`target holds text (e.g. ${JSON.stringify(summary.example)}); regression needs a numeric target`, where);
    }
    return { task, outputDim: 1 };
  }

  const distinct = new Set<string>();
  for (const i of rows) {
    distinct.add(target.category(i) as string);
    if (distinct.size > MAX_CATEGORIES) {
      throw new DataError(`target has more than ${MAX_CATEGORIES} distinct values; too many classes for ${task} classification`, where);
    }
  }
  if (task === 'binary' && distinct.size !== 2) {
    throw new DataError(`binary classification needs exactly 2 distinct target values, found ${distinct.size}`, where);
  }
  const classLabels = sortLabels(distinct);
  const index = new Map(classLabels.map((l, k) => [l, k]));
  const classOf = new Int32Array(table.rowCount).fill(-1);
  for (const i of rows) classOf[i] = index.get(target.category(i) as string) as number;
  if (task === 'binary') notes.push(`target "${target.name}": ${JSON.stringify(classLabels[0])} → 0, ${JSON.stringify(classLabels[1])} → 1`);
  else notes.push(`target "${target.name}": ${classLabels.length} classes, one-hot encoded`);
  return { task, classOf, classLabels, outputDim: task === 'binary' ? 1 : classLabels.length };
}

function classesOf(rows: Int32Array, classOf: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = classOf[rows[k]];
  return out;
}

/** How one raw feature becomes network inputs. */
type FeaturePlan =
  | { kind: 'numeric'; col: RawColumn; offset: number; fill: number; mean: number; scale: number }
  | { kind: 'categorical'; col: RawColumn; offset: number; fill: string | undefined; index: Map<string, number> };

function planNumeric(col: RawColumn, train: Int32Array, standardize: boolean, notes: string[]): { fill: number; mean: number; scale: number } {
  let sum = 0;
  let count = 0;
  for (let r = 0; r < train.length; r++) {
    const v = col.number(train[r]);
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  // Cells still missing at this point are filled (policy fill-mean) with the training mean.
  const fill = count > 0 ? sum / count : NaN;
  if (!standardize) return { fill, mean: 0, scale: 1 };
  let ss = 0;
  for (let r = 0; r < train.length; r++) {
    const v = col.number(train[r]);
    if (!Number.isNaN(v)) ss += (v - fill) * (v - fill);
  }
  const std = Math.sqrt(ss / train.length);
  if (!(std > 0) || !Number.isFinite(std)) {
    notes.push(`column "${col.name}" is constant on the training rows; standardisation scale set to 1`);
    return { fill, mean: fill, scale: 1 };
  }
  return { fill, mean: fill, scale: std };
}

function planCategorical(col: RawColumn, rows: Int32Array, train: Int32Array, file: string): { fill: string | undefined; categories: string[] } {
  const seen = new Set<string>();
  for (const i of rows) {
    const c = col.category(i);
    if (c === undefined) continue;
    seen.add(c);
    if (seen.size > MAX_CATEGORIES) {
      throw new DataError(`more than ${MAX_CATEGORIES} distinct values; too many to one-hot encode (ignore this column?)`, {
        file,
        column: col.name,
      });
    }
  }
  const categories = sortLabels(seen);
  const counts = new Map<string, number>();
  for (const i of train) {
    const c = col.category(i);
    if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  // Most frequent training category; ties go to the first in category order.
  let fill: string | undefined;
  let best = 0;
  for (const c of categories) {
    const k = counts.get(c) ?? 0;
    if (k > best) {
      best = k;
      fill = c;
    }
  }
  return { fill, categories };
}

const FLOAT32_MAX = 3.4028234663852886e38;

function outOfRange(table: RawTable, i: number, col: RawColumn, v: number): DataError {
  return new DataError(`value ${v} is too large for float32 training data (magnitude up to ~3.4e38, after standardisation)`, {
    file: table.file,
    row: table.rowNumber(i),
    column: col.name,
  });
}

/**
 * Fills one split's matrices. Rows are visited in table order (not the shuffled output order) so
 * every column is read front to back; each visit writes one contiguous output row. On big tables
 * this avoids a cache miss per cell.
 */
function buildSplit(indices: Int32Array, table: RawTable, plans: FeaturePlan[], inputDim: number, target: RawColumn, enc: TargetEncoding, precision: Precision): Split {
  const tableRows = table.rowCount;
  const rows = indices.length;
  const Floats = precision === 'float64' ? Float64Array : Float32Array;
  const limit = precision === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
  const x = new Floats(rows * inputDim);
  const y = new Floats(rows * enc.outputDim);
  const outRowOf = new Int32Array(tableRows).fill(-1);
  for (let r = 0; r < rows; r++) outRowOf[indices[r]] = r;
  const classOf = enc.classOf;
  for (let i = 0; i < tableRows; i++) {
    const r = outRowOf[i];
    if (r < 0) continue;
    const base = r * inputDim;
    for (const p of plans) {
      if (p.kind === 'numeric') {
        const v = p.col.number(i);
        const z = ((Number.isNaN(v) ? p.fill : v) - p.mean) / p.scale;
        if (!(Math.abs(z) <= limit)) throw outOfRange(table, i, p.col, v);
        x[base + p.offset] = z;
      } else {
        const c = p.col.category(i) ?? p.fill;
        const k = c === undefined ? undefined : p.index.get(c);
        if (k !== undefined) x[base + p.offset + k] = 1;
      }
    }
    if (classOf === undefined) {
      const v = target.number(i);
      if (!(Math.abs(v) <= limit)) throw outOfRange(table, i, target, v);
      y[r] = v;
    }
    else if (enc.task === 'binary') y[r] = classOf[i];
    else y[r * enc.outputDim + classOf[i]] = 1;
  }
  return { x, y, rows };
}

/** Prepares an already-loaded table (see prepareData). */
export function prepareTable(table: RawTable, specInput: DataSpec | DataSpecInput, precision: Precision = 'float32'): PreparedData {
  const spec = parseSpec(specInput);
  const file = table.file;
  const n = table.rowCount;
  if (n === 0) {
    throw new DataError(table.format === 'csv' ? 'no data rows (the file has a header only)' : 'no data rows', { file });
  }
  if (n < 2) throw new DataError('only one data row; training needs at least 2', { file });
  const notes = [...table.notes];
  const { target, features } = resolveRoles(table, spec, notes);
  const policy = spec.preprocessing.missing;

  // Missing target cells cannot be filled, so for 'fill-mean' their rows are dropped too.
  const keep = new Uint8Array(n).fill(1);
  const checked = [target, ...features].filter(hasProblems);
  if (policy === 'error') {
    for (let i = 0; i < n && checked.length > 0; i++) {
      for (const col of checked) {
        const problem = cellProblem(col, i);
        if (problem !== null) {
          const hint = col === target ? '' : ' (set preprocessing.missing to "drop" or "fill-mean" to continue)';
          throw new DataError(`${problem}${col === target ? ' in the target' : ''}${hint}`, { file, row: table.rowNumber(i), column: col.name });
        }
      }
    }
  } else {
    const dropCols = policy === 'drop' ? checked : checked.filter((c) => c === target);
    for (const col of dropCols) for (let i = 0; i < n; i++) if (keep[i] && cellProblem(col, i) !== null) keep[i] = 0;
  }
  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i];
  const rows = new Int32Array(kept);
  for (let i = 0, k = 0; i < n; i++) if (keep[i]) rows[k++] = i;
  const droppedRows = n - kept;
  if (droppedRows > 0) notes.push(`${droppedRows} of ${n} rows dropped for missing or non-numeric values`);
  if (kept < 2) throw new DataError(`only ${kept} usable row(s) after dropping rows with missing values; need at least 2`, { file });

  let filledCells = 0;
  if (policy === 'fill-mean') {
    for (const col of features) {
      if (!hasProblems(col)) continue;
      let filled = 0;
      for (const i of rows) if (cellProblem(col, i) !== null) filled++;
      if (filled > 0) notes.push(`column "${col.name}": ${filled} missing cells filled with the training ${col.kind === 'numeric' ? 'mean' : 'most frequent value'}`);
      filledCells += filled;
    }
  }

  const enc = encodeTarget(table, target, rows, spec.task, notes);
  const stratify = enc.classOf !== undefined && spec.split.stratify;
  const split = splitRows(rows, {
    validation: spec.split.validation,
    test: spec.split.test,
    seed: spec.split.seed,
    file,
    strata: stratify ? classesOf(rows, enc.classOf as Int32Array) : undefined,
  });
  notes.push(
    `split (seed ${spec.split.seed}${stratify ? ', stratified' : ''}): ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test rows`,
  );

  const plans: FeaturePlan[] = [];
  const inputNames: string[] = [];
  const standardization: Preprocessing['standardization'] = [];
  const oneHot: Preprocessing['oneHot'] = [];
  for (const col of features) {
    const offset = inputNames.length;
    if (col.kind === 'numeric') {
      const p = planNumeric(col, split.train, spec.preprocessing.standardize, notes);
      if (Number.isNaN(p.fill) && policy === 'fill-mean' && hasProblems(col)) {
        throw new DataError('no values in the training rows to compute a fill mean from', { file, column: col.name });
      }
      plans.push({ kind: 'numeric', col, offset, ...p });
      standardization.push({ column: col.name, mean: p.mean, scale: p.scale });
      inputNames.push(col.name);
    } else {
      if (!spec.preprocessing.oneHot) {
        const example = rows.length > 0 ? (col.category(rows.find((i) => col.category(i) !== undefined) ?? rows[0]) ?? '') : '';
        throw new DataError(
          `column holds text (e.g. ${JSON.stringify(example)}); enable preprocessing.oneHot or add the column to ignore`,
          { file, column: col.name, field: 'preprocessing.oneHot' },
        );
      }
      const { fill, categories } = planCategorical(col, rows, split.train, file);
      plans.push({ kind: 'categorical', col, offset, fill, index: new Map(categories.map((c, k) => [c, k])) });
      oneHot.push({ column: col.name, categories });
      for (const c of categories) inputNames.push(`${col.name}=${c}`);
      notes.push(`column "${col.name}" one-hot encoded into ${categories.length} inputs`);
    }
  }
  if (spec.preprocessing.standardize && standardization.length > 0) {
    notes.push(`numeric features standardised with the mean and standard deviation of the ${split.train.length} training rows`);
  }
  const inputDim = inputNames.length;
  if (inputDim === 0) throw new DataError('the feature columns produce no inputs (every value is missing)', { file });

  const make = (idx: Int32Array) => buildSplit(idx, table, plans, inputDim, target, enc, precision);
  const preprocessing: Preprocessing = {
    featureColumns: features.map((c) => c.name),
    inputNames,
    standardization,
    oneHot,
    target: target.name,
    task: enc.task,
    missing: { policy, droppedRows, filledCells },
  };
  if (enc.classLabels) preprocessing.classLabels = enc.classLabels;
  return {
    task: enc.task,
    inputDim,
    outputDim: enc.outputDim,
    train: make(split.train),
    validation: split.validation.length > 0 ? make(split.validation) : undefined,
    test: split.test.length > 0 ? make(split.test) : undefined,
    preprocessing,
    notes,
  };
}
