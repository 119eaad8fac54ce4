/**
 * DuckDB reads CSV into the same table as the JavaScript loader — same numbers bit for bit, same
 * kinds, names, row numbers and notes — or hands the file to it, so the error is the same too: on
 * every CSV file the repository ships and on seeded mutations of the dialects our sniffing handles
 * (decimal commas, quoted headers, Latin-1, blank lines, missing-value words, ragged rows, inf/nan).
 * Parquet: written by DuckDB here, loaded, compared with the CSV it came from, and trained on; JSON
 * Lines the same way.
 */
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTable, type LoadOptions } from '../../../app/data/load';
import { prepareTable } from '../../../app/data/prepare';
import type { RawTable } from '../../../app/data/table';
import { DataError } from '../../../app/data/types';
import { type Random, seededRandom } from '../../../app/util/random';
import { tempDir } from './helpers';

const REPO = path.resolve(__dirname, '../../..');
const tmp = tempDir('curvature-duckdb-');
afterAll(() => tmp.cleanup());

type Outcome = { table: RawTable } | { error: string };

async function load(file: string, reader: LoadOptions['reader']): Promise<Outcome> {
  try {
    return { table: await loadTable({ kind: 'file', path: file }, { reader }) };
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return { error: e.message };
  }
}

/** Everything a later step reads from a table, in a form toEqual compares exactly (NaN and −0 kept). */
function snapshot(t: RawTable) {
  return {
    rowCount: t.rowCount,
    notes: t.notes,
    headerDetected: t.headerDetected,
    rows: Array.from({ length: t.rowCount }, (_, i) => t.rowNumber(i)),
    columns: t.columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      counts: [c.numericCount, c.textCount, c.missingCount],
      bits: Array.from({ length: t.rowCount }, (_, i) => {
        const v = c.number(i);
        return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : v;
      }),
      text: Array.from({ length: t.rowCount }, (_, i) => c.text(i) ?? null),
    })),
  };
}

async function compare(file: string): Promise<'duckdb' | 'javascript' | 'error'> {
  const fast = await load(file, 'duckdb');
  const slow = await load(file, 'javascript');
  if ('error' in slow) {
    expect(fast, file).toEqual(slow);
    return 'error';
  }
  expect('table' in fast, file).toBe(true);
  const table = (fast as { table: RawTable }).table;
  expect(snapshot(table), file).toEqual(snapshot(slow.table));
  return table.reader ?? 'javascript';
}

describe('DuckDB and the JavaScript CSV loader', () => {
  it('give the same table on every CSV file the repository ships, DuckDB reading the numeric ones', async () => {
    const files = execFileSync('git', ['ls-files', '*.csv', '*.tsv', '*.txt'], { cwd: REPO, encoding: 'utf8' }).trim().split('\n');
    expect(files.length).toBeGreaterThan(5);
    const used: Record<string, string> = {};
    for (const f of files) used[f] = await compare(path.join(REPO, f));
    expect(used['app/examples/data/friedman1.csv']).toBe('duckdb');
    expect(used['app/examples/data/spirals.csv']).toBe('duckdb');
  });

  it('give the same table, or the same error, on seeded mutations of the dialects the sniffing handles', async () => {
    const random = seededRandom(2026);
    const readers = { duckdb: 0, javascript: 0, error: 0 };
    for (let k = 0; k < 160; k++) {
      const file = tmp.write(`fuzz-${k}.csv`, fuzzCsv(random));
      readers[await compare(file)]++;
    }
    // Both paths are exercised: DuckDB takes the plain files, the JavaScript loader the rest.
    expect(readers.duckdb).toBeGreaterThan(20);
    expect(readers.javascript).toBeGreaterThan(20);
  });

  it('reads a 20 000-row file in several DuckDB chunks into the same columns', async () => {
    const random = seededRandom(7);
    const lines = ['a;b;"target"'];
    for (let i = 0; i < 20_000; i++) lines.push(`${(random() * 100 - 50).toFixed(4).replace('.', ',')};${i % 7 === 0 ? '' : Math.floor(random() * 1e6)};${(random() * 1e-3).toExponential(6)}`);
    const file = tmp.write('chunks.csv', lines.join('\r\n') + '\r\n');
    expect(await compare(file)).toBe('duckdb');
  });
});

const pick = <T,>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

function fuzzCsv(random: Random): string | Uint8Array {
  const delimiter = pick(random, [',', ';', '\t'] as const);
  const decimalComma = delimiter !== ',' && random() < 0.6;
  const header = random() < 0.8;
  const width = 2 + Math.floor(random() * 5);
  const quote = (s: string) => (random() < 0.3 ? `"${s}"` : s);
  const lines: string[] = [];
  if (header) lines.push(Array.from({ length: width }, (_, j) => quote(pick(random, ['x', 'size (m²)', 'Größe', 'y', 'a b']) + j)).join(delimiter));
  const rows = 3 + Math.floor(random() * 80);
  for (let i = 0; i < rows; i++) {
    const cells = Array.from({ length: width }, () => {
      const v = (random() - 0.5) * 10 ** Math.floor(random() * 8 - 3);
      const text = random() < 0.2 ? v.toExponential(3) : v.toFixed(Math.floor(random() * 6));
      return decimalComma ? text.replace('.', ',') : text;
    });
    lines.push(cells.map((c) => (random() < 0.05 ? quote(c) : c)).join(delimiter));
  }
  // One mutation in two files: the kinds of file DuckDB must hand back (or read the same).
  if (random() < 0.5) {
    const at = 1 + Math.floor(random() * (lines.length - 1));
    const cells = lines[at].split(delimiter);
    const j = Math.floor(random() * cells.length);
    switch (Math.floor(random() * 11)) {
      case 0: cells[j] = ''; break;
      case 1: cells[j] = pick(random, ['NA', '?', 'nan', 'NaN', 'inf', '-Infinity', 'null', '1e999', '0x1A', '1_000', ' 4.5 ', '+.5', '5.']); break;
      case 2: cells[j] = 'red'; break;
      case 3: cells.push('9'); break;
      case 4: cells.pop(); break;
      case 5: lines.splice(at, 0, ''); break;
      case 6: cells[j] = '"two\nlines"'; break;
      case 7: cells[j] = '"unclosed'; break;
      case 8: cells[j] = '1.5'; break; // a point among decimal commas
      case 9: cells[j] = '1,5'; break; // a decimal comma among points
      case 10: cells[j] = '-0'; break;
    }
    lines[at] = cells.join(delimiter);
  }
  const eol = random() < 0.3 ? '\r\n' : '\n';
  const text = (random() < 0.2 ? '\ufeff' : '') + lines.join(eol) + (random() < 0.8 ? eol : '');
  if (random() < 0.1) return Uint8Array.from(Buffer.from(text.replaceAll('ö', '\u00f6').replaceAll('²', '\u00b2'), 'latin1'));
  return text;
}

