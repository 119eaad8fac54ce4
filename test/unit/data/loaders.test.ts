import { afterAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../../app/data/load';
import { CHUNK_BITS, CHUNK_MASK, TableBuilder } from '../../../app/data/table';
import { BLOCK, growableFloat64 } from '../../../app/data/growable';
import { columnValues, npy, type NpyDtype, npz, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const load = (path: string, extra: { targetPath?: string } = {}) => loadTable({ kind: 'file', path, ...extra });
const names = (t: { columns: { name: string }[] }) => t.columns.map((c) => c.name);
const kinds = (t: { columns: { kind: string }[] }) => t.columns.map((c) => c.kind);
const rowNumbers = (t: { rowCount: number; rowNumber(i: number): number }) => Array.from({ length: t.rowCount }, (_, i) => t.rowNumber(i));

describe('CSV', () => {
  it('reads a comma-separated file with a header, numeric and categorical columns', async () => {
    const t = await load(tmp.write('basic.csv', 'x,color,y\n1.5,red,0\n-2e3,blue,1\n.25,red,0\n'));
    expect(names(t)).toEqual(['x', 'color', 'y']);
    expect(kinds(t)).toEqual(['numeric', 'categorical', 'numeric']);
    expect(columnValues(t, 'x')).toEqual([1.5, -2000, 0.25]);
    expect(columnValues(t, 'color')).toEqual(['red', 'blue', 'red']);
    expect(columnValues(t, 'y')).toEqual([0, 1, 0]);
    expect(rowNumbers(t)).toEqual([2, 3, 4]);
    expect(t.notes[0]).toMatch(/comma-separated; first row read as the header/);
  });

  it('sniffs semicolons and reads decimal commas', async () => {
    const t = await load(tmp.write('semi.csv', 'a;b;label\n1,5;2;x\n3;4,25;y\n'));
    expect(names(t)).toEqual(['a', 'b', 'label']);
    expect(columnValues(t, 'a')).toEqual([1.5, 3]);
    expect(columnValues(t, 'b')).toEqual([2, 4.25]);
    expect(t.notes[0]).toMatch(/semicolon/);
  });

  it('sniffs tabs', async () => {
    const t = await load(tmp.write('tabs.tsv', 'a\tb c\tz\n1\thello, world\t3\n4\tbye\t6\n'));
    expect(names(t)).toEqual(['a', 'b c', 'z']);
    expect(columnValues(t, 'b c')).toEqual(['hello, world', 'bye']);
    expect(columnValues(t, 'z')).toEqual([3, 6]);
  });

  it('keeps quoted delimiters, quotes and newlines inside fields and counts editor lines', async () => {
    const text = 'id,note,v\n1,"a, b",10\n2,"line one\nline two",20\n3,"say ""hi""",30\n';
    const t = await load(tmp.write('quotes.csv', text));
    expect(columnValues(t, 'note')).toEqual(['a, b', 'line one\nline two', 'say "hi"']);
    expect(columnValues(t, 'v')).toEqual([10, 20, 30]);
    // The record after the two-line field starts on editor line 5.
    expect(rowNumbers(t)).toEqual([2, 3, 5]);
  });

  it('strips a UTF-8 BOM and handles CRLF line ends and a trailing blank line', async () => {
    const t = await load(tmp.write('bom.csv', '\ufeffa,b\r\n1,x\r\n2,y\r\n\r\n'));
    expect(names(t)).toEqual(['a', 'b']);
    expect(columnValues(t, 'a')).toEqual([1, 2]);
    expect(columnValues(t, 'b')).toEqual(['x', 'y']);
    expect(t.rowCount).toBe(2);
  });

  it('detects a missing header and names columns col1…', async () => {
    const t = await load(tmp.write('nohead.csv', '1,2,3\n4,5,6\n7,8,9\n'));
    expect(names(t)).toEqual(['col1', 'col2', 'col3']);
    expect(columnValues(t, 'col3')).toEqual([3, 6, 9]);
    expect(rowNumbers(t)).toEqual([1, 2, 3]);
    // Text-only data without a header: values repeat, so row 1 is data.
    const c = await load(tmp.write('nohead-text.csv', 'red,small\nblue,large\nred,small\n'));
    expect(names(c)).toEqual(['col1', 'col2']);
    expect(c.rowCount).toBe(3);
  });

  it('reads missing-value spellings as missing and decides kinds by majority', async () => {
    const t = await load(tmp.write('missing.csv', 'a,b,c\n1,NA,x\n,?,y\n3, 4 ,NaN\n'));
    expect(columnValues(t, 'a')).toEqual([1, null, 3]);
    expect(columnValues(t, 'b')).toEqual([null, null, 4]);
    expect(columnValues(t, 'c')).toEqual(['x', 'y', null]);
    expect(t.columns[0].missingCount).toBe(1);
  });
});

describe('JSON', () => {
  it('reads an array of records (missing keys, booleans and null are handled)', async () => {
    const rows = [{ a: 1, b: 'x', ok: true }, { a: 2.5, ok: false }, { a: null, b: 'z', ok: true }];
    const t = await load(tmp.write('records.json', JSON.stringify(rows)));
    expect(names(t)).toEqual(['a', 'b', 'ok']);
    expect(columnValues(t, 'a')).toEqual([1, 2.5, null]);
    expect(columnValues(t, 'b')).toEqual(['x', null, 'z']);
    expect(columnValues(t, 'ok')).toEqual(['true', 'false', 'true']);
    expect(kinds(t)).toEqual(['numeric', 'categorical', 'categorical']);
  });

  it('reads {columns, rows} and pandas {columns, data}', async () => {
    const t = await load(tmp.write('cols.json', JSON.stringify({ columns: ['u', 'v'], rows: [[1, 'p'], [2, 'q']] })));
    expect(names(t)).toEqual(['u', 'v']);
    expect(columnValues(t, 'u')).toEqual([1, 2]);
    expect(columnValues(t, 'v')).toEqual(['p', 'q']);
    const p = await load(tmp.write('split.json', JSON.stringify({ columns: ['u'], index: [0, 1], data: [[3], [4]] })));
    expect(columnValues(p, 'u')).toEqual([3, 4]);
  });
});

describe('NumPy', () => {
  const cases: [NpyDtype, number[]][] = [
    ['f4', [1.5, -2.25, 3.1415927, 0]],
    ['f8', [1e-300, -2.5, Math.PI, 1e300]],
    ['i1', [-128, 127, 0, -1]],
    ['i2', [-32768, 32767, 5, -5]],
    ['i4', [-2147483648, 2147483647, 7, -7]],
    ['i8', [-(2 ** 53) + 1, 2 ** 53 - 1, 9, -9]],
    ['u1', [0, 255, 1, 2]],
    ['u2', [0, 65535, 3, 4]],
    ['u4', [0, 4294967295, 5, 6]],
    ['u8', [0, 2 ** 53 - 1, 7, 8]],
    ['b1', [0, 1, 1, 0]],
  ];
  for (const [dtype, values] of cases) {
    it(`reads a 2-D ${dtype} array exactly (columns x0, x1)`, async () => {
      const t = await load(tmp.write(`a-${dtype}.npy`, npy(dtype, [2, 2], values)));
      expect(names(t)).toEqual(['x0', 'x1']);
      const expected = dtype === 'f4' ? values.map(Math.fround) : values;
      expect(columnValues(t, 'x0')).toEqual([expected[0], expected[2]]);
      expect(columnValues(t, 'x1')).toEqual([expected[1], expected[3]]);
    });
  }

  it('reads a 1-D y from targetPath and a version 2.0 header', async () => {
    const x = tmp.write('X.npy', npy('f8', [3, 2], [1, 2, 3, 4, 5, 6], { version: 2 }));
    const y = tmp.write('y.npy', npy('i8', [3], [0, 1, 2]));
    const t = await load(x, { targetPath: y });
    expect(names(t)).toEqual(['x0', 'x1', 'y']);
    expect(columnValues(t, 'x1')).toEqual([2, 4, 6]);
    expect(columnValues(t, 'y')).toEqual([0, 1, 2]);
  });

  it('treats a 1-D X as one column and NaN cells as missing', async () => {
    const t = await load(tmp.write('one.npy', npy('f4', [3], [1, NaN, 3])));
    expect(names(t)).toEqual(['x0']);
    expect(columnValues(t, 'x0')).toEqual([1, null, 3]);
  });

  for (const level of [0, 6] as const) {
    it(`reads an .npz with ${level === 0 ? 'stored' : 'deflated'} members X and y`, async () => {
      const bytes = npz({ 'X.npy': npy('f4', [2, 3], [1, 2, 3, 4, 5, 6]), 'y.npy': npy('f8', [2], [0.5, -0.5]) }, level);
      const t = await load(tmp.write(`d${level}.npz`, bytes));
      expect(names(t)).toEqual(['x0', 'x1', 'x2', 'y']);
      expect(columnValues(t, 'x2')).toEqual([3, 6]);
      expect(columnValues(t, 'y')).toEqual([0.5, -0.5]);
      expect(t.format).toBe('npz');
    });
  }

  it('accepts lowercase x and turns a one-hot y into class indices', async () => {
    const bytes = npz({ 'x.npy': npy('f8', [3, 1], [1, 2, 3]), 'y.npy': npy('f4', [3, 3], [0, 0, 1, 1, 0, 0, 0, 1, 0]) }, 6);
    const t = await load(tmp.write('onehot.npz', bytes));
    expect(columnValues(t, 'y')).toEqual([2, 0, 1]);
  });
});

describe('format override', () => {
  it('reads a file with an unknown extension when source.format says what it is', async () => {
    const path = tmp.write('export.dat', 'p;q\n1;2\n3;4\n');
    const t = await loadTable({ kind: 'file', path, format: 'csv' });
    expect(columnValues(t, 'q')).toEqual([2, 4]);
  });
});

describe('inline', () => {
  it('reads inline columns and rows', async () => {
    const t = await loadTable({ kind: 'inline', columns: ['a', 'b'], rows: [[1, 'u'], [null, 'v'], [3, true]] });
    expect(columnValues(t, 'a')).toEqual([1, null, 3]);
    expect(columnValues(t, 'b')).toEqual(['u', 'v', 'true']);
  });
});

describe('RawColumn.numberChunks', () => {
  it('holds every row, chunk by chunk, as number(i) reads it (past one chunk, with text and missing cells)', () => {
    const rows = (CHUNK_MASK + 1) * 2 + 123;
    const b = new TableBuilder('t.csv', 'csv', ['a', 'b']);
    for (let i = 0; i < rows; i++) {
      b.push(0, i % 97 === 0 ? null : i % 89 === 0 ? 'oops' : i * 0.5);
      if (i === 1000) b.pushNumbers(1, Float64Array.from({ length: 5000 }, (_, k) => (k % 7 === 0 ? NaN : k)), Math.ceil(5000 / 7));
      else if (i < 1000 || i >= 6000) b.push(1, i);
    }
    const table = b.finish();
    for (const col of table.columns) {
      const chunks = col.numberChunks();
      expect(chunks.reduce((n, c) => n + c.length, 0)).toBe(rows);
      expect(chunks.slice(0, -1).every((c) => c.length === CHUNK_MASK + 1)).toBe(true);
      for (let i = 0; i < rows; i += 37) expect(Object.is(chunks[i >>> CHUNK_BITS][i & CHUNK_MASK], col.number(i))).toBe(true);
    }
  });
});

describe('growable column storage', () => {
  it('keeps every value through doubling, bulk appends, trim and appends after trim', () => {
    const g = growableFloat64();
    const expected: number[] = [];
    const add = (v: number) => (g.push(v), expected.push(v));
    const addAll = (n: number) => {
      const a = Float64Array.from({ length: n }, (_, k) => expected.length + k);
      g.pushAll(a);
      for (const v of a) expected.push(v);
    };
    for (let k = 0; k < 10; k++) add(k);
    addAll(BLOCK + 5);
    g.trim();
    add(-1);
    addAll(3);
    g.trim();
    addAll(BLOCK);
    add(-2);
    g.trim();
    expect(g.length).toBe(expected.length);
    for (let i = 0; i < expected.length; i += 101) expect(g.get(i)).toBe(expected[i]);
    expect(g.get(expected.length - 1)).toBe(-2);
    expect(g.chunks().reduce((n, c) => n + c.length, 0)).toBe(expected.length);
  });
});
