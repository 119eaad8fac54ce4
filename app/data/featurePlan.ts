/** How raw feature columns become network inputs: standardisation and one-hot plans fitted on the training rows. */
import { dateInputNames, planDate, type DatePlan } from './datePlan';
import { DATE_PARTS } from './dates';
import { sortLabels } from './infer';
import type { DataSpec } from './spec';
import { CHUNK_BITS, type RawColumn, type RawTable } from './table';
import { MAX_CATEGORIES } from './targetEncoding';
import { hasProblems } from './usableRows';
import { DataError, type Preprocessing } from './types';

export interface NumericPlan {
  kind: 'numeric';
  col: RawColumn;
  offset: number;
  fill: number;
  mean: number;
  scale: number;
}

/** How one raw feature becomes network inputs. */
export type FeaturePlan =
  | NumericPlan
  | { kind: 'categorical'; col: RawColumn; offset: number; fill: string | undefined; index: Map<string, number> }
  | DatePlan;

export interface FeaturePlans {
  plans: FeaturePlan[];
  inputNames: string[];
  standardization: Preprocessing['standardization'];
  oneHot: Preprocessing['oneHot'];
  dates: NonNullable<Preprocessing['dates']>;
}

/**
 * The training rows of the table, in their shuffled order, for the column statistics: position[i]
 * is table row i's place among them (-1 when not a training row), and `values` a buffer for one
 * column's values in that order.
 */
interface TrainOrder {
  position: Int32Array;
  values: Float64Array;
}

function trainOrder(rowCount: number, train: Int32Array): TrainOrder {
  const position = new Int32Array(rowCount).fill(-1);
  for (let r = 0; r < train.length; r++) position[train[r]] = r;
  return { position, values: new Float64Array(train.length) };
}

/**
 * The column's training values in training order. The sums below add them in that order (their
 * rounding depends on it); reading the column in table order and placing each value, rather than
 * reading it at shuffled rows, keeps the column's reads sequential on a big table.
 */
function trainValues(col: RawColumn, order: TrainOrder): Float64Array {
  const { position, values } = order;
  const chunks = col.numberChunks();
  for (let b = 0; b < chunks.length; b++) placeChunk(chunks[b], position, b << CHUNK_BITS, values);
  return values;
}

function placeChunk(chunk: Float64Array, position: Int32Array, start: number, values: Float64Array): void {
  for (let k = 0; k < chunk.length; k++) {
    const r = position[start + k];
    if (r >= 0) values[r] = chunk[k];
  }
}

/*
 * The loops over a column are functions of their own, each called once per column: V8 optimises a
 * loop that runs only once by on-stack replacement, which the code after it undoes (deoptimising for
 * want of type feedback), so every column's first pass would run in the interpreter, boxing each value.
 */

function countNumbers(values: Float64Array): number {
  let count = 0;
  for (let r = 0; r < values.length; r++) if (!Number.isNaN(values[r])) count++;
  return count;
}

function sumNumbers(values: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!Number.isNaN(v)) sum += v;
  }
  return sum;
}

function sumSquares(values: Float64Array, mean: number): number {
  let ss = 0;
  for (let r = 0; r < values.length; r++) {
    const v = values[r];
    if (!Number.isNaN(v)) ss += (v - mean) * (v - mean);
  }
  return ss;
}

function planNumeric(col: RawColumn, order: TrainOrder, standardize: boolean, notes: string[]): { fill: number; mean: number; scale: number } {
  const values = trainValues(col, order);
  const n = values.length;
  const count = col.missingCount + col.textCount === 0 ? n : countNumbers(values);
  const sum = sumNumbers(values);
  // Cells still missing at this point are filled (policy fill-mean) with the training mean.
  const fill = count > 0 ? sum / count : NaN;
  if (!standardize) return { fill, mean: 0, scale: 1 };
  const ss = sumSquares(values, fill);
  const std = Math.sqrt(ss / n);
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
      throw new DataError(`more than ${MAX_CATEGORIES} distinct values; too many to one-hot encode (ignore this column?)`, { file, column: col.name });
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

/**
 * Receives each numeric plan with the column's training values in training order, right after they
 * were fitted (`values` is reused for the next column: read it during the call only), and each table
 * row's place among the training rows (-1 for other rows; the same array for every column).
 */
export type TrainValuesSink = (plan: NumericPlan, values: Float64Array, position: Int32Array) => void;

/**
 * Plans every feature from the usable rows (categories) and the training rows (means, scales, fills).
 * `onTrainValues` lets the caller use the training-order values the statistics were computed from.
 */
export function planFeatures(
  table: RawTable,
  features: RawColumn[],
  rows: Int32Array,
  train: Int32Array,
  spec: DataSpec,
  notes: string[],
  onTrainValues?: TrainValuesSink,
): FeaturePlans {
  const file = table.file;
  const out: FeaturePlans = { plans: [], inputNames: [], standardization: [], oneHot: [], dates: [] };
  const expand = new Set(spec.expandDates ?? []);
  let order: TrainOrder | undefined;
  for (const col of features) {
    const offset = out.inputNames.length;
    if (expand.has(col.name)) {
      const p = planDate(table, col, offset, rows, train, spec, notes);
      out.plans.push(p);
      out.dates.push({ column: col.name, order: p.order, parts: [...DATE_PARTS] });
      dateInputNames(col.name).forEach((name, k) => {
        out.standardization.push({ column: name, mean: p.mean[k], scale: p.scale[k] });
        out.inputNames.push(name);
      });
      continue;
    }
    if (col.kind === 'numeric') {
      order ??= trainOrder(table.rowCount, train);
      const p = planNumeric(col, order, spec.preprocessing.standardize, notes);
      if (Number.isNaN(p.fill) && spec.preprocessing.missing === 'fill-mean' && hasProblems(col)) {
        throw new DataError('no values in the training rows to compute a fill mean from', { file, column: col.name });
      }
      const plan: NumericPlan = { kind: 'numeric', col, offset, ...p };
      onTrainValues?.(plan, order.values, order.position);
      out.plans.push(plan);
      out.standardization.push({ column: col.name, mean: p.mean, scale: p.scale });
      out.inputNames.push(col.name);
      continue;
    }
    if (!spec.preprocessing.oneHot) {
      const example = rows.length > 0 ? (col.category(rows.find((i) => col.category(i) !== undefined) ?? rows[0]) ?? '') : '';
      throw new DataError(`column holds text (e.g. ${JSON.stringify(example)}); enable preprocessing.oneHot or add the column to ignore`, {
        file,
        column: col.name,
        field: 'preprocessing.oneHot',
      });
    }
    const { fill, categories } = planCategorical(col, rows, train, file);
    out.plans.push({ kind: 'categorical', col, offset, fill, index: new Map(categories.map((c, k) => [c, k])) });
    out.oneHot.push({ column: col.name, categories });
    for (const c of categories) out.inputNames.push(`${col.name}=${c}`);
    notes.push(`column "${col.name}" one-hot encoded into ${categories.length} inputs`);
  }
  if (spec.preprocessing.standardize && out.standardization.length > 0) {
    notes.push(`numeric features standardised with the mean and standard deviation of the ${train.length} training rows`);
  }
  if (out.inputNames.length === 0) throw new DataError('the feature columns produce no inputs (every value is missing)', { file });
  return out;
}
