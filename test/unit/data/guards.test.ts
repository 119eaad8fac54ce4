/** Every guard rail: a DataError whose message names the file and, where it applies, row and column. */
import { afterAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../../app/data/load';
import { type DataSpecInput, prepareData } from '../../../app/data/prepare';
import { DataError } from '../../../app/data/types';
import { errorOf, npy, npz, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const spec = (path: string, extra: Partial<DataSpecInput> = {}): DataSpecInput => ({ source: { kind: 'file', path }, target: 'y', ...extra });

interface Expected {
  message: RegExp;
  row?: number;
  column?: string;
  field?: string;
}

async function expectDataError(fn: () => unknown, file: string | undefined, want: Expected): Promise<DataError> {
  const e = await errorOf(fn);
  expect(e, e.stack).toBeInstanceOf(DataError);
  const d = e as DataError;
  if (file !== undefined) {
    expect(d.file).toBe(file);
    expect(d.message).toContain(file);
  }
  expect(d.message).toMatch(want.message);
  expect(d.row).toBe(want.row);
  if (want.row !== undefined) expect(d.message).toContain(`row ${want.row}`);
  expect(d.column).toBe(want.column);
  if (want.column !== undefined) expect(d.message).toContain(`column "${want.column}"`);
  if (want.field !== undefined) expect(d.field).toBe(want.field);
  return d;
}

describe('file-level guards', () => {
  for (const ext of ['csv', 'json', 'npy', 'npz']) {
    it(`empty .${ext} file`, async () => {
      const p = tmp.write(`empty.${ext}`, '');
      await expectDataError(() => prepareData(spec(p)), p, { message: /file is empty/ });
    });
  }

  it('whitespace-only CSV says so', async () => {
    const p = tmp.write('blank.csv', '\n\r\n  \n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /file holds only whitespace, no data/ });
    const j = tmp.write('blank.json', ' \n\t ');
    await expectDataError(() => prepareData(spec(j)), j, { message: /file holds only whitespace, no JSON/ });
  });

  it('missing file', async () => {
    const p = `${tmp.dir}/nope.csv`;
    await expectDataError(() => prepareData(spec(p)), p, { message: /file not found/ });
  });

  it('unknown extension', async () => {
    const p = tmp.write('data.xlsx', 'whatever');
    await expectDataError(() => prepareData(spec(p)), p, { message: /unknown file type "\.xlsx".*\.csv/ });
  });

  it('file over maxFileBytes is refused before reading', async () => {
    const p = tmp.write('big.csv', 'x,y\n1,2\n3,4\n');
    await expectDataError(() => prepareData(spec(p, { maxFileBytes: 10 })), p, { message: /file is 12 bytes, over the limit of 10 bytes \(maxFileBytes\)/ });
  });

  it('relative paths resolve against baseDir', async () => {
    tmp.write('rel.csv', 'x,y\n1,2\n3,4\n5,6\n');
    const d = await prepareData(spec('rel.csv'), { baseDir: tmp.dir });
    expect(d.train.rows + (d.validation?.rows ?? 0)).toBe(3);
  });
});

describe('table-shape guards', () => {
  it('header only', async () => {
    const p = tmp.write('header.csv', 'a,b,y\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /no data rows \(the file has a header only\)/ });
  });

  it('one data row', async () => {
    const p = tmp.write('one-row.csv', 'a,y\n1,2\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /only one data row/ });
  });

  it('one column (no features)', async () => {
    const p = tmp.write('one-col.csv', 'y\n1\n2\n3\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /only one column \("y"\)/ });
  });

  it('ragged CSV row is named', async () => {
    const p = tmp.write('ragged.csv', 'a,b,y\n1,2,3\n4,5,6\n7,8\n9,10,11\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /expected 3 fields \(as in the header\), found 2/, row: 4 });
  });

  it('ragged row after a multi-line quoted field names the editor line', async () => {
    const p = tmp.write('ragged2.csv', 'a,b,y\n1,"two\nlines",3\n4,5,6,7\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /found 4/, row: 4 });
  });

  it('unterminated quote', async () => {
    const p = tmp.write('quote.csv', 'a,b,y\n1,2,3\n4,"oops,6\n7,8,9\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /quoted field is never closed/, row: 3 });
  });

  it('duplicate column name', async () => {
    const p = tmp.write('dup.csv', 'a,a,y\n1,2,3\n4,5,6\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /duplicate column name "a"/, column: 'a' });
  });

  it('ragged JSON rows and non-object records', async () => {
    const p = tmp.write('ragged.json', JSON.stringify({ columns: ['a', 'y'], rows: [[1, 2], [3]] }));
    await expectDataError(() => prepareData(spec(p)), p, { message: /expected 2 cells/, row: 2, field: 'rows[1]' });
    const q = tmp.write('notobj.json', JSON.stringify([{ a: 1, y: 2 }, 5]));
    await expectDataError(() => prepareData(spec(q)), q, { message: /expected an object/, row: 2 });
  });

  it('nested JSON values name row and column', async () => {
    const p = tmp.write('nested.json', JSON.stringify([{ a: 1, y: 2 }, { a: [1, 2], y: 3 }]));
    await expectDataError(() => prepareData(spec(p)), p, { message: /found an array/, row: 2, column: 'a' });
  });

  it('JSON syntax error gives line and column', async () => {
    const p = tmp.write('syntax.json', '[\n  {"a": 1, "y": 2},\n  {"a": 2 "y": 3}\n]');
    await expectDataError(() => prepareData(spec(p)), p, { message: /invalid JSON at line 3, column 11/ });
  });

  it('JSON errors V8 gives no position for are located by our own scan', async () => {
    const p = tmp.write('token.json', '[\n  {"a": 1, "y": 2},\n  {"a": .5, "y": 3}\n]');
    const e = await expectDataError(() => prepareData(spec(p)), p, { message: /invalid JSON at line 3, column 9: Unexpected token '\.'$/ });
    expect(e.message.length).toBeLessThan(p.length + 80);
    const { jsonErrorOffset } = await import('../../../app/data/json');
    expect(jsonErrorOffset('{"a": [1, 2, {"b": null}], "c": "x"}')).toBe(-1);
    expect(jsonErrorOffset('[1, 2,, 3]')).toBe(6);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('[1] x')).toBe(4);
    expect(jsonErrorOffset('['.repeat(100000))).toBe(100000);
  });

  it('JSON of the wrong shape', async () => {
    const p = tmp.write('shape.json', '{"a": [1, 2]}');
    await expectDataError(() => prepareData(spec(p)), p, { message: /expected an array of records or an object/ });
  });

  it('ragged inline rows', async () => {
    await expectDataError(
      () => prepareData({ source: { kind: 'inline', columns: ['a', 'y'], rows: [[1, 2], [3, 4, 5]] }, target: 'y' }),
      'inline data',
      { message: /expected 2 cells/, row: 2, field: 'source.rows[1]' },
    );
  });
});

describe('column and value guards', () => {
  const good = () => tmp.write('good.csv', 'a,b,y\n1,x,3\n2,y,4\n3,x,5\n');

  it('target column missing lists the available columns', async () => {
    const p = good();
    await expectDataError(() => prepareData(spec(p, { target: 'price' })), p, {
      message: /target column "price" not found; available columns: a, b, y/,
      column: 'price',
      field: 'target',
    });
  });

  it('target missing in a headerless CSV says why the names are generated', async () => {
    const p = tmp.write('numhead.csv', 'id,2019,y\n1,5,0\n2,6,1\n');
    await expectDataError(() => prepareData(spec(p)), p, {
      message: /available columns: col1, col2, col3 \(no header row was detected/,
      column: 'y',
    });
  });

  it('unknown feature or ignored column', async () => {
    const p = good();
    await expectDataError(() => prepareData(spec(p, { features: ['a', 'zz'] })), p, { message: /feature column "zz" not found/, column: 'zz' });
    await expectDataError(() => prepareData(spec(p, { ignore: ['qq'] })), p, { message: /ignored column "qq" not found/, column: 'qq' });
    await expectDataError(() => prepareData(spec(p, { features: ['y'] })), p, { message: /target column cannot also be a feature/, column: 'y' });
  });

  it('constant target', async () => {
    const p = tmp.write('const-target.csv', 'a,y\n1,7\n2,7\n3,7\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /target column is constant \(every usable row is "7"\)/, column: 'y' });
  });

  it('missing feature value with policy error names row and column', async () => {
    const p = tmp.write('miss.csv', 'a,b,y\n1,2,3\n4,,6\n7,8,9\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /missing value.*fill-mean/, row: 3, column: 'b' });
  });

  it('non-numeric value in a numeric column names row, column and value', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => `${i},${i * 2},${i % 2}`);
    rows.splice(5, 0, '5,abc,1');
    const p = tmp.write('nonnum.csv', ['a,b,y', ...rows].join('\n'));
    await expectDataError(() => prepareData(spec(p)), p, { message: /non-numeric value "abc"/, row: 7, column: 'b' });
  });

  it('missing target value with policy error', async () => {
    const p = tmp.write('miss-target.csv', 'a,y\n1,1\n2,\n3,0\n');
    await expectDataError(() => prepareData(spec(p)), p, { message: /missing value in the target/, row: 3, column: 'y' });
  });

  it('text target with task regression', async () => {
    const p = good();
    await expectDataError(() => prepareData(spec(p, { target: 'b', task: 'regression' })), p, {
      message: /target holds text \(e\.g\. "x"\); regression needs a numeric target/,
      column: 'b',
    });
  });

  it('categorical feature with oneHot off', async () => {
    const p = good();
    await expectDataError(() => prepareData(spec(p, { preprocessing: { oneHot: false } })), p, {
      message: /column holds text \(e\.g\. "x"\); enable preprocessing\.oneHot/,
      column: 'b',
      field: 'preprocessing.oneHot',
    });
  });

  it('too few rows for the requested splits', async () => {
    const p = tmp.write('few.csv', 'a,y\n1,1\n2,2\n');
    await expectDataError(() => prepareData(spec(p, { split: { validation: 0.5, test: 0.5 } })), p, { message: /2 usable rows are too few/ });
  });

  it('all rows dropped', async () => {
    const p = tmp.write('alldrop.csv', 'a,b,y\n1,,1\n,2,2\n3,,3\n');
    await expectDataError(() => prepareData(spec(p, { preprocessing: { missing: 'drop' } })), p, { message: /only 0 usable row\(s\)/ });
  });

  it('values that do not fit in float32', async () => {
    const p = tmp.write('huge.csv', 'a,y\n1,1\n2,1e39\n3,3\n');
    await expectDataError(() => prepareData(spec(p, { split: { validation: 0 } })), p, { message: /value 1e\+39 is too large for float32/, row: 3, column: 'y' });
    const q = tmp.write('huge-x.csv', 'a,y\n1,1\n-1e300,2\n3,3\n');
    await expectDataError(() => prepareData(spec(q, { preprocessing: { standardize: false }, split: { validation: 0 } })), q, {
      message: /value -1e\+300 is too large/,
      row: 3,
      column: 'a',
    });
  });

  it('invalid spec is a DataError naming the field', async () => {
    const p = good();
    await expectDataError(() => prepareData(spec(p, { split: { validation: 2 } })), undefined, { message: /invalid data spec/, field: 'split.validation' });
  });
});

describe('NumPy guards', () => {
  it('bad magic', async () => {
    const p = tmp.write('bad.npy', 'this is not numpy at all');
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /not a \.npy file/, field: 'header' });
  });

  it('header without a shape', async () => {
    const p = tmp.write('noshape.npy', npy('f8', [2], [1, 2], { header: "{'descr': '<f8', 'fortran_order': False, }" }));
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /bad \.npy header/, field: 'header' });
  });

  it('unsupported dtypes', async () => {
    for (const descr of ['<f2', '<c16', '<U5', '|O']) {
      const p = tmp.write(`dtype-${descr.replace(/\W/g, '')}.npy`, npy('f8', [1], [1], { descr }));
      await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: new RegExp(`unsupported dtype '${descr.replace('|', '\\|')}'`), field: 'descr' });
    }
    const p = tmp.write('bigendian.npy', npy('f8', [1], [1], { descr: '>f8' }));
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /big-endian dtype '>f8'/ });
  });

  it('Fortran order', async () => {
    const p = tmp.write('fortran.npy', npy('f8', [2, 2], [1, 2, 3, 4], { fortran: true }));
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /Fortran-ordered arrays are not supported/, field: 'fortran_order' });
  });

  it('3-D array and truncated data', async () => {
    const p = tmp.write('3d.npy', npy('f8', [1, 1, 1], [1]));
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /expected a 1-D or 2-D array, found shape \(1, 1, 1\)/ });
    const q = tmp.write('short.npy', npy('f8', [4, 2], [1, 2, 3]));
    await expectDataError(() => loadTable({ kind: 'file', path: q }), q, { message: /truncated data: shape \(4, 2\) needs 64 bytes, file has 24/ });
  });

  it('X and y row counts differ', async () => {
    const x = tmp.write('Xm.npy', npy('f8', [3, 1], [1, 2, 3]));
    const y = tmp.write('ym.npy', npy('f8', [2], [1, 2]));
    await expectDataError(() => loadTable({ kind: 'file', path: x, targetPath: y }), x, { message: /X has 3 rows but y has 2/ });
  });

  it('bad zip', async () => {
    const p = tmp.write('bad.npz', 'PK\u0003\u0004 definitely not a zip archive');
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /not a valid \.npz \(zip\) archive/ });
  });

  it('npz without X names what it found', async () => {
    const p = tmp.write('nox.npz', npz({ 'arr_0.npy': npy('f8', [1], [1]) }, 6));
    await expectDataError(() => loadTable({ kind: 'file', path: p }), p, { message: /no X or x array; found: arr_0\.npy/ });
  });

  it('errors inside an npz member name the member', async () => {
    const p = tmp.write('fmember.npz', npz({ 'X.npy': npy('f8', [2, 2], [1, 2, 3, 4], { fortran: true }) }, 0));
    await expectDataError(() => loadTable({ kind: 'file', path: p }), `${p}:X.npy`, { message: /Fortran/ });
  });
});
