/**
 * The fast path for CSV: DuckDB parses the file (in parallel, straight into float64 columns) with the
 * dialect our own sniffing found on the first 64 kB — delimiter and header — so both readers see the
 * same table. It takes the common case only: UTF-8 text whose every field is a plain number (decimal
 * point) or empty, one record per line. Anything else (text or missing-value words in a column,
 * decimal commas — DuckDB's decimal_separator also takes "1,5e3", which ours reads as text — quoted
 * line breaks, blank lines, ragged rows, not UTF-8) makes it return null, and the JavaScript loader
 * reads the file with its own messages, notes and row numbers.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { delimiterName, HEADER_SAMPLE, isBlank, looksLikeHeader, readSample, sniffDelimiter, type Delimiter, type Sample } from './csv';
import { fileLiteral, streamColumns, withDuckDb } from './duckdb';
import { classifyText, type RawTable, TableBuilder } from './table';

interface Dialect {
  delimiter: Delimiter;
  hasHeader: boolean;
  names: string[];
  /** Columns with text in the sample are read as VARCHAR and each cell read as the JavaScript loader does. */
  kinds: ('double' | 'text')[];
}

/** The JavaScript loader's decisions, made on the sample alone; null when the sample cannot tell. */
function dialectOf(sample: Sample): Dialect | null {
  const delimiter = sniffDelimiter(sample.text, sample.complete);
  const parsed = Papa.parse<string[]>(sample.text, { delimiter, preview: HEADER_SAMPLE + 2, skipEmptyLines: false });
  const records = parsed.data;
  if (!sample.complete) records.pop(); // may be cut mid-record
  if (records.length === 0 || parsed.errors.length > 0 || records.some(isBlank)) return null;
  if (!sample.complete && records.length < HEADER_SAMPLE + 1) return null;
  const [first, ...rest] = records;
  const hasHeader = looksLikeHeader(first, rest.slice(0, HEADER_SAMPLE));
  const names = hasHeader ? first.map((n, j) => n.trim() || `col${j + 1}`) : first.map((_, j) => `col${j + 1}`);
  const data = hasHeader ? rest : records;
  if (data.some((r) => r.length !== first.length)) return null;
  // A cell DuckDB's DOUBLE would not read (text, a missing-value word, a decimal comma) makes the column text.
  const kinds = first.map((_, j) => (data.some((r) => typeof classifyText(r[j]) !== 'number' && r[j].trim() !== '') ? 'text' : 'double') as 'double' | 'text');
  return { delimiter, hasHeader, names, kinds };
}

/** Line breaks in the file (a last line without one counts too): one record per line is the rule here. */
function countLines(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let lines = 0;
    let last = 10;
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => {
        const buf = chunk as Buffer;
        for (let k = buf.indexOf(10); k !== -1; k = buf.indexOf(10, k + 1)) lines++;
        if (buf.length > 0) last = buf[buf.length - 1];
      })
      .on('error', reject)
      .on('end', () => resolve(lines + (last === 10 ? 0 : 1)));
  });
}

class NotPlainNumbers extends Error {}

/**
 * Whether a DOUBLE chunk holds no inf and, when it has no NULLs, no NaN: DuckDB parses "inf" and "nan"
 * as numbers, which the JavaScript loader reads as text or missing. v − v is 0 for finite v only, so
 * one pass tells both.
 */
function plainNumbers(values: Float64Array, missing: number): boolean {
  if (missing === 0) {
    for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0) return false;
  } else {
    for (let i = 0; i < values.length; i++) if (values[i] - values[i] !== 0 && !Number.isNaN(values[i])) return false;
  }
  return true;
}

/**
 * DuckDB's read buffer per CSV scan: its default (16 × the longest line) raised the peak memory of a
 * big load well above the JavaScript loader's. This equals its longest-line limit, so a longer line is
 * an error and the JavaScript loader takes the file.
 */
const BUFFER_BYTES = 2 * 1024 * 1024;

/** The table DuckDB reads, or null when the file needs the JavaScript loader. */
export function loadCsvWithDuckDb(path: string, file: string): Promise<RawTable | null> {
  return withDuckDb(() => readCsv(path, file));
}

async function readCsv(path: string, file: string): Promise<RawTable | null> {
  const sample = await readSample(path, file);
  if (sample.notUtf8 || sample.text.trim() === '') return null;
  const dialect = dialectOf(sample);
  const literal = fileLiteral(path);
  if (dialect === null || literal === null) return null;
  const { delimiter, hasHeader, names, kinds } = dialect;
  const decimalComma = delimiter !== ',';
  const width = names.length;
  const builder = new TableBuilder(file, 'csv', names, 'index', hasHeader ? 2 : 1);
  builder.headerDetected = hasHeader;
  builder.reader = 'duckdb';
  builder.notes.push(`${delimiterName(delimiter)}-separated; ` + (hasHeader ? 'first row read as the header' : `no header row found; columns named col1…col${width}`));
  const columns = kinds.map((kind, j) => `'c${j}': '${kind === 'double' ? 'DOUBLE' : 'VARCHAR'}'`).join(', ');
  const sql =
    `SELECT * FROM read_csv(${literal}, delim = '${delimiter === '\t' ? '\\t' : delimiter}', quote = '"', escape = '"', ` +
    `header = ${hasHeader}, columns = {${columns}}, ` +
    `auto_detect = false, buffer_size = ${BUFFER_BYTES}, strict_mode = true, null_padding = false, ignore_errors = false, nullstr = '')`;
  let rows = 0;
  try {
    const [lines] = await Promise.all([
      countLines(path),
      streamColumns(sql, kinds, (chunk, count) => {
        for (let j = 0; j < width; j++) {
          const column = chunk[j];
          if (column.kind === 'text') {
            for (const v of column.values) builder.push(j, v === null ? null : classifyText(v, decimalComma));
            continue;
          }
          if (!plainNumbers(column.values, column.missing)) throw new NotPlainNumbers();
          builder.pushNumbers(j, column.values, column.missing);
        }
        rows += count;
      }),
    ]);
    if (lines !== rows + (hasHeader ? 1 : 0)) return null;
  } catch {
    // DuckDB refused the file (a cell its DOUBLE cannot read, a ragged row, …): the JavaScript loader
    // reads it and reports what is wrong in its own words.
    return null;
  }
  if (rows === 0) return null;
  return builder.finish();
}
