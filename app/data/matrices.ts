/** One split's matrices (float32, or float64 for float64 runs; and sample weights) from the table and the fitted plans. */
import type { FeaturePlan } from './featurePlan';
import type { RawColumn, RawTable } from './table';
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

function writeInputs(x: Float32Array | Float64Array, base: number, i: number, table: RawTable, plans: FeaturePlan[], limit: number): void {
  for (const p of plans) {
    if (p.kind === 'numeric') {
      const v = p.col.number(i);
      const z = ((Number.isNaN(v) ? p.fill : v) - p.mean) / p.scale;
      if (!(Math.abs(z) <= limit)) throw outOfRange(table, i, p.col, v);
      x[base + p.offset] = z;
    } else if (p.kind === 'date') {
      const c = p.col.category(i);
      const v = (c === undefined ? undefined : p.values.get(c)) ?? p.fill;
      for (let k = 0; k < v.length; k++) x[base + p.offset + k] = (v[k] - p.mean[k]) / p.scale[k];
    } else {
      const c = p.col.category(i) ?? p.fill;
      const k = c === undefined ? undefined : p.index.get(c);
      if (k !== undefined) x[base + p.offset + k] = 1;
    }
  }
}

function writeTargets(y: Float32Array | Float64Array, r: number, i: number, table: RawTable, c: SplitColumns, limit: number): void {
  const { enc, targets } = c;
  if (enc.classOf === undefined) {
    targets.forEach((target, k) => {
      const v = target.number(i);
      if (!(Math.abs(v) <= limit)) throw outOfRange(table, i, target, v);
      y[r * enc.outputDim + k] = v;
    });
  } else if (enc.task === 'binary') y[r] = enc.classOf[i];
  else y[r * enc.outputDim + enc.classOf[i]] = 1;
}

function readWeight(table: RawTable, col: RawColumn, i: number): number {
  const w = col.number(i);
  if (!(w >= 0) || !Number.isFinite(w)) {
    throw new DataError(`sample weight ${w} is not allowed; weights must be finite and ≥ 0`, { file: table.file, row: table.rowNumber(i), column: col.name });
  }
  return w;
}

/**
 * Fills one split's matrices. Rows are visited in table order (not the shuffled output order) so
 * every column is read front to back; each visit writes one contiguous output row. On big tables
 * this avoids a cache miss per cell.
 */
export function buildSplit(indices: Int32Array, table: RawTable, c: SplitColumns): Split {
  const tableRows = table.rowCount;
  const rows = indices.length;
  const Floats = c.precision === 'float64' ? Float64Array : Float32Array;
  const limit = c.precision === 'float64' ? Number.MAX_VALUE : FLOAT32_MAX;
  const x = new Floats(rows * c.inputDim);
  const y = new Floats(rows * c.enc.outputDim);
  const weights = c.weight ? new Float64Array(rows) : undefined;
  const outRowOf = new Int32Array(tableRows).fill(-1);
  for (let r = 0; r < rows; r++) outRowOf[indices[r]] = r;
  for (let i = 0; i < tableRows; i++) {
    const r = outRowOf[i];
    if (r < 0) continue;
    writeInputs(x, r * c.inputDim, i, table, c.plans, limit);
    writeTargets(y, r, i, table, c, limit);
    if (weights) weights[r] = readWeight(table, c.weight as RawColumn, i);
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
