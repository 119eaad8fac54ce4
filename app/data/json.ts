/**
 * JSON tables: an array of records (`[{"a": 1, "b": "x"}, …]`) or a column/row layout
 * (`{"columns": [...], "rows": [[...], …]}`, also pandas' `orient="split"` with `data`).
 */
import { promises as fs } from 'node:fs';
import { type Cell, classifyText, type RawTable, TableBuilder } from './table';
import { decodeText } from './text';
import { DataError } from './types';

type Where = { file: string; row: number; column: string };

function jsonCell(v: unknown, where: Where): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return classifyText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new DataError(`expected a number, string, boolean or null, found ${Array.isArray(v) ? 'an array' : 'an object'}`, where);
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Offset of the first JSON syntax error, or -1. Only used when JSON.parse's message has no position
 * (V8 omits it for "Unexpected token" errors). Iterative, so deep nesting cannot overflow the stack.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const stack: number[] = []; // char codes of '[' and '{'
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      i++;
    }
  };
  const scalar = (): boolean => {
    if (text.charCodeAt(i) === 34) {
      for (i++; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 34) {
          i++;
          return true;
        }
        if (c === 92) i++;
        else if (c < 32) return false;
      }
      return false;
    }
    SCALAR.lastIndex = i;
    if (!SCALAR.test(text)) return false;
    i = SCALAR.lastIndex;
    return true;
  };
  const key = (): boolean => {
    ws();
    if (text.charCodeAt(i) !== 34 || !scalar()) return false;
    ws();
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    return true;
  };
  for (;;) {
    // A value is expected at i.
    ws();
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      stack.push(c);
      i++;
      ws();
      if (text.charCodeAt(i) === c + 2) {
        stack.pop();
        i++;
      } else {
        if (c === 123 && !key()) return i;
        continue;
      }
    } else if (!scalar()) return i;
    // After a value: a comma, a closing bracket, or the end.
    for (;;) {
      ws();
      if (stack.length === 0) return i < n ? i : -1;
      const top = stack[stack.length - 1];
      const d = text.charCodeAt(i);
      if (d === 44) {
        i++;
        if (top === 123 && !key()) return i;
        break;
      }
      if (d !== top + 2) return i;
      stack.pop();
      i++;
    }
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const full = (e as Error).message;
    // V8 appends a long excerpt of the input to "Unexpected token" messages; the location says enough.
    const msg = /^Unexpected token '.+?'/s.exec(full)?.[0] ?? full;
    const pos = /position (\d+)/.exec(full);
    const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
    if (offset >= 0) {
      const { line, column } = lineAndColumn(text, offset);
      throw new DataError(`invalid JSON at line ${line}, column ${column}: ${msg}`, { file });
    }
    throw new DataError(`invalid JSON: ${msg}`, { file });
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fromRecords(records: unknown[], file: string): RawTable {
  const names: string[] = [];
  const seen = new Set<string>();
  records.forEach((r, i) => {
    if (!isRecord(r)) throw new DataError('expected an object (one record per row)', { file, row: i + 1 });
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  });
  if (names.length === 0 && records.length > 0) throw new DataError('records have no fields', { file });
  const b = new TableBuilder(file, 'json', names);
  records.forEach((r, i) => {
    const rec = r as Record<string, unknown>;
    names.forEach((name, j) => b.push(j, jsonCell(rec[name], { file, row: i + 1, column: name })));
  });
  return b.finish();
}

function fromColumnsAndRows(columns: unknown, rows: unknown, file: string, rowsKey: string): RawTable {
  if (!Array.isArray(columns) || columns.some((c) => typeof c !== 'string')) {
    throw new DataError('"columns" must be an array of strings', { file, field: 'columns' });
  }
  if (!Array.isArray(rows)) throw new DataError(`"${rowsKey}" must be an array of rows`, { file, field: rowsKey });
  const names = columns as string[];
  const b = new TableBuilder(file, 'json', names);
  rows.forEach((row, i) => {
    if (!Array.isArray(row)) throw new DataError('expected an array of cells', { file, row: i + 1, field: `${rowsKey}[${i}]` });
    if (row.length !== names.length) {
      throw new DataError(`expected ${names.length} cells (one per column), found ${row.length}`, {
        file,
        row: i + 1,
        field: `${rowsKey}[${i}]`,
      });
    }
    names.forEach((name, j) => b.push(j, jsonCell(row[j], { file, row: i + 1, column: name })));
  });
  return b.finish();
}

/** Builds a table from already-parsed JSON. Rows in errors are 1-based record numbers. */
export function tableFromJson(value: unknown, file: string): RawTable {
  if (Array.isArray(value)) return fromRecords(value, file);
  if (isRecord(value) && 'columns' in value) {
    if ('rows' in value) return fromColumnsAndRows(value.columns, value.rows, file, 'rows');
    if ('data' in value) return fromColumnsAndRows(value.columns, value.data, file, 'data');
  }
  throw new DataError('expected an array of records or an object {"columns": [...], "rows": [[...], ...]}', { file });
}

export async function loadJson(path: string, file: string): Promise<RawTable> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new DataError(`cannot read file: ${(e as Error).message}`, { file });
  }
  // Not UTF-8: read as Windows-1252 with a note (never U+FFFD); NUL bytes: refused with the offset.
  const { text, note } = decodeText(bytes, file);
  if (text.trim() === '') throw new DataError('file holds only whitespace, no JSON', { file });
  const table = tableFromJson(parseJson(text.replace(/^\ufeff/, ''), file), file);
  if (note) table.notes.unshift(note);
  return table;
}
