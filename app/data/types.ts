/** What the data layer hands to training and export: numeric matrices plus how they were made. */
import { z } from 'zod';

export type Task = 'regression' | 'binary' | 'multiclass';
export const taskSchema = z.enum(['regression', 'binary', 'multiclass']);

/**
 * Row-major matrices, Float32Array or (for experiments with float64 runs) Float64Array; y has one
 * column for regression/binary, K one-hot columns for multiclass.
 */
export interface Split {
  x: Float32Array | Float64Array;
  y: Float32Array | Float64Array;
  rows: number;
  /** One non-negative weight per row (data.weight); absent when rows count equally. */
  weights?: Float64Array;
}

/**
 * y_train = (y − mean) / scale. With several targets, `columns` holds each output's own mean and
 * scale (in output order) and mean/scale repeat the first one's.
 */
export interface TargetScaling {
  mean: number;
  scale: number;
  columns?: { mean: number; scale: number }[];
}

/** The mean and scale of output k. */
export function scalingOf(t: TargetScaling, k: number): { mean: number; scale: number } {
  return t.columns?.[k] ?? t;
}

/** Everything needed to turn a raw row into a network input at inference time (exported beside weights). */
export interface Preprocessing {
  /** Raw feature columns in the order they are consumed. */
  featureColumns: string[];
  /** Names of the network inputs after one-hot expansion, e.g. "color=red". */
  inputNames: string[];
  /**
   * Per raw numeric feature, and per input of an expanded date (named "column:part"): mean and scale
   * used for standardisation (scale 1, mean 0 when off).
   */
  standardization: { column: string; mean: number; scale: number }[];
  /** Per categorical feature: the categories, in one-hot order. */
  oneHot: { column: string; categories: string[] }[];
  /**
   * Date columns expanded into numeric parts (data.expandDates), in `parts` order: year, month, day,
   * weekday (0 = Monday), sin and cos of 2π·(day of year − 1)/days in the year, days since
   * 1970-01-01. `order` says how dates with the year last were read (ISO dates are always year first).
   */
  dates?: { column: string; order: 'ymd' | 'dmy' | 'mdy'; parts: string[] }[];
  /** The (first) target column. */
  target: string;
  /** Every target column in output order, when there are several (multi-output regression). */
  targets?: string[];
  /** The sample-weight column, when one was given. */
  weight?: string;
  task: Task;
  /** Class labels in output order (binary: [negative, positive]); absent for regression. */
  classLabels?: string[];
  /**
   * Regression target standardisation used in training: y_train = (y − mean) / scale. Exported
   * weights already undo it (their output is in original units); absent when the target is unscaled.
   */
  targetScaling?: TargetScaling;
  /** Missing-value policy applied and what it did. */
  missing: { policy: 'error' | 'drop' | 'fill-mean'; droppedRows: number; filledCells: number };
}

export interface PreparedData {
  task: Task;
  inputDim: number;
  outputDim: number;
  train: Split;
  validation?: Split;
  test?: Split;
  preprocessing: Preprocessing;
  /** Human notes on what loading did (rows dropped, columns one-hot encoded, …). */
  notes: string[];
}

/** A load/validation failure that says where. Every loader error is one of these. */
export class DataError extends Error {
  readonly file?: string;
  readonly row?: number; // 1-based, as the user sees it in an editor (header is row 1 for CSV)
  readonly column?: string;
  readonly field?: string;
  /** The message without the location prefix, for UIs that show the location themselves. */
  readonly reason: string;
  constructor(message: string, where: { file?: string; row?: number; column?: string; field?: string } = {}) {
    const loc = [
      where.file,
      where.row !== undefined ? `row ${where.row}` : undefined,
      where.column !== undefined ? `column "${where.column}"` : undefined,
      where.field !== undefined ? `field ${where.field}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    super(loc ? `${loc}: ${message}` : message);
    this.name = 'DataError';
    this.reason = message;
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
    this.field = where.field;
  }
}
