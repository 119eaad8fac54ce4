/** data.expandDates: date text read in the column's order and turned into numeric parts, the same for every split. */
import { describe, expect, it } from 'vitest';
import { checkTable } from '../../../app/data/check';
import { DATE_PARTS, dateParts, decideDateOrder, parseDate } from '../../../app/data/dates';
import { tableFromInline } from '../../../app/data/load';
import { prepareTable } from '../../../app/data/prepare';
import { DataError } from '../../../app/data/types';

const partsOf = (text: string, order: 'dmy' | 'mdy' = 'dmy') => {
  const d = parseDate(text, order);
  if (typeof d === 'string') throw new Error(d);
  return Array.from(dateParts(d));
};

function errorOf(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parseDate and dateParts', () => {
  it('reads ISO, dotted, slashed and two-digit-year dates, ignoring the time of day', () => {
    expect(parseDate('2024-03-01', 'mdy')).toEqual({ year: 2024, month: 3, day: 1 });
    expect(parseDate('2024/03/01T23:59:00+02:00', 'dmy')).toEqual({ year: 2024, month: 3, day: 1 });
    expect(parseDate('01.03.2024', 'dmy')).toEqual({ year: 2024, month: 3, day: 1 });
    expect(parseDate('3/1/2024 08:15', 'mdy')).toEqual({ year: 2024, month: 3, day: 1 });
    expect(parseDate('5.1.99', 'dmy')).toEqual({ year: 1999, month: 1, day: 5 });
    expect(parseDate('5.1.24', 'dmy')).toEqual({ year: 2024, month: 1, day: 5 });
    // DuckDB's text for a TIMESTAMP WITH TIME ZONE (Parquet, JSON Lines): an hour-only offset.
    expect(parseDate('2024-01-01 23:30:00+00', 'dmy')).toEqual({ year: 2024, month: 1, day: 1 });
  });

  it('says why a cell is no date', () => {
    expect(parseDate('31.02.2024', 'dmy')).toBe('2024-02 has no day 31');
    expect(parseDate('29.02.2023', 'dmy')).toBe('2023-02 has no day 29');
    expect(parseDate('13/01/2024', 'mdy')).toMatch(/month 13 does not exist \(the dates are read month\/day\/year\)/);
    expect(parseDate('soon', 'dmy')).toMatch(/^not a date/);
  });

  it('gives year, month, day, weekday (0 = Monday), the day of the year on a circle and days since 1970 (as Python datetime)', () => {
    // Python: date(2024,3,1).weekday() = 4, tm_yday 61 of 366, (date − 1970-01-01).days = 19783.
    const a = partsOf('2024-03-01');
    expect(a.slice(0, 4)).toEqual([2024, 3, 1, 4]);
    expect(a[4]).toBeCloseTo(Math.sin((2 * Math.PI * 60) / 366), 12);
    expect(a[5]).toBeCloseTo(Math.cos((2 * Math.PI * 60) / 366), 12);
    expect(a[6]).toBe(19783);
    const b = partsOf('31.12.2023');
    expect([b[0], b[1], b[2], b[3], b[6]]).toEqual([2023, 12, 31, 6, 19722]);
    expect(b[5]).toBeCloseTo(Math.cos((2 * Math.PI * 364) / 365), 12);
    expect(partsOf('1970-01-01')).toEqual([1970, 1, 1, 3, 0, 1, 0]);
    expect(partsOf('1/5/99', 'mdy')).toEqual(partsOf('1999-01-05'));
    expect(DATE_PARTS).toHaveLength(7);
  });
});

describe('decideDateOrder', () => {
  const decide = (texts: string[]) => decideDateOrder(texts.length, (k) => texts[k]);
  it('decides from a field above 12, from dots, or from ISO', () => {
    expect(decide(['2024-01-02', '2024-02-03'])).toEqual({ order: 'ymd' });
    expect(decide(['01/02/2024', '25/02/2024'])).toEqual({ order: 'dmy' });
    expect(decide(['01/02/2024', '02/25/2024'])).toEqual({ order: 'mdy' });
    expect(decide(['01.02.2024', '03.04.2024'])).toEqual({ order: 'dmy' });
    // Every date reads the same both ways: nothing to decide.
    expect(decide(['01/01/2024', '05/05/2024'])).toEqual({ order: 'dmy' });
  });
  it('refuses a column that reads both ways, or contradicts itself', () => {
    expect(decide(['05/05/2024', '03/04/2024', '04/03/2024'])).toEqual({ problem: 'ambiguous', at: 1 });
    expect(decide(['25/02/2024', '02/25/2024'])).toEqual({ problem: 'mixed', dayFirst: 0, monthFirst: 1 });
  });
});