describe('Parquet', () => {
  it('round trip: DuckDB writes the spirals example as Parquet (plus a text column), Curvature loads and trains on it', async () => {
    const csv = path.join(REPO, 'app/examples/data/spirals.csv');
    const parquet = path.join(tmp.dir, 'spirals.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT *, CASE WHEN row_number() OVER () % 3 = 0 THEN 'NA' ELSE 'tag' || (row_number() OVER () % 2) END AS tag FROM read_csv('${csv}')) TO '${parquet}' (FORMAT parquet)`,
    );
    connection.closeSync();
    const fromCsv = (await loadTable({ kind: 'file', path: csv }, { reader: 'javascript' })) as RawTable;
    const table = await loadTable({ kind: 'file', path: parquet });
    expect((await loadTable({ kind: 'file', path: csv })).reader).toBe('javascript'); // small: not worth loading DuckDB
    expect(table.format).toBe('parquet');
    expect(table.reader).toBe('duckdb');
    expect(table.rowCount).toBe(fromCsv.rowCount);
    const snap = snapshot(table);
    const want = snapshot(fromCsv);
    expect(snap.columns.slice(0, -1).map((c) => [c.name, c.kind, c.bits])).toEqual(want.columns.map((c) => [c.name, c.kind, c.bits]));
    const tag = table.columns.at(-1)!;
    expect(tag.kind).toBe('categorical');
    expect(tag.missingCount).toBe(Math.floor(table.rowCount / 3));

    const target = fromCsv.columns.at(-1)!.name;
    const cli = spawnSync(process.execPath, [path.join(REPO, 'bin/curvature.mjs'), 'train', parquet, '--target', target, '--optimizer', 'lbfgs', '--layers', '8:tanh', '--max-iter', '5', '--missing', 'drop', '--json', '--no-progress'], {
      encoding: 'utf8',
      cwd: tmp.dir,
    });
    expect(cli.status, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as { runs: { iterations: number; history: unknown[] }[] };
    expect(report.runs[0].iterations).toBe(5);
  });

  it('JSON Lines: DuckDB writes the spirals example one object per line; the same columns as its CSV', async () => {
    const csv = path.join(REPO, 'app/examples/data/spirals.csv');
    const jsonl = path.join(tmp.dir, 'spirals.jsonl');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${jsonl}' (FORMAT json)`);
    connection.closeSync();
    const fromCsv = await loadTable({ kind: 'file', path: csv }, { reader: 'javascript' });
    const table = await loadTable({ kind: 'file', path: jsonl });
    expect(table.format).toBe('jsonl');
    const columns = (t: RawTable) => snapshot(t).columns.map((c) => [c.name, c.kind, c.bits, c.text]);
    expect(columns(table)).toEqual(columns(fromCsv));
  });

  it('reads DATE and TIMESTAMP columns as ISO text, so they can be expanded into date parts', async () => {
    const file = path.join(tmp.dir, 'dates.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      `COPY (SELECT i * 1.5 AS x, DATE '2024-01-02' + CAST(i AS INTEGER) AS day, TIMESTAMP '2023-12-31 23:30:00' + INTERVAL (i) DAY AS at, i % 3 AS y FROM range(12) t(i)) TO '${file}' (FORMAT parquet)`,
    );
    connection.closeSync();
    const table = await loadTable({ kind: 'file', path: file });
    const day = table.columns.find((c) => c.name === 'day')!;
    const at = table.columns.find((c) => c.name === 'at')!;
    expect([day.kind, day.text(0), at.text(1)]).toEqual(['categorical', '2024-01-02', '2024-01-01 23:30:00']);
    const d = prepareTable(table, { source: { kind: 'file', path: file }, target: 'y', task: 'regression', expandDates: ['day', 'at'], split: { validation: 0 } }, 'float64');
    expect(d.preprocessing.dates?.map((x) => [x.column, x.order])).toEqual([['day', 'ymd'], ['at', 'ymd']]);
    expect(d.inputDim).toBe(15);
  });

  it('refuses a column type it cannot use, naming the column', async () => {
    const file = path.join(tmp.dir, 'lists.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT 1.5 AS x, [1, 2] AS pair) TO '${file}' (FORMAT parquet)`);
    connection.closeSync();
    await expect(loadTable({ kind: 'file', path: file })).rejects.toThrow(/column "?pair"?.*INTEGER\[\]/);
  });
});
