/**
 * The raw table every loader produces: named columns of typed cells (number, text or missing),
 * plus the editor-visible row number of each row so later checks can say where a problem is.
 */
import { BLOCK, BLOCK_BITS, growableFloat64, growableInt32, type Growable } from './growable';
import { DataError } from './types';

export type DataFormat = 'csv' | 'json' | 'jsonl' | 'npy' | 'npz' | 'parquet' | 'inline';
export type ColumnKind = 'numeric' | 'categorical';

/** Spellings of "no value" used by spreadsheets, pandas, R and the UCI repository. */
const MISSING_TOKENS = new Set(['NA', 'N/A', 'n/a', 'na', 'NaN', 'nan', 'NAN', 'null', 'NULL', 'Null', 'None', 'none', '?', '#N/A']);

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

export type Cell = number | string | null;

/** Rows per chunk of RawColumn.numberChunks(): row i is chunks[i >>> CHUNK_BITS][i & CHUNK_MASK]. */
export const CHUNK_BITS = BLOCK_BITS;
export const CHUNK_MASK = BLOCK - 1;

/**
 * Reads one text cell: a finite decimal number, null for missing, or the trimmed text.
 * `decimalComma` accepts "1,5" (only safe when the delimiter is not a comma).
 */
export function classifyText(raw: string, decimalComma = false): Cell {
  // Fast path for plain numbers (most cells of a big file): unary + is far cheaper than the regex.
  // It also accepts surrounding spaces, but hex/octal/binary literals must go the slow way.
  const c0 = raw.charCodeAt(0);
  if ((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 46 || c0 === 43) {
    const v = +raw;
    const c1 = raw.charCodeAt(1) | 32;
    if (Number.isFinite(v) && !(c0 === 48 && (c1 === 120 || c1 === 111 || c1 === 98))) return v;
  }
  let s = raw;
  if (s.length > 0 && (s.charCodeAt(0) <= 32 || s.charCodeAt(s.length - 1) <= 32)) s = s.trim();
  if (s.length === 0) return null;
  if (NUMBER.test(s)) {
    const v = +s;
    return Number.isFinite(v) ? v : s;
  }
  if (decimalComma && DECIMAL_COMMA.test(s)) return +s.replace(',', '.');
  if (MISSING_TOKENS.has(s)) return null;
  return s;
}

/** How a number is shown when it is used as a category or class label. */
export function numberLabel(v: number): string {
  return String(v);
}

export interface RawColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly numericCount: number;
  readonly textCount: number;
  readonly missingCount: number;
  /** The numeric value; NaN when the cell is missing or holds text. */
  number(i: number): number;
  /**
   * Every numeric value (NaN where missing or text) as the column stores them, in chunks (see
   * CHUNK_BITS): whole-column passes over a big table read these instead of calling number(i) per
   * cell. The arrays are the table's own; never write to them.
   */
  numberChunks(): readonly Float64Array[];
  /** The text of a non-numeric cell, undefined otherwise. */
  text(i: number): string | undefined;
  /** The cell as a category: its text, or its number formatted; undefined when missing. */
  category(i: number): string | undefined;
  isMissing(i: number): boolean;
}

export interface RawTable {
  /** Path or name used in error messages. */
  readonly file: string;
  readonly format: DataFormat;
  readonly columns: RawColumn[];
  readonly rowCount: number;
  /** Row number of table row i as the user sees it (CSV: editor line, header is line 1; else 1-based record). */
  rowNumber(i: number): number;
  /** What loading noticed (delimiter, header guess, …). */
  readonly notes: string[];
  /** Which reader parsed a CSV file: DuckDB, or the JavaScript (papaparse) loader. */
  readonly reader?: 'duckdb' | 'javascript';
  /** CSV only: false when no header row was found and columns got generated names. */
  readonly headerDetected?: boolean;
}

class ColumnData implements RawColumn {
  kind: ColumnKind = 'numeric';
  numericCount = 0;
  textCount = 0;
  missingCount = 0;
  private readonly values = growableFloat64();
  /** Dictionary code of a text cell, -1 otherwise; allocated at the first text cell. */
  private codes: Growable<Int32Array> | null = null;
  private readonly dictionary = new Map<string, number>();
  private readonly labels: string[] = [];

