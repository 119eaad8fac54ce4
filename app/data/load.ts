/** Resolves a data source to a raw table: path resolution, size guard, format choice, loader dispatch. */
import { promises as fs } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import type { DataSource } from './spec';
import { loadCsv } from './csv';
import { loadCsvWithDuckDb } from './csvDuckdb';
import { duckdbWanted } from './duckdb';
import { loadJsonLines, loadParquet } from './columnar';
import { loadJson } from './json';
import { parseNpy, readNpz, tableFromArrays } from './npy';
import { type Cell, classifyText, type DataFormat, type RawTable, TableBuilder } from './table';
import { DataError } from './types';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3;

export interface LoadOptions {
  /** Folder relative paths are resolved against (default: the working directory). */
  baseDir?: string;
  maxFileBytes?: number;
  /**
   * CSV: 'auto' tries DuckDB first on files of DUCKDB_MIN_BYTES or more, 'duckdb' on any file (both
   * fall back to the JavaScript loader for what DuckDB would read differently); 'javascript' never
   * uses DuckDB.
   */
  reader?: 'auto' | 'duckdb' | 'javascript';
}

/**
 * Below this size the JavaScript loader finishes before DuckDB's native library has even loaded
 * (loading it costs a few tenths of a second): small files, the examples among them, start faster.
 */
export const DUCKDB_MIN_BYTES = 16 * 1024 ** 2;

const EXTENSIONS: Record<string, Exclude<DataFormat, 'inline'>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.json': 'json',
  '.npy': 'npy',
  '.npz': 'npz',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
  '.pq': 'parquet',
};

export function formatFromPath(path: string): Exclude<DataFormat, 'inline'> {
  const ext = extname(path).toLowerCase();
  const format = EXTENSIONS[ext];
  if (format === undefined) {
    throw new DataError(`unknown file type "${ext || '(no extension)'}"; expected .csv, .tsv, .json, .jsonl, .npy, .npz or .parquet`, { file: path });
  }
  return format;
}

export function resolvePath(path: string, baseDir?: string): string {
  return isAbsolute(path) ? path : resolve(baseDir ?? process.cwd(), path);
}

/** Refuses missing, non-regular, empty and over-limit files before any byte is read. */
async function checkFile(path: string, maxFileBytes: number): Promise<number> {
  let size: number;
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) throw new DataError('not a regular file', { file: path });
    size = st.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'file not found' : `cannot read file: ${(e as Error).message}`, { file: path });
  }
  if (size === 0) throw new DataError('file is empty', { file: path });
  if (size > maxFileBytes) {
    throw new DataError(`file is ${size} bytes, over the limit of ${maxFileBytes} bytes (maxFileBytes)`, { file: path });
  }
  return size;
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    throw new DataError(`cannot read file: ${(e as Error).message}`, { file: path });
  }
}

/** An inline table from the experiment file; rows in errors are 1-based indices into `rows`. */
export function tableFromInline(columns: string[], rows: (number | string | boolean | null)[][], file = 'inline data'): RawTable {
  const b = new TableBuilder(file, 'inline', columns);
  rows.forEach((row, i) => {
    if (row.length !== columns.length) {
      throw new DataError(`expected ${columns.length} cells (one per column), found ${row.length}`, {
        file,
        row: i + 1,
        field: `source.rows[${i}]`,
      });
    }
    row.forEach((v, j) => {
      const cell: Cell =
        v === null ? null : typeof v === 'number' ? (Number.isFinite(v) ? v : null) : typeof v === 'boolean' ? String(v) : classifyText(v);
      b.push(j, cell);
    });
  });
  return b.finish();
}

export async function loadTable(source: DataSource, options: LoadOptions = {}): Promise<RawTable> {
  if (source.kind === 'inline') return tableFromInline(source.columns, source.rows);
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const path = resolvePath(source.path, options.baseDir);
  const format = source.format ?? formatFromPath(path);
  const size = await checkFile(path, max);
  switch (format) {
    case 'csv': {
      const reader = options.reader ?? 'auto';
      if (duckdbWanted() && (reader === 'duckdb' || (reader === 'auto' && size >= DUCKDB_MIN_BYTES))) {
        const table = await loadCsvWithDuckDb(path, path);
        if (table) return table;
      }
      return loadCsv(path, path);
    }
    case 'parquet':
      return loadParquet(path, path);
    case 'jsonl':
      return loadJsonLines(path, path);
    case 'json':
      return loadJson(path, path);
    case 'npz':
      return (({ x, y }) => tableFromArrays(x, y, path, 'npz'))(readNpz(await readBytes(path), path));
    case 'npy': {
      const x = parseNpy(await readBytes(path), path);
      let y;
      if (source.targetPath !== undefined) {
        const yPath = resolvePath(source.targetPath, options.baseDir);
        await checkFile(yPath, max);
        y = parseNpy(await readBytes(yPath), yPath);
      }
      return tableFromArrays(x, y, path, 'npy');
    }
  }
}
