/**
 * --expand-dates from the command line (real child process): a dd.mm.yyyy column becomes 7 numeric
 * inputs recorded in the exported preprocessing.json; a bad cell or an undecidable order is exit 2
 * naming the column and row.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-dates-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return runCli(args, { cwd: tmp, timeoutMs: 180_000 });
}

/** Orders by day: the amount follows the season (day of year) and the weekday. */
function writeCsv(name: string, date: (i: number) => string): void {
  const lines = ['order_id,date,qty,amount'];
  for (let i = 0; i < 120; i++) {
    const qty = 1 + (i % 7);
    lines.push([1000 + i, date(i), qty, (qty * 3 + Math.sin(i / 10)).toFixed(4)].join(','));
  }
  fs.writeFileSync(path.join(tmp, name), lines.join('\n') + '\n');
}

const dotted = (i: number) => {
  const d = new Date(Date.UTC(2023, 0, 1 + 3 * i));
  return `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()}`;
};

describe('curvature train --expand-dates', () => {
  it('expands a dd.mm.yyyy column into date parts, trains, and exports them in preprocessing.json and the README', () => {
    writeCsv('orders.csv', dotted);
    const out = path.join(tmp, 'out');
    const r = cli(['train', 'orders.csv', '--target', 'amount', '--ignore', 'order_id', '--expand-dates', 'date', '--layers', '4:tanh', '--optimizer', 'lbfgs',
      '--max-iter', '20', '--json', '--no-progress', '--out', out, '--format', 'json', '--save-experiment', 'exp.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout).runs[0];
    const pre = JSON.parse(fs.readFileSync(path.join(run.exportedTo, 'preprocessing.json'), 'utf8'));
    expect(pre.featureColumns).toEqual(['date', 'qty']);
    expect(pre.inputNames).toEqual(['date:year', 'date:month', 'date:day', 'date:weekday', 'date:dayOfYearSin', 'date:dayOfYearCos', 'date:daysSince1970', 'qty']);
    expect(pre.dates).toEqual([{ column: 'date', order: 'dmy', parts: ['year', 'month', 'day', 'weekday', 'dayOfYearSin', 'dayOfYearCos', 'daysSince1970'] }]);
    expect(pre.oneHot).toEqual([]);
    expect(pre.standardization.map((s: { column: string }) => s.column)).toEqual(pre.inputNames);
    const weights = JSON.parse(fs.readFileSync(path.join(run.exportedTo, 'weights.json'), 'utf8'));
    expect(weights.layers[0].W).toHaveLength(8);
    const readme = fs.readFileSync(path.join(run.exportedTo, 'README.md'), 'utf8');
    expect(readme).toMatch(/2\. Turn each date column into 7 numbers/);
    expect(readme).toContain('def date_parts(text, order):');
    const exp = JSON.parse(fs.readFileSync(path.join(tmp, 'exp.json'), 'utf8'));
    expect([exp.data.ignore, exp.data.expandDates]).toEqual([['order_id'], ['date']]);
  }, 200_000);

  it('a cell that is no date is exit 2 naming the file, row and column', () => {
    writeCsv('bad.csv', (i) => (i === 9 ? '30.02.2023' : dotted(i)));
    const r = cli(['train', 'bad.csv', '--target', 'amount', '--expand-dates', 'date', '--max-iter', '1', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv, row 11, column "date", field expandDates: cell "30\.02\.2023" is not a date: 2023-02 has no day 30\n$/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  }, 200_000);

  it('slashed dates that read both ways are exit 2 until --date-order decides', () => {
    writeCsv('slashed.csv', (i) => `${1 + (i % 12)}/${1 + ((i + 5) % 12)}/2023`);
    const r = cli(['train', 'slashed.csv', '--target', 'amount', '--expand-dates', 'date', '--max-iter', '1', '--no-progress']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('slashed.csv, row 2, column "date", field dateOrder: "1/6/2023" could be day/month/year or month/day/year');
    expect(r.stderr).toContain('--date-order');
    const ok = cli(['train', 'slashed.csv', '--target', 'amount', '--expand-dates', 'date', '--date-order', 'mdy', '--max-iter', '1', '--no-progress', '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const bad = cli(['train', 'slashed.csv', '--target', 'amount', '--date-order', 'mdy', '--max-iter', '1']);
    expect([bad.code, bad.stderr]).toEqual([2, 'curvature: error: --date-order applies to --expand-dates\n']);
  }, 200_000);
});
