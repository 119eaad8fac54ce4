/**
 * DuckDB as the data reader: CSV (its multi-threaded parser, fed the dialect our sniffing found) and
 * Parquet. Loaded on first use, so a process that never reads a file never loads it. Results are
 * streamed chunk by chunk; a numeric column is copied out of DuckDB's vector memory in bulk, never
 * value by value.
 *
 * The bulk copy needs each vector's data pointer, which @duckdb/node-api keeps private (its vectors
 * offer per-item getItem only); the package's own low-level bindings expose it as a Uint8Array view.
 * That access is confined to this file, and checked against the high-level API by the loader tests.
 */
import { createRequire } from 'node:module';
import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { DataError } from './types';

/** The slice of @duckdb/node-bindings used here (it ships with @duckdb/node-api as its dependency). */
interface Bindings {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  vector_get_data(vector: unknown, byteCount: number): Uint8Array;
  vector_get_validity(vector: unknown, byteCount: number): Uint8Array | null;
}

interface Engine {
  instance: { closeSync(): void };
  connection: DuckDBConnection;
  bindings: Bindings;
  version: string;
}

export type DuckDbStatus = { available: true; version: string } | { available: false; reason: string };

let engine: Promise<Engine> | null = null;

/** CURVATURE_DATA_READER=javascript turns DuckDB off (comparisons, or a platform where it misbehaves). */
export function duckdbWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CURVATURE_DATA_READER !== 'javascript';
}

async function start(): Promise<Engine> {
  const api = await import('@duckdb/node-api');
  const nodeRequire = createRequire(createRequire(import.meta.url).resolve('@duckdb/node-api'));
  const bindings = nodeRequire('@duckdb/node-bindings') as Bindings;
  // No extension auto-loading and no network file systems: it reads local files only.
  const instance = await api.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  return { instance, connection, bindings, version: api.version() };
}

function getEngine(): Promise<Engine> {
  engine ??= start();
  return engine;
}

/** Loads using DuckDB right now (see withDuckDb). */
let users = 0;

/**
 * Runs a load on DuckDB and closes the instance when the last such load is done. An open instance
 * keeps the memory of its last scan (read buffers, its threads' allocations), tens of MB after a big
 * file, for as long as the process lives; a new one opens in milliseconds when the next load needs it.
 */
export async function withDuckDb<T>(load: () => Promise<T>): Promise<T> {
  users++;
  try {
    return await load();
  } finally {
    if (--users === 0) closeEngine();
  }
}

function closeEngine(): void {
  const open = engine;
  engine = null;
  open?.then(
    ({ connection, instance }) => {
      try {
        connection.closeSync();
        instance.closeSync();
      } catch {
        // Closing only returns memory early; the process ending frees it too.
      }
    },
    () => undefined, // it never started: nothing to close
  );
}

/** Whether DuckDB loads here (it has no build for some platforms, e.g. Windows on ARM). */
export async function duckdbStatus(): Promise<DuckDbStatus> {
  if (!duckdbWanted()) return { available: false, reason: 'turned off by CURVATURE_DATA_READER=javascript' };
  try {
    return { available: true, version: (await getEngine()).version };
  } catch (e) {
    engine = null;
    return { available: false, reason: `no DuckDB build for ${process.platform}-${process.arch} (${(e as Error).message.split('\n')[0]})` };
  }
}

/** A SQL string literal; refuses paths DuckDB would expand as globs or send to another file system. */
export function fileLiteral(path: string): string | null {
  if (/[*?[\]{}]/.test(path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return null;
  return `'${path.replaceAll("'", "''")}'`;
}

/**
 * One streamed chunk: a DOUBLE column as float64 values (NaN where NULL, a view into DuckDB memory
 * valid during the call only) with its NULL count; a text column as strings (null where NULL).
 */
export type ChunkColumn = { kind: 'double'; values: Float64Array; missing: number } | { kind: 'text'; values: (string | null)[] };

/** Runs a query whose columns are DOUBLE or VARCHAR as `kinds` says, handing over each chunk's columns. */
export async function streamColumns(sql: string, kinds: readonly ('double' | 'text')[], onChunk: (columns: ChunkColumn[], rows: number) => void): Promise<void> {
  const { connection, bindings } = await getEngine();
  const result = await connection.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const columns = kinds.map((kind, j): ChunkColumn =>
      kind === 'double' ? doubleColumn(bindings, chunk, j) : { kind: 'text', values: chunk.getColumnVector(j).toArray() as (string | null)[] },
    );
    onChunk(columns, chunk.rowCount);
  }
}

/** Runs a query whose `width` columns are all DOUBLE. */
export function streamDoubleColumns(sql: string, width: number, onChunk: (values: Float64Array[], missing: number[]) => void): Promise<void> {
  return streamColumns(sql, Array<'double'>(width).fill('double'), (columns) => {
    onChunk(
      columns.map((c) => c.values as Float64Array),
      columns.map((c) => (c.kind === 'double' ? c.missing : 0)),
    );
  });
}

function doubleColumn(bindings: Bindings, chunk: DuckDBDataChunk, j: number): ChunkColumn {
  const rows = chunk.rowCount;
  const vector = bindings.data_chunk_get_vector(chunk.chunk, j);
  const bytes = bindings.vector_get_data(vector, rows * 8);
  const values = new Float64Array(bytes.buffer, bytes.byteOffset, rows);
  const validity = bindings.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  const missing = validity && validity.length > 0 ? markNulls(values, validity, rows) : 0;
  return { kind: 'double', values, missing };
}

/**
 * Sets NULL rows to NaN and counts them. DuckDB hands a validity mask even with no NULL in the
 * vector, so whole bytes of valid rows are skipped without testing their bits.
 */
function markNulls(values: Float64Array, validity: Uint8Array, rows: number): number {
  let missing = 0;
  for (let k = 0; k * 8 < rows; k++) {
    if (validity[k] === 255 && k * 8 + 8 <= rows) continue;
    for (let i = k * 8; i < Math.min(rows, k * 8 + 8); i++) {
      if ((validity[k] & (1 << (i & 7))) === 0) {
        values[i] = NaN;
        missing++;
      }
    }
  }
  return missing;
}

export interface ColumnInfo {
  name: string;
  type: string;
}

/** The columns a query returns, with DuckDB's type names. */
export async function describeQuery(sql: string): Promise<ColumnInfo[]> {
  const { connection } = await getEngine();
  const reader = await connection.runAndReadAll(`DESCRIBE ${sql}`);
  return reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Columns of each chunk as JavaScript values, value by value: for text columns only. */
export async function streamValueColumns(sql: string, onColumns: (columns: unknown[][]) => void): Promise<void> {
  const { connection } = await getEngine();
  const result = await connection.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    onColumns(chunk.getColumns() as unknown[][]);
  }
}

/** DuckDB's message without its "Invalid Input Error:" prefix, for a DataError. */
export function duckdbMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/^[A-Za-z ]+Error: /, '').split('\n')[0];
}

export function duckdbError(e: unknown, file: string): DataError {
  return new DataError(duckdbMessage(e), { file });
}
