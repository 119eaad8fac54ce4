/** One split's matrices (float32, or float64 for float64 runs; and sample weights) from the table and the fitted plans. */
import type { FeaturePlan, NumericPlan } from './featurePlan';
import { CHUNK_MASK, type RawColumn, type RawTable } from './table';
import type { TargetEncoding } from './targetEncoding';
import { DataError, type Split } from './types';

const FLOAT32_MAX = 3.4028234663852886e38;

function outOfRange(table: RawTable, i: number, col: RawColumn, v: number): DataError {
  return new DataError(`value ${v} is too large for float32 training data (magnitude up to ~3.4e38, after standardisation)`, {
    file: table.file,
    row: table.rowNumber(i),
    column: col.name,
  });
}

export interface SplitColumns {
  plans: FeaturePlan[];
  inputDim: number;
  targets: RawColumn[];
  enc: TargetEncoding;
  weight?: RawColumn;
  /** float64 keeps every value as parsed (no float32 rounding); float32 refuses values beyond its range. */
  precision?: 'float32' | 'float64';
}

/** The numeric plans as parallel arrays, so the row loop reads plain arrays rather than plan objects. */
function numericColumns(plans: FeaturePlan[]) {
  const numeric = plans.filter((p): p is Extract<FeaturePlan, { kind: 'numeric' }> => p.kind === 'numeric');
  return {
    cols: numeric.map((p) => p.col),
    chunks: numeric.map((p) => p.col.numberChunks()),
    offset: Int32Array.from(numeric, (p) => p.offset),
    fill: Float64Array.from(numeric, (p) => p.fill),
    mean: Float64Array.from(numeric, (p) => p.mean),
    scale: Float64Array.from(numeric, (p) => p.scale),
  };
}

function readWeight(table: RawTable, col: RawColumn, i: number, w: number): number {
  if (!(w >= 0) || !Number.isFinite(w)) {
    throw new DataError(`sample weight ${w} is not allowed; weights must be finite and ≥ 0`, { file: table.file, row: table.rowNumber(i), column: col.name });
  }
  return w;
}

/**
 * A split's numeric inputs, written before buildSplit: one column at a time, from the column's values
 * in the split's own row order (the training statistics produce exactly these), so each write is
 * sequential. buildSplit otherwise places every table row at a random output row, which on a big
 * table costs a cache miss per row; here the only random access is the one the statistics already made.
 */
export interface NumericInputs {
  readonly x: Float32Array | Float64Array;
  readonly rows: number;
  readonly inputDim: number;
  /** Numeric columns written so far. */
  columns: number;
  /** False once a value was out of range: buildSplit then reads the table itself to report the first bad cell in row order. */
  inRange: boolean;
  /** Each table row's output row (-1 when not in the split), when `write` was given it. */
  outRowOf?: Int32Array;
  /** Writes one numeric plan's column from its values in the split's row order. */
  write(plan: NumericPlan, values: Float64Array, outRowOf?: Int32Array): void;
}

export function numericInputs(rows: number, inputDim: number, precision: 'float32' | 'float64' = 'float32'): NumericInputs {
  const x = precision === 'float64' ? new Float64Array(rows * inputDim) : new Float32Array(rows * inputDim);
  const limit = precision === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
  const out: NumericInputs = {
    x,
    rows,
    inputDim,
    columns: 0,
    inRange: true,
    write({ fill, mean, scale, offset }, values, outRowOf) {
      out.outRowOf = outRowOf;
      if (!writeColumn(x, values, rows, offset, inputDim, fill, mean, scale, limit)) out.inRange = false;
      out.columns++;
    },
  };
  return out;
}

/** One column of x from its values in row order; false when a value is out of range. A function of its own so V8 optimises it whole (see featurePlan's loops). */
function writeColumn(
  x: Float32Array | Float64Array,
  values: Float64Array,
  rows: number,
  offset: number,
  inputDim: number,
  fill: number,
  mean: number,
  scale: number,
  limit: number,
): boolean {
  let inRange = true;
  for (let r = 0, at = offset; r < rows; r++, at += inputDim) {
    const v = values[r];
    // The same expression as buildSplit's, so the matrices are bit-identical either way.
    const z = ((v !== v ? fill : v) - mean) / scale;
    if (!(Math.abs(z) <= limit)) inRange = false;
    x[at] = z;
  }
  return inRange;
}

/**
 * Fills one split's matrices. Rows are visited in table order (not the shuffled output order) so
 * every column is read front to back, chunk by chunk; each visit writes one contiguous output row.
 * On big tables this avoids a cache miss per cell. Checks run in row order, inputs before targets
 * before the weight, so the first bad cell is the one reported. With `written` (every numeric plan's
 * column already in x, all in range) the numeric inputs are not read again.
 */