describe('prepareTable with expandDates', () => {
  const N = 40;
  const iso = (i: number) => `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
  const rows = Array.from({ length: N }, (_, i) => [iso(i), i % 5, i * 0.5]);
  const spec = { source: { kind: 'file' as const, path: 'dates.csv' }, target: 'y', expandDates: ['when'], split: { validation: 0.25, test: 0.25, seed: 3 } };

  it('turns the date into 7 standardised inputs, recorded in preprocessing, identically in every split', () => {
    const d = prepareTable(tableFromInline(['when', 'x', 'y'], rows), { ...spec, preprocessing: { standardize: true } }, 'float64');
    expect(d.inputDim).toBe(8);
    expect(d.preprocessing.inputNames).toEqual([...DATE_PARTS.map((p) => `when:${p}`), 'x']);
    expect(d.preprocessing.dates).toEqual([{ column: 'when', order: 'ymd', parts: [...DATE_PARTS] }]);
    expect(d.preprocessing.oneHot).toEqual([]);
    const std = new Map(d.preprocessing.standardization.map((s) => [s.column, s]));
    expect(std.get('when:year')).toEqual({ column: 'when:year', mean: 2024, scale: 1 });
    // y = i/2 identifies each row: every split's inputs undo to that row's date parts.
    for (const split of [d.train, d.validation!, d.test!]) {
      for (let r = 0; r < split.rows; r++) {
        const i = Math.round(split.y[r] * 2);
        const want = partsOf(iso(i));
        DATE_PARTS.forEach((p, k) => {
          const s = std.get(`when:${p}`)!;
          expect(split.x[r * 8 + k] * s.scale + s.mean).toBeCloseTo(want[k], 9);
        });
      }
    }
    expect(d.notes.join('\n')).toMatch(/date column "when" \(read year first\) expanded into 7 inputs/);
    expect(d.notes.join('\n')).toMatch(/year constant on the training rows/);
  });

  it('names the column and row of a cell that is no date', () => {
    const bad = rows.map((r, i) => (i === 6 ? ['2024-02-30', r[1], r[2]] : r));
    const e = errorOf(() => prepareTable(tableFromInline(['when', 'x', 'y'], bad), spec));
    expect(e.message).toBe('inline data, row 7, column "when", field expandDates: cell "2024-02-30" is not a date: 2024-02 has no day 30');
  });

  it('refuses an ambiguous day/month order with the row that shows it, and reads it once the order is given', () => {
    const slashed = Array.from({ length: 12 }, (_, i) => [`${1 + (i % 12)}/${1 + ((i + 1) % 12)}/2024`, i, i]);
    const table = tableFromInline(['when', 'x', 'y'], slashed);
    const e = errorOf(() => prepareTable(table, spec));
    expect(e.row).toBe(1);
    expect(e.column).toBe('when');
    expect(e.reason).toBe('"1/2/2024" could be day/month/year or month/day/year, and no date in the column has a day above 12 to tell; set data.dateOrder to "dmy" or "mdy" (CLI --date-order)');
    const check = checkTable(table, spec);
    expect(check.problems[0]).toMatchObject({ control: 'dates', row: 1, column: 'when', value: '1/2/2024' });
    expect(check.problems[0].message).toMatch(/Choose "Day first" or "Month first" under "Dates with the year last"\.$/);
    const mdy = prepareTable(table, { ...spec, dateOrder: 'mdy' });
    const dmy = prepareTable(table, { ...spec, dateOrder: 'dmy' });
    expect(mdy.preprocessing.dates?.[0].order).toBe('mdy');
    expect(dmy.preprocessing.dates?.[0].order).toBe('dmy');
  });

  it('refuses a column with both orders, naming both rows', () => {
    const mixed = Array.from({ length: 10 }, (_, i) => [i === 2 ? '25/02/2024' : i === 8 ? '02/26/2024' : '01/01/2024', i, i]);
    const e = errorOf(() => prepareTable(tableFromInline(['when', 'x', 'y'], mixed), spec));
    expect(e.message).toMatch(/row 9, column "when", field dateOrder: "02\/26\/2024" contradicts "25\/02\/2024" \(row 3\)/);
    // Told day first, the month-first date is the one that fails, beside the order control.
    const told = checkTable(tableFromInline(['when', 'x', 'y'], mixed), { ...spec, dateOrder: 'dmy' });
    expect(told.problems[0]).toMatchObject({ control: 'dates', row: 9, value: '02/26/2024' });
    expect(told.problems[0].message).toMatch(/^Cell "02\/26\/2024" is not a date: month 26 does not exist \(the dates are read day\/month\/year\)\. Choose "Day first"/);
  });

  it('fills a missing date with the training mean of each part under fill-mean, and refuses a numeric or ignored column', () => {
    const gap = rows.map((r, i) => (i === 4 ? [null, r[1], r[2]] : r));
    const d = prepareTable(tableFromInline(['when', 'x', 'y'], gap), { ...spec, preprocessing: { missing: 'fill-mean' } });
    expect(d.preprocessing.missing.filledCells).toBe(1);
    expect(d.notes.join('\n')).toMatch(/1 missing cells filled with the training mean of each date part/);
    const all = [d.train, d.validation!, d.test!];
    const split = all.find((s) => Array.from(s.y).some((v) => v === 2))!;
    const r = Array.from(split.y).indexOf(2);
    // Standardised parts of the filled row are all 0 (the mean), or the mean itself when scale is 1.
    for (let k = 0; k < 7; k++) expect(Math.abs(split.x[r * 8 + k])).toBeLessThan(1e-6);
    expect(errorOf(() => prepareTable(tableFromInline(['when', 'x', 'y'], rows), { ...spec, expandDates: ['x'] })).message).toMatch(/column "x", field expandDates: holds numbers/);
    expect(errorOf(() => prepareTable(tableFromInline(['when', 'x', 'y'], rows), { ...spec, ignore: ['when'] })).message).toMatch(/is listed in expandDates but is ignored/);
    expect(errorOf(() => prepareTable(tableFromInline(['when', 'x', 'y'], rows), { ...spec, expandDates: ['wann'] })).message).toMatch(/date column "wann" not found/);
  });
});