  constructor(readonly name: string) {}

  get length(): number {
    return this.values.length;
  }

  push(cell: Cell): void {
    if (cell === null) {
      this.values.push(NaN);
      this.codes?.push(-1);
      this.missingCount++;
    } else if (typeof cell === 'number') {
      this.values.push(cell);
      this.codes?.push(-1);
      this.numericCount++;
    } else {
      if (this.codes === null) {
        this.codes = growableInt32();
        for (let i = 0; i < this.values.length; i++) this.codes.push(-1);
      }
      let code = this.dictionary.get(cell);
      if (code === undefined) {
        code = this.labels.length;
        this.labels.push(cell);
        this.dictionary.set(cell, code);
      }
      this.values.push(NaN);
      this.codes.push(code);
      this.textCount++;
    }
  }

  /** Appends numbers (NaN where missing) in bulk; `missing` of them are NaN. */
  pushNumbers(values: Float64Array, missing: number): void {
    if (this.codes !== null) for (let i = 0; i < values.length; i++) this.codes.push(-1);
    this.values.pushAll(values);
    this.numericCount += values.length - missing;
    this.missingCount += missing;
  }

  /**
   * Numeric when numbers outnumber text: a numeric column with a few typos or odd missing markers
   * stays numeric (and the missing-value policy reports them) instead of silently becoming categories.
   */
  finish(): void {
    this.values.trim();
    this.codes?.trim();
    this.kind = this.numericCount > this.textCount || this.textCount === 0 ? 'numeric' : 'categorical';
  }

  number(i: number): number {
    return this.values.get(i);
  }

  numberChunks(): readonly Float64Array[] {
    return this.values.chunks();
  }

  text(i: number): string | undefined {
    if (this.codes === null) return undefined;
    const c = this.codes.get(i);
    return c >= 0 ? this.labels[c] : undefined;
  }

  category(i: number): string | undefined {
    const t = this.text(i);
    if (t !== undefined) return t;
    const v = this.values.get(i);
    return Number.isNaN(v) ? undefined : numberLabel(v);
  }

  isMissing(i: number): boolean {
    return Number.isNaN(this.values.get(i)) && this.text(i) === undefined;
  }
}

/** Collects rows column by column; `finish` decides each column's kind. */
export class TableBuilder {
  private readonly columns: ColumnData[];
  private readonly rowNumbers = growableInt32();
  readonly notes: string[] = [];
  headerDetected?: boolean;
  reader?: 'duckdb' | 'javascript';

  /** rowNumberOf 'index': row i is numbered i + firstRow (CSV without blank lines: 2 after a header). */
  constructor(
    readonly file: string,
    readonly format: DataFormat,
    names: string[],
    private readonly rowNumberOf: 'stored' | 'index' = 'index',
    private readonly firstRow = 1,
  ) {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw new DataError(`duplicate column name "${name}"`, { file, column: name });
      seen.add(name);
    }
    this.columns = names.map((n) => new ColumnData(n));
  }

  get width(): number {
    return this.columns.length;
  }

  get rowCount(): number {
    return this.columns.length > 0 ? this.columns[0].length : 0;
  }

  /** Appends one cell to column j; rows are complete once every column has been pushed. */
  push(j: number, cell: Cell): void {
    this.columns[j].push(cell);
  }

  /** Appends a run of numbers (NaN where missing) to column j. */
  pushNumbers(j: number, values: Float64Array, missing: number): void {
    this.columns[j].pushNumbers(values, missing);
  }

  /** Records the user-visible row number of the row just pushed (only for 'stored'). */
  markRow(rowNumber: number): void {
    this.rowNumbers.push(rowNumber);
  }

  finish(): RawTable {
    for (const c of this.columns) c.finish();
    const rowNumbers = this.rowNumbers;
    const stored = this.rowNumberOf === 'stored';
    const firstRow = this.firstRow;
    return {
      file: this.file,
      format: this.format,
      columns: this.columns,
      rowCount: this.rowCount,
      rowNumber: stored ? (i) => rowNumbers.get(i) : (i) => i + firstRow,
      notes: this.notes,
      headerDetected: this.headerDetected,
      ...(this.reader ? { reader: this.reader } : {}),
    };
  }
}