export function buildSplit(indices: Int32Array, table: RawTable, c: SplitColumns, written?: NumericInputs): Split {
  const tableRows = table.rowCount;
  const rows = indices.length;
  const Floats = c.precision === 'float64' ? Float64Array : Float32Array;
  const limit = c.precision === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
  const inputDim = c.inputDim;
  const { enc, targets, weight } = c;
  const K = enc.outputDim;
  const numericPlans = c.plans.filter((p) => p.kind === 'numeric').length;
  const prefilled =
    written !== undefined && written.inRange && written.columns === numericPlans && written.rows === rows && written.inputDim === inputDim && written.x instanceof Floats;
  const x = prefilled ? written.x : new Floats(rows * inputDim);
  const y = new Floats(rows * K);
  const weights = weight ? new Float64Array(rows) : undefined;
  let outRowOf = prefilled ? written.outRowOf : undefined;
  if (outRowOf === undefined || outRowOf.length !== tableRows) {
    outRowOf = new Int32Array(tableRows).fill(-1);
    for (let r = 0; r < rows; r++) outRowOf[indices[r]] = r;
  }
  const num = numericColumns(prefilled ? [] : c.plans);
  const { offset, fill, mean, scale } = num;
  const nNum = num.cols.length;
  const categorical = c.plans.filter((p): p is Extract<FeaturePlan, { kind: 'categorical' }> => p.kind === 'categorical');
  const dates = c.plans.filter((p): p is Extract<FeaturePlan, { kind: 'date' }> => p.kind === 'date');
  const classOf = enc.classOf;
  const binary = enc.task === 'binary';
  const targetChunks = classOf === undefined ? targets.map((t) => t.numberChunks()) : [];
  const weightChunks = weight?.numberChunks();
  // Filled arrays (not new Array(n), whose holes slow every read) of the current chunk of each column.
  const inputs = num.chunks.map((c) => c[0]);
  const outputs = targetChunks.map((c) => c[0]);
  for (let b = 0, start = 0; start < tableRows; b++, start += CHUNK_MASK + 1) {
    for (let j = 0; j < nNum; j++) inputs[j] = num.chunks[j][b];
    for (let k = 0; k < targetChunks.length; k++) outputs[k] = targetChunks[k][b];
    const w = weightChunks?.[b];
    const end = Math.min(tableRows, start + CHUNK_MASK + 1);
    for (let i = start; i < end; i++) {
      const r = outRowOf[i];
      if (r < 0) continue;
      const at = i - start;
      const base = r * inputDim;
      for (let j = 0; j < nNum; j++) {
        const v = inputs[j][at];
        const z = ((v !== v ? fill[j] : v) - mean[j]) / scale[j];
        if (!(Math.abs(z) <= limit)) throw outOfRange(table, i, num.cols[j], v);
        x[base + offset[j]] = z;
      }
      for (let q = 0; q < categorical.length; q++) {
        const p = categorical[q];
        const cat = p.col.category(i) ?? p.fill;
        const k = cat === undefined ? undefined : p.index.get(cat);
        if (k !== undefined) x[base + p.offset + k] = 1;
      }
      for (let q = 0; q < dates.length; q++) {
        const p = dates[q];
        const cell = p.col.category(i);
        const v = (cell === undefined ? undefined : p.values.get(cell)) ?? p.fill;
        for (let k = 0; k < v.length; k++) x[base + p.offset + k] = (v[k] - p.mean[k]) / p.scale[k];
      }
      if (classOf === undefined) {
        for (let k = 0; k < outputs.length; k++) {
          const v = outputs[k][at];
          if (!(Math.abs(v) <= limit)) throw outOfRange(table, i, targets[k], v);
          y[r * K + k] = v;
        }
      } else if (binary) y[r] = classOf[i];
      else y[r * K + classOf[i]] = 1;
      if (weights) weights[r] = readWeight(table, weight as RawColumn, i, (w as Float64Array)[at]);
    }
  }
  return weights ? { x, y, rows, weights } : { x, y, rows };
}

/** Refuses sample weights that leave nothing to fit: every training weight zero. */
export function checkTrainingWeights(train: Split, table: RawTable, weight: RawColumn | undefined): void {
  if (!weight || !train.weights) return;
  let sum = 0;
  for (const w of train.weights) sum += w;
  if (!(sum > 0)) throw new DataError(`every training row has sample weight 0; there is nothing to fit`, { file: table.file, column: weight.name, field: 'weight' });
}
