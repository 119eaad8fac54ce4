/** Identifiers, dates and wide one-hot columns found before they silently become hundreds of inputs. */
import { describe, expect, it } from 'vitest';
import { columnHints, looksLikeDate } from '../../../app/data/columnHints';
import { tableFromInline } from '../../../app/data/load';

const N = 60;
const rows = (f: (i: number) => (number | string | null)[]) => Array.from({ length: N }, (_, i) => f(i));

describe('columnHints', () => {
  it('finds text and integer identifiers, dates, and a column with more than 50 categories', () => {
    const t = tableFromInline(
      ['customer', 'row', 'when', 'city', 'size', 'x', 'y'],
      rows((i) => [`C-${1000 + 3 * i}`, i + 1, `2024-03-${String(1 + (i % 28)).padStart(2, '0')}`, `town ${i % 55}`, ['S', 'M', 'L'][i % 3], Math.sin(i), i % 2]),
    );
    const hints = columnHints(t);
    expect(hints.map((h) => [h.column, h.kind, h.inputs])).toEqual([
      ['customer', 'identifier', N],
      ['row', 'identifier', undefined],
      ['when', 'date', 28],
      ['city', 'wide-one-hot', 55],
    ]);
  });

  it('leaves continuous measurements, unnamed unique integers with gaps and small tables alone', () => {
    const t = tableFromInline(['x', 'count', 'y'], rows((i) => [Math.cos(i) * 10, i * i, i % 2]));
    expect(columnHints(t)).toEqual([]);
    const small = tableFromInline(['name', 'y'], [['a', 1], ['b', 0], ['c', 1]]);
    expect(columnHints(small)).toEqual([]);
  });

  it('flags a unique integer column named like a key even with gaps', () => {
    const t = tableFromInline(['order_id', 'y'], rows((i) => [5000 + i * i, i % 2]));
    expect(columnHints(t).map((h) => h.kind)).toEqual(['identifier']);
  });

  it('recognises ISO and day.month.year dates, not numbers or words', () => {
    for (const d of ['2024-03-01', '2024-03-01T12:30:00Z', '01.03.2024', '3/1/24', '2024/12/31 08:15']) expect(looksLikeDate(d), d).toBe(true);
    for (const d of ['2024', '12.5', '1,5', 'March', '2024-13-01', '32.01.2024']) expect(looksLikeDate(d), d).toBe(false);
  });
});
