/**
 * Parquet and JSON Lines files, read by DuckDB: numeric and boolean columns arrive as float64 in bulk;
 * text columns value by value through the same cell reading as CSV text (so "NA" is missing and "3.5"
 * a number); other types (dates, lists, nested objects, blobs, …) are refused with the column's name.
 */
import { duckdbError, duckdbStatus, describeQuery, fileLiteral, streamDoubleColumns, streamValueColumns, withDuckDb, type ColumnInfo } from './duckdb';
import { classifyText, type RawTable, TableBuilder } from './table';
import { DataError } from './types';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?|BOOLEAN)$/;
const TEXT = /^(VARCHAR|ENUM\(.*\))$/;
/** Dates and timestamps (JSON Lines strings DuckDB recognised as dates, Parquet DATE columns) are read as their ISO text. */
const DATELIKE = /^(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMP WITH TIME ZONE)$/;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function loadParquet(path: string, file: string): Promise<RawTable> {
  return loadWithDuckDb(path, file, 'parquet');
}

/** JSON Lines (.jsonl, .ndjson): one JSON object per line, its keys the columns. */
export function loadJsonLines(path: string, file: string): Promise<RawTable> {
  return loadWithDuckDb(path, file, 'jsonl');
}

const KIND_NAMES = { parquet: 'Parquet', jsonl: 'JSON Lines' } as const;

function loadWithDuckDb(path: string, file: string, format: 'parquet' | 'jsonl'): Promise<RawTable> {
  return withDuckDb(() => readWithDuckDb(path, file, format));
}

async function readWithDuckDb(path: string, file: string, format: 'parquet' | 'jsonl'): Promise<RawTable> {
  const what = KIND_NAMES[format];
  const literal = fileLiteral(path);
  if (literal === null) throw new DataError(`a ${what} path may not contain * ? [ ] { } or a URL scheme`, { file });
  const status = await duckdbStatus();
  if (!status.available) throw new DataError(`${what} files are read by DuckDB, which is not available: ${status.reason}`, { file });
  const source = format === 'parquet' ? `read_parquet(${literal})` : `read_json(${literal}, format = 'newline_delimited')`;
  let columns: ColumnInfo[];
  try {
    columns = await describeQuery(`SELECT * FROM ${source}`);
  } catch (e) {
    throw duckdbError(e, file);
  }
  if (columns.length === 0) throw new DataError(`${what} file has no columns`, { file });
  for (const c of columns) {
    if (!NUMERIC.test(c.type) && !TEXT.test(c.type) && !DATELIKE.test(c.type)) {
      throw new DataError(`column type ${c.type} cannot be used (numbers, booleans, dates and text only)`, { file, column: c.name });
    }
  }
  const builder = new TableBuilder(file, format, columns.map((c) => c.name));
  const numeric = columns.map((c, j) => ({ c, j })).filter(({ c }) => NUMERIC.test(c.type));
  const text = columns.map((c, j) => ({ c, j })).filter(({ c }) => TEXT.test(c.type) || DATELIKE.test(c.type));
  try {
    if (numeric.length > 0) {
      const select = numeric.map(({ c }) => `CAST(${quoteIdent(c.name)} AS DOUBLE)`).join(', ');
      await streamDoubleColumns(`SELECT ${select} FROM ${source}`, numeric.length, (values, missing) => {
        numeric.forEach(({ j }, k) => builder.pushNumbers(j, values[k], missing[k]));
      });
    }
    if (text.length > 0) {
      const select = text.map(({ c }) => (DATELIKE.test(c.type) ? `CAST(${quoteIdent(c.name)} AS VARCHAR)` : quoteIdent(c.name))).join(', ');
      await streamValueColumns(`SELECT ${select} FROM ${source}`, (values) => {
        text.forEach(({ j }, k) => {
          for (const v of values[k]) builder.push(j, v === null ? null : classifyText(String(v)));
        });
      });
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw duckdbError(e, file);
  }
  builder.reader = 'duckdb';
  return builder.finish();
}
