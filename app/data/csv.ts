/**
 * Streaming CSV loader (papaparse on a Node read stream). Text is parsed chunk by chunk straight into
 * column storage, so the file's text, its parsed rows and the numeric columns never coexist in full.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import Papa from 'papaparse';
import { classifyText, type RawTable, TableBuilder } from './table';
import { completeLength, firstInvalidUtf8, NotUtf8Error, refuseNul, textDecodingStream, windows1252Note, type TextEncodingName } from './text';
import { DataError } from './types';

export type Delimiter = ',' | ';' | '\t';
const DELIMITERS: Delimiter[] = [',', ';', '\t'];
const SNIFF_BYTES = 64 * 1024;
/** Records looked at before deciding whether the first one is a header. */
export const HEADER_SAMPLE = 50;

export interface CsvOptions {
  /** Force header detection; guessed when omitted. */
  header?: boolean;
  delimiter?: Delimiter;
}

export const delimiterName = (d: Delimiter) => (d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'comma');

/** Picks the delimiter that splits the first lines into the most consistent number (>1) of fields. */
export function sniffDelimiter(sample: string, complete: boolean): Delimiter {
  let best: Delimiter = ',';
  let bestScore = -1;
  for (const d of DELIMITERS) {
    const rows = Papa.parse<string[]>(sample, { delimiter: d, preview: 30, skipEmptyLines: 'greedy' }).data;
    // A sample cut mid-file may end in a partial row.
    if (!complete && rows.length > 1) rows.pop();
    if (rows.length === 0 || rows[0].length < 2) continue;
    const width = rows[0].length;
    const consistent = rows.filter((r) => r.length === width).length / rows.length;
    const score = consistent * 1000 + Math.min(width, 999);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/**
 * Guesses a header: no number in the first record, and no first-record value reappearing in its
 * column in the records that follow (data values repeat, column names do not).
 */
export function looksLikeHeader(first: string[], sample: string[][]): boolean {
  if (first.every((f) => f.trim() === '')) return false;
  for (const f of first) if (typeof classifyText(f) === 'number') return false;
  for (let j = 0; j < first.length; j++) {
    const name = first[j].trim();
    if (name === '') continue;
    for (const row of sample) if (row[j] !== undefined && row[j].trim() === name) return false;
  }
  return true;
}

function countNewlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) {
    let k = f.indexOf('\n');
    while (k !== -1) {
      n++;
      k = f.indexOf('\n', k + 1);
    }
  }
  return n;
}

export const isBlank = (rec: string[]) => rec.length === 1 && rec[0].trim() === '';

export interface Sample {
  text: string;
  complete: boolean;
  /** Set when the sample itself is not UTF-8: the whole file is read as Windows-1252. */
  notUtf8?: { offset: number; byte: number | undefined };
}

export async function readSample(path: string, file: string): Promise<Sample> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    const bytes = buf.subarray(0, bytesRead);
    const complete = bytesRead < SNIFF_BYTES;
    // A multi-byte character cut at the end of a partial sample is not an error.
    const checked = complete ? bytes : bytes.subarray(0, completeLength(bytes));
    if (!isUtf8(checked)) {
      refuseNul(bytes, file);
      const offset = firstInvalidUtf8(checked);
      return { text: new TextDecoder('windows-1252').decode(bytes), complete, notUtf8: { offset, byte: bytes[offset] } };
    }
    const text = new TextDecoder('utf-8').decode(bytes, { stream: !complete });
    return { text: text.replace(/^\ufeff/, ''), complete };
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`cannot read file: ${(e as Error).message}`, { file });
  } finally {
    await handle?.close();
  }
}

/**
 * Loads a CSV file. `file` is the name used in error messages. Text that is not valid UTF-8 is read
 * as Windows-1252 with a note (found in the first 64 kB, or later: then the file is read again).
 */
export async function loadCsv(path: string, file: string, options: CsvOptions = {}): Promise<RawTable> {
  const sample = await readSample(path, file);
  if (sample.text.trim() === '') throw new DataError('file holds only whitespace, no data', { file });
  if (sample.notUtf8) return parseCsv(path, file, options, sample, 'windows-1252', windows1252Note(sample.notUtf8.offset, sample.notUtf8.byte));
  try {
    return await parseCsv(path, file, options, sample, 'utf-8');
  } catch (e) {
    if (!(e instanceof NotUtf8Error)) throw e;
    return parseCsv(path, file, options, sample, 'windows-1252', windows1252Note(e.offset, e.byte));
  }
}

async function parseCsv(
  path: string,
  file: string,
  options: CsvOptions,
  sample: Sample,
  encoding: TextEncodingName,
  encodingNote?: string,
): Promise<RawTable> {
  const delimiter = options.delimiter ?? sniffDelimiter(sample.text, sample.complete);
  const sink = new RecordSink(file, delimiter, options.header, encodingNote);
  await streamRecords(path, file, encoding, delimiter, (records, errors) => sink.add(records, errors), () => sink.end());
  return sink.finish();
}

/**
 * Takes parsed records batch by batch: holds the first HEADER_SAMPLE back to decide whether the first
 * is a header, then classifies every field straight into the table's columns, with file line numbers
 * (quoted fields may span lines) for the messages.
 */
