import { afterAll, describe, expect, it } from 'vitest';
import { type DataSpecInput, prepareData } from '../../../app/data/prepare';
import { previewDataset } from '../../../app/data/previewDataset';
import { seededRandom, shuffleInPlace, splitRows } from '../../../app/data/split';
import { DataError, type PreparedData, type Split } from '../../../app/data/types';
import { errorOf, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Column c of a row-major split. */
const col = (s: Split, dim: number, c: number) => Array.from({ length: s.rows }, (_, r) => s.x[r * dim + c]);
const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
const std = (a: number[]) => Math.sqrt(mean(a.map((v) => (v - mean(a)) ** 2)));

function csv(name: string, header: string[], rows: (string | number)[][]): string {
  return tmp.write(name, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
}

const spec = (path: string, extra: Partial<DataSpecInput> = {}): DataSpecInput => ({ source: { kind: 'file', path }, target: 'y', ...extra });

describe('prepareData: regression with numeric and categorical features', () => {
  // y = 2·x identifies every row, so the training rows can be recovered from the output.
  const rows = Array.from({ length: 50 }, (_, i) => [i * 1.5, ['red', 'green', 'blue'][i % 3], i * 3]);
  const path = csv('reg.csv', ['x', 'color', 'y'], rows);

  it('one-hot encodes sorted categories, standardises with training rows only and keeps y raw', async () => {
    const d = await prepareData(spec(path, { split: { validation: 0.3, seed: 7 } }));
    expect(d.task).toBe('regression');
    expect(d.inputDim).toBe(4);
    expect(d.outputDim).toBe(1);
    expect(d.preprocessing.featureColumns).toEqual(['x', 'color']);
    expect(d.preprocessing.inputNames).toEqual(['x', 'color=blue', 'color=green', 'color=red']);
    expect(d.preprocessing.oneHot).toEqual([{ column: 'color', categories: ['blue', 'green', 'red'] }]);
    expect(d.train.rows + (d.validation?.rows ?? 0)).toBe(50);
    expect(d.validation?.rows).toBe(15);
    expect(d.train.x).toBeInstanceOf(Float32Array);
    expect(d.train.x.length).toBe(d.train.rows * 4);

    // Recover the raw x of the training rows from y (= 2x) and compare with the recorded mean.
    const trainRawX = Array.from(d.train.y, (y) => y / 2);
    const allRawX = rows.map((r) => r[0] as number);
    const st = d.preprocessing.standardization[0];
    expect(st.column).toBe('x');
    expect(st.mean).toBeCloseTo(mean(trainRawX), 10);
    expect(st.mean).not.toBeCloseTo(mean(allRawX), 3);
    expect(st.scale).toBeCloseTo(std(trainRawX), 10);
    // Standardised training column: mean 0, std 1; validation is transformed with the same numbers.
    const xs = col(d.train, 4, 0);
    expect(mean(xs)).toBeCloseTo(0, 5);
    expect(std(xs)).toBeCloseTo(1, 5);
    const v = d.validation as Split;
    for (let r = 0; r < v.rows; r++) expect(v.x[r * 4]).toBeCloseTo((v.y[r] / 2 - st.mean) / st.scale, 5);
    // One-hot rows have exactly one 1 in the right place.
    for (let r = 0; r < d.train.rows; r++) {
      const i = d.train.y[r] / 3;
      const hot = [1, 2, 3].map((c) => d.train.x[r * 4 + c]);
      expect(hot).toEqual([0, 1, 2].map((k) => (['blue', 'green', 'red'].indexOf(['red', 'green', 'blue'][i % 3]) === k ? 1 : 0)));
    }
  });

  it('leaves features raw when standardize is off (mean 0, scale 1 recorded)', async () => {
    const d = await prepareData(spec(path, { preprocessing: { standardize: false } }));
    expect(d.preprocessing.standardization).toEqual([{ column: 'x', mean: 0, scale: 1 }]);
    for (let r = 0; r < d.train.rows; r++) expect(d.train.x[r * 4]).toBe(Math.fround(d.train.y[r] / 2));
  });

  it('honours features and ignore', async () => {
    const d = await prepareData(spec(path, { ignore: ['color'] }));
    expect(d.preprocessing.featureColumns).toEqual(['x']);
    expect(d.inputDim).toBe(1);
    const e = await prepareData(spec(path, { features: ['color'] }));
    expect(e.preprocessing.inputNames).toEqual(['color=blue', 'color=green', 'color=red']);
  });

  it('skips a wholly empty column such as the one a trailing delimiter makes', async () => {
    const p = tmp.write('trailing.csv', 'a,y,\n1,2,\n3,4,\n5,7,\n');
    const d = await prepareData(spec(p));
    expect(d.preprocessing.featureColumns).toEqual(['a']);
    expect(d.notes.join('\n')).toMatch(/column "col3" is empty and not used/);
  });

  it('sets scale 1 and says so for a constant feature', async () => {
    const p = csv('const.csv', ['k', 'x', 'y'], Array.from({ length: 10 }, (_, i) => [5, i, i * 0.5]));
    const d = await prepareData(spec(p));
    expect(d.preprocessing.standardization[0]).toEqual({ column: 'k', mean: 5, scale: 1 });
    expect(d.notes.join('\n')).toMatch(/"k" is constant/);
    expect(col(d.train, 2, 0).every((v) => v === 0)).toBe(true);
  });
});

describe('prepareData: task inference and class encoding', () => {
  const features = (n: number) => Array.from({ length: n }, (_, i) => [i % 7, (i * 13) % 11]);
  const withTarget = (n: number, f: (i: number) => string | number) => features(n).map((r, i) => [...r, f(i)]);

  const cases: [string, (i: number) => string | number, number, string, string[] | undefined][] = [
    ['numeric 0/1', (i) => i % 2, 40, 'binary', ['0', '1']],
    ['numeric -1/1', (i) => (i % 3 === 0 ? -1 : 1), 40, 'binary', ['-1', '1']],
    ['text yes/no', (i) => (i % 3 === 0 ? 'yes' : 'no'), 40, 'binary', ['no', 'yes']],
    ['text cat/dog/emu', (i) => ['emu', 'cat', 'dog'][i % 3], 40, 'multiclass', ['cat', 'dog', 'emu']],
    ['integers 0..3 in 100 rows', (i) => i % 4, 100, 'multiclass', ['0', '1', '2', '3']],
    ['integers 0..9 in 100 rows (over 5%)', (i) => i % 10, 100, 'regression', undefined],
    ['floats', (i) => i / 3, 40, 'regression', undefined],
  ];
  for (const [name, f, n, task, labels] of cases) {
    it(`${name} → ${task}`, async () => {
      const p = csv(`task-${name.replace(/\W+/g, '_')}.csv`, ['a', 'b', 'y'], withTarget(n, f));
      const d = await prepareData(spec(p));
      expect(d.task).toBe(task);
      expect(d.preprocessing.classLabels).toEqual(labels);
      expect(d.outputDim).toBe(task === 'multiclass' ? labels?.length : 1);
    });
  }

  it('encodes binary as one 0/1 column and multiclass as one-hot rows matching the labels', async () => {
    const n = 30;
    const labelOf = (i: number) => ['emu', 'cat', 'dog'][i % 3];
    // Feature a = i makes each row identifiable.
    const p = csv('mc.csv', ['a', 'y'], Array.from({ length: n }, (_, i) => [i, labelOf(i)]));
    const d = await prepareData(spec(p, { preprocessing: { standardize: false } }));
    expect(d.preprocessing.classLabels).toEqual(['cat', 'dog', 'emu']);
    for (const s of [d.train, d.validation as Split]) {
      for (let r = 0; r < s.rows; r++) {
        const i = s.x[r];
        const row = Array.from(s.y.subarray(r * 3, r * 3 + 3));
        expect(row).toEqual(['cat', 'dog', 'emu'].map((l) => (l === labelOf(i) ? 1 : 0)));
      }
    }
    const b = await prepareData(spec(csv('bin.csv', ['a', 'y'], Array.from({ length: n }, (_, i) => [i, i % 2 ? 'pos' : 'neg'])), { preprocessing: { standardize: false } }));
    expect(b.preprocessing.classLabels).toEqual(['neg', 'pos']);
    for (let r = 0; r < b.train.rows; r++) expect(b.train.y[r]).toBe(b.train.x[r] % 2);
  });

  it('applies the task override', async () => {
    const p = csv('override.csv', ['a', 'b', 'y'], withTarget(100, (i) => i % 4));
    const d = await prepareData(spec(p, { task: 'regression' }));
    expect(d.task).toBe('regression');
    expect(d.outputDim).toBe(1);
    const m = await prepareData(spec(csv('override2.csv', ['a', 'b', 'y'], withTarget(40, (i) => i % 2)), { task: 'multiclass' }));
    expect(m.outputDim).toBe(2);
    const e = await errorOf(() => prepareData(spec(p, { task: 'binary' })));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/override\.csv.*column "y".*exactly 2 distinct target values, found 4/);
  });
});

describe('prepareData: missing values', () => {
  const rows = [
    [1, 'a', 10],
    ['', 'b', 20],
    [3, '', 30],
    [5, 'a', 40],
    [7, 'b', 50],
    [9, 'a', 60],
    ['oops', 'b', 70],
    [11, 'a', 80],
  ];
  const path = csv('missing.csv', ['x', 'c', 'y'], rows);

  it("'drop' drops rows with missing or non-numeric cells and reports it", async () => {
    const d = await prepareData(spec(path, { preprocessing: { missing: 'drop' }, split: { validation: 0 } }));
    expect(d.preprocessing.missing).toEqual({ policy: 'drop', droppedRows: 3, filledCells: 0 });
    expect(d.train.rows).toBe(5);
    expect([...d.train.y].sort((a, b) => a - b)).toEqual([10, 40, 50, 60, 80]);
    expect(d.notes.join('\n')).toMatch(/3 of 8 rows dropped/);
  });

  it("'fill-mean' fills numeric cells with the training mean and categories with the training mode", async () => {
    const d = await prepareData(spec(path, { preprocessing: { missing: 'fill-mean', standardize: false }, split: { validation: 0.25, seed: 3 } }));
    expect(d.preprocessing.missing).toEqual({ policy: 'fill-mean', droppedRows: 0, filledCells: 3 });
    const raw = new Map(rows.map((r) => [r[2] as number, r]));
    const train = Array.from({ length: d.train.rows }, (_, r) => raw.get(d.train.y[r]) as (string | number)[]);
    const present = train.map((r) => r[0]).filter((v): v is number => typeof v === 'number');
    const trainMean = mean(present);
    const trainModeA = train.filter((r) => r[1] === 'a').length >= train.filter((r) => r[1] === 'b').length;
    for (const s of [d.train, d.validation as Split]) {
      for (let r = 0; r < s.rows; r++) {
        const src = raw.get(s.y[r]) as (string | number)[];
        const xv = s.x[r * 3];
        expect(xv).toBeCloseTo(typeof src[0] === 'number' ? src[0] : trainMean, 5);
        if (src[1] === '') expect(Array.from(s.x.subarray(r * 3 + 1, r * 3 + 3))).toEqual(trainModeA ? [1, 0] : [0, 1]);
      }
    }
  });

  it("'fill-mean' still drops rows whose target is missing", async () => {
    const p = csv('missing-target.csv', ['x', 'y'], [[1, 1], [2, ''], [3, 3], [4, 4.5]]);
    const d = await prepareData(spec(p, { preprocessing: { missing: 'fill-mean' }, split: { validation: 0 } }));
    expect(d.preprocessing.missing.droppedRows).toBe(1);
    expect(d.train.rows).toBe(3);
  });
});

describe('prepareData: all-numeric features (training inputs written column by column)', () => {
  // Features with missing cells, text and a wide range; "tag" is one category, so adding it as a
  // last feature sends the table through the general row-by-row path with the same numeric plans.
  const random = seededRandom(11);
  const rows = Array.from({ length: 400 }, (_, i) => [
    i % 17 === 0 ? '' : ((random() - 0.5) * 1e6).toFixed(3),
    i % 23 === 0 ? 'n/a' : (random() * 1e-4).toExponential(5),
    i === 7 ? 'oops' : (random() * 10).toFixed(2),
    'tag',
    (random() * 3).toFixed(4),
  ]);
  const source = { kind: 'inline' as const, columns: ['a', 'b', 'c', 'tag', 'y'], rows };

  it.each(['float32', 'float64'] as const)('gives the general path\'s matrices bit for bit (%s)', async (precision) => {
    const base = { preprocessing: { missing: 'fill-mean' as const }, split: { validation: 0.25, test: 0.1, seed: 5 } };
    const direct = await prepareData({ source, target: 'y', ...base, ignore: ['tag'] }, { precision });
    const general = await prepareData({ source, target: 'y', ...base }, { precision });
    expect(direct.inputDim).toBe(3);
    expect(general.inputDim).toBe(4);
    for (const s of ['train', 'validation', 'test'] as const) {
      const [d, g] = [direct[s] as Split, general[s] as Split];
      expect(d.x.constructor).toBe(g.x.constructor);
      for (let c = 0; c < 3; c++) expect(col(d, 3, c), `${s} column ${c}`).toEqual(col(g, 4, c));
      expect(Array.from(d.y)).toEqual(Array.from(g.y));
    }
    expect(direct.preprocessing.standardization).toEqual(general.preprocessing.standardization.slice(0, 3));
  });

  it('reports the first out-of-range cell in file order, whatever the training order', async () => {
    const big = tmp.write('big-values.csv', ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i === 9 || i === 30 ? '1e39' : i},${i}`)].join('\n') + '\n');
    for (const seed of [1, 2, 3, 4]) {
      const e = (await errorOf(() => prepareData(spec(big, { preprocessing: { standardize: false }, split: { validation: 0, seed } })))) as DataError;
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toMatch(/value 1e\+39 is too large for float32/);
      expect([e.row, e.column]).toEqual([11, 'x']);
    }
  });
});

describe('splits', () => {
  const n = 100;
  const labels = Array.from({ length: n }, (_, i) => (i < 60 ? 'a' : i < 90 ? 'b' : 'c'));
  const path = csv('strat.csv', ['i', 'y'], labels.map((l, i) => [i, l]));
  const ids = (s: Split) => Array.from({ length: s.rows }, (_, r) => s.x[r]);
  const opts = (seed: number, stratify = true): DataSpecInput => spec(path, { preprocessing: { standardize: false }, split: { validation: 0.2, test: 0.1, seed, stratify } });

  it('is deterministic for a seed and different for another seed', async () => {
    const a = await prepareData(opts(1));
    const b = await prepareData(opts(1));
    const c = await prepareData(opts(2));
    expect(ids(a.train)).toEqual(ids(b.train));
    expect(ids(a.validation as Split)).toEqual(ids(b.validation as Split));
    expect(ids(a.train)).not.toEqual(ids(c.train));
    const all = [...ids(a.train), ...ids(a.validation as Split), ...ids(a.test as Split)].sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('keeps class proportions in every split when stratified', async () => {
    for (const seed of [1, 2, 3]) {
      const d = await prepareData(opts(seed));
      const count = (s: Split) => [0, 1, 2].map((k) => ids(s).filter((i) => ['a', 'b', 'c'].indexOf(labels[i]) === k).length);
      expect(count(d.train)).toEqual([42, 21, 7]);
      expect(count(d.validation as Split)).toEqual([12, 6, 2]);
      expect(count(d.test as Split)).toEqual([6, 3, 1]);
    }
  });

  it('splitRows apportions by largest remainder and shuffles deterministically', () => {
    const rows = Int32Array.from({ length: 10 }, (_, i) => i);
    const strata = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const s = splitRows(rows, { validation: 0.3, test: 0, seed: 5, strata });
    expect(s.validation.length).toBe(3);
    expect([...s.validation].filter((i) => i >= 7).length).toBe(1);
    const r1 = [1, 2, 3, 4, 5];
    const r2 = [1, 2, 3, 4, 5];
    shuffleInPlace(r1, seededRandom(9));
    shuffleInPlace(r2, seededRandom(9));
    expect(r1).toEqual(r2);
    expect([...r1].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('previewDataset', () => {
  it('summarises columns, shows the head and suggests the target', async () => {
    const p = tmp.write('prev.csv', 'x,kind,label\n1,a,0\n2,b,1\n,a,0\n4,a,1\n');
    const v = await previewDataset(p);
    expect(v.file).toBe('prev.csv');
    expect(v.format).toBe('csv');
    expect(v.rowCount).toBe(4);
    expect(v.suggestedTarget).toBe('label');
    expect(v.inferredTask).toBe('binary');
    expect(v.head[2]).toEqual(['', 'a', '0']);
    const [x, kind] = v.columns;
    expect(x).toMatchObject({ name: 'x', kind: 'numeric', missing: 1, distinct: 3, min: 1, max: 4 });
    expect(x.mean).toBeCloseTo(7 / 3, 12);
    expect(kind).toMatchObject({ kind: 'categorical', distinct: 2, topValues: [{ value: 'a', count: 3 }, { value: 'b', count: 1 }] });
  });

  it('previews .npz and JSON files', async () => {
    const { npy, npz } = await import('./helpers');
    const p = tmp.write('prev.npz', npz({ 'X.npy': npy('f4', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]), 'y.npy': npy('i8', [4], [0, 1, 2, 1]) }, 6));
    const v = await previewDataset(p);
    expect(v).toMatchObject({ file: 'prev.npz', format: 'npz', rowCount: 4, suggestedTarget: 'y', inferredTask: 'regression' });
    expect(v.columns.map((c) => c.name)).toEqual(['x0', 'x1', 'y']);
    expect(v.head[0]).toEqual(['1', '2', '0']);
    const j = await previewDataset(tmp.write('prev.json', JSON.stringify([{ w: 'a', label: 'no' }, { w: 'b', label: 'yes' }])));
    expect(j).toMatchObject({ format: 'json', suggestedTarget: 'label', inferredTask: 'binary' });
  });

  it('suggests the last column when none is named like a target', async () => {
    const v = await previewDataset(tmp.write('prev2.csv', 'p,q\n1,2.5\n2,3.5\n3,1.25\n'));
    expect(v.suggestedTarget).toBe('q');
    expect(v.inferredTask).toBe('regression');
  });
});

describe('inline source', () => {
  it('prepares an inline table', async () => {
    const d: PreparedData = await prepareData({
      source: { kind: 'inline', columns: ['a', 'y'], rows: [[0, 0], [1, 1], [2, 0], [3, 1]] },
      target: 'y',
      split: { validation: 0 },
    });
    expect(d.task).toBe('binary');
    expect(d.train.rows).toBe(4);
  });
});
