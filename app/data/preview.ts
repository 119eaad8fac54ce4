/** A first look at a dataset for the Data view, before roles are chosen. */
import type { ColumnHint } from './columnHints';
import type { Task } from './types';

export interface ColumnInfo {
  name: string;
  kind: 'numeric' | 'categorical';
  missing: number;
  distinct: number;
  /** Numeric columns only. */
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  /** Categorical columns: up to 20 most frequent values. */
  topValues?: { value: string; count: number }[];
}

export interface DatasetPreview {
  file: string; // display name
  format: 'csv' | 'json' | 'jsonl' | 'npy' | 'npz' | 'parquet' | 'inline';
  rowCount: number;
  columns: ColumnInfo[];
  /** First rows, as displayed strings ('' for missing). */
  head: string[][];
  /** The head rows' numbers as errors name them (CSV: the line in the file, header included). */
  headRows?: number[];
  /** Likely identifiers, dates and columns whose one-hot encoding would add many inputs. */
  hints?: ColumnHint[];
  /** Last column by default, or one named target/label/y/class. */
  suggestedTarget: string;
  /** Task the target suggests (with the override the user may choose). */
  inferredTask: Task;
}