class RecordSink {
  private builder: TableBuilder | null = null;
  private width = 0;
  private hasHeader = false;
  private firstLine = 1;
  /** Records seen before the header decision, with their line numbers. */
  private pending: { rec: string[]; line: number }[] = [];
  private nextLine = 1;
  private readonly decimalComma: boolean;

  constructor(
    private readonly file: string,
    private readonly delimiter: Delimiter,
    private readonly header: boolean | undefined,
    private readonly encodingNote: string | undefined,
  ) {
    this.decimalComma = delimiter !== ',';
  }

  add(records: string[][], errors: Papa.ParseError[]): void {
    const lines = new Int32Array(records.length);
    for (let r = 0; r < records.length; r++) {
      lines[r] = this.nextLine;
      this.nextLine += 1 + countNewlines(records[r]);
    }
    for (const err of errors) {
      if (err.type !== 'Quotes') continue;
      const row = err.row !== undefined && err.row < records.length ? lines[err.row] : undefined;
      const what = err.code === 'MissingQuotes' ? 'quoted field is never closed' : 'malformed quoted field (text after the closing quote)';
      throw new DataError(what, { file: this.file, row });
    }
    for (let r = 0; r < records.length; r++) {
      const rec = records[r];
      if (isBlank(rec)) continue;
      if (this.builder !== null) this.addRecord(this.builder, rec, lines[r]);
      else {
        this.pending.push({ rec, line: lines[r] });
        if (this.pending.length > HEADER_SAMPLE) this.decide();
      }
    }
  }

  /** The stream ended: a file shorter than the header sample is decided now. */
  end(): void {
    if (this.builder === null && this.pending.length > 0) this.decide();
  }

  finish(): RawTable {
    if (this.builder === null) throw new DataError('file holds only blank lines or whitespace, no data', { file: this.file });
    return this.builder.finish();
  }

  private decide(): void {
    const first = this.pending[0];
    const rest = this.pending.slice(1, HEADER_SAMPLE + 1).map((p) => p.rec);
    const hasHeader = this.header ?? looksLikeHeader(first.rec, rest);
    this.hasHeader = hasHeader;
    this.width = first.rec.length;
    this.firstLine = first.line;
    const names = hasHeader ? first.rec.map((n, j) => n.trim() || `col${j + 1}`) : first.rec.map((_, j) => `col${j + 1}`);
    const builder = new TableBuilder(this.file, 'csv', names, 'stored');
    builder.headerDetected = hasHeader;
    builder.reader = 'javascript';
    if (this.encodingNote) builder.notes.push(this.encodingNote);
    builder.notes.push(
      `${delimiterName(this.delimiter)}-separated; ` +
        (hasHeader ? 'first row read as the header' : `no header row found; columns named col1…col${this.width}`),
    );
    this.builder = builder;
    const queued = this.pending;
    this.pending = [];
    queued.forEach((p, k) => {
      if (!(hasHeader && k === 0)) this.addRecord(builder, p.rec, p.line);
    });
  }

  private addRecord(b: TableBuilder, rec: string[], line: number): void {
    const width = this.width;
    if (rec.length !== width) {
      throw new DataError(`expected ${width} fields (as in ${this.hasHeader ? 'the header' : `row ${this.firstLine}`}), found ${rec.length}`, {
        file: this.file,
        row: line,
      });
    }
    for (let j = 0; j < width; j++) b.push(j, classifyText(rec[j], this.decimalComma));
    b.markRow(line);
  }
}

/**
 * Streams the file through the decoder and papaparse, batch by batch into onRecords; onEnd runs at
 * the end of the file. Our own exceptions pass through unchanged (a bug must not pose as bad input);
 * only I/O errors from the stream are wrapped.
 */
function streamRecords(
  path: string,
  file: string,
  encoding: TextEncodingName,
  delimiter: Delimiter,
  onRecords: (records: string[][], errors: Papa.ParseError[]) => void,
  onEnd: () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const raw = createReadStream(path, { highWaterMark: 1 << 20 });
    const stream = textDecodingStream(encoding, file);
    let settled = false;
    const fail = (e: unknown, parser?: Papa.Parser) => {
      if (settled) return;
      settled = true;
      parser?.abort();
      raw.destroy();
      stream.destroy();
      reject(e);
    };
    const ioError = (e: Error) => fail(e instanceof DataError || e instanceof NotUtf8Error ? e : new DataError(`cannot read file: ${e.message}`, { file }));
    raw.on('error', ioError);
    stream.on('error', ioError);
    raw.pipe(stream);
    Papa.parse<string[]>(stream, {
      delimiter,
      header: false,
      skipEmptyLines: false,
      beforeFirstChunk: (chunk) => chunk.replace(/^\ufeff/, ''),
      chunk: (results, parser) => {
        if (settled) return;
        try {
          onRecords(results.data, results.errors);
        } catch (e) {
          fail(e, parser);
        }
      },
      complete: () => {
        if (settled) return;
        try {
          onEnd();
          settled = true;
          resolve();
        } catch (e) {
          fail(e);
        }
      },
      error: ioError,
    });
  });
}
