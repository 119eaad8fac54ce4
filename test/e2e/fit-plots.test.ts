/**
 * The fitting plots in the Results (Race) view, on datasets made here (not shipped): with the
 * fitting preset (70/15/15) a regression shows the regression plot with R per subset and the
 * 20-bin error histogram; a binary classification shows the confusion matrix and the ROC.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot, selectView, seriousViolations, setBudget, uploadData, useAppSession } from './harness';

const app = useAppSession();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-e2e-fit-plots-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeCsv(name: string, row: (rand: () => number) => number[], head: string): string {
  let s = 11;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const lines = [head];
  for (let i = 0; i < 300; i++) lines.push(row(rand).map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(4))).join(','));
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const finished = (page: Page) =>
  page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll('table.results tbody tr')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-phase') === 'finished');
    },
    null,
    { timeout: 150_000 },
  );

async function race(page: Page, file: string, target: string) {
  await selectView(page, 'Data');
  await uploadData(page, file);
  await page.getByLabel('Target column').selectOption(target);
  await page.locator('.check-summary[data-state="ok"]').waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: /Fitting preset/ }).click();
  await selectView(page, 'Optimizers');
  await setBudget(page, 'Max iterations', '120');
  await selectView(page, 'Race');
  await page.getByRole('button', { name: /Start race/ }).click();
  await finished(page);
  await page.locator('section[aria-label="Fit plots"]').waitFor({ timeout: 30_000 });
}

async function shots(page: Page, name: string) {
  for (const size of [{ width: 1280, height: 800 }, { width: 1024, height: 700 }]) {
    await page.setViewportSize(size);
    await page.locator('section[aria-label="Fit plots"]').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, `${name}-${size.width}x${size.height}`);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

describe('fit plots in the Results view', () => {
  it('regression with the fitting preset: regression plot with R per subset and the error histogram', async () => {
    const file = makeCsv('plant.csv', (r) => {
      const [a, b] = [r() * 10, r() * 5];
      return [a, b, 2 * a + b * b + r()];
    }, 'speed,load,power');
    await race(app.page, file, 'power');
    const plots = app.page.locator('section[aria-label="Fit plots"]');
    const regression = plots.locator('figure[data-fit-chart^="Regression"]');
    await expect.poll(() => regression.getAttribute('data-points')).toBe('300');
    expect(Number(await regression.getAttribute('data-r'))).toBeGreaterThan(0.9);
    const histogram = plots.locator('figure[data-fit-chart^="Error histogram"]');
    expect(await histogram.getAttribute('data-bins')).toBe('20');
    expect(await histogram.getAttribute('data-counts')).toBe('300');
    expect(await plots.locator('figure[data-fit-chart="Performance"]').getAttribute('data-best')).toMatch(/^\d+$/);
    await shots(app.page, 'fit-plots-regression');

    // One subset: the test rows only (15 % of 300), R from summary.fit.
    await plots.getByText('Test', { exact: true }).click();
    await expect.poll(() => regression.getAttribute('data-points')).toBe('45');
    expect(await histogram.getAttribute('data-counts')).toBe('45');
    expect(await plots.getByTestId('fit-r').innerText()).toMatch(/R \(Test\) = 0\.9\d+/);
    await screenshot(app.page, 'fit-plots-regression-test-subset');

    // Each figure saves as PNG and its data as CSV (browser mode: downloads).
    const [png] = await Promise.all([app.page.waitForEvent('download'), regression.getByRole('button', { name: /as PNG/ }).click()]);
    expect(png.suggestedFilename()).toMatch(/-regression\.png$/);
    const pngBytes = fs.readFileSync((await png.path())!);
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(300); // width
    const [csv] = await Promise.all([app.page.waitForEvent('download'), regression.getByRole('button', { name: /as CSV/ }).click()]);
    const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('subset,target,actual,predicted,error');
    expect(lines.slice(1).filter((l) => l.startsWith('test,power,'))).toHaveLength(45);
    expect(lines).toHaveLength(46);
    const [hcsv] = await Promise.all([app.page.waitForEvent('download'), histogram.getByRole('button', { name: /as CSV/ }).click()]);
    const bins = fs.readFileSync((await hcsv.path())!, 'utf8').trim().split('\n');
    expect(bins[0]).toBe('bin_low,bin_high,bin_center,test');
    expect(bins).toHaveLength(21);

    // Another run: its own best iteration (the results table's status names it).
    const select = plots.getByTestId('fit-run');
    const other = (await select.locator('option').allInnerTexts()).find((t) => !t.includes('(best)'))!;
    await select.selectOption({ label: other });
    const row = app.page.locator('table.results tbody tr', { hasText: other.trim() });
    const iteration = /weights from iteration (\d+)/.exec(await row.innerText())?.[1];
    await expect.poll(() => plots.locator('figure[data-fit-chart="Performance"]').getAttribute('data-best')).toBe(iteration);
  }, 240_000);

  it('binary classification: confusion matrix with counts and row percentages, and the ROC', async () => {
    const file = makeCsv('parts.csv', (r) => {
      const [a, b] = [r() * 4 - 2, r() * 4 - 2];
      return [a, b, a + 0.5 * b + 0.5 * (r() - 0.5) > 0 ? 1 : 0];
    }, 'x1,x2,defect');
    await race(app.page, file, 'defect');
    const plots = app.page.locator('section[aria-label="Fit plots"]');
    const confusion = plots.locator('figure[data-fit-chart="Confusion matrix"]');
    await expect.poll(() => confusion.getAttribute('data-total')).toBe('300');
    expect(Number(await confusion.getAttribute('data-right'))).toBeGreaterThan(250);
    const cells = await confusion.locator('tbody td').allInnerTexts();
    expect(cells).toHaveLength(4);
    for (const c of cells) expect(c).toMatch(/^\d+\s*\d+\.\d%$/);
    expect(Number(await plots.locator('figure[data-fit-chart^="ROC"]').getAttribute('data-auc'))).toBeGreaterThan(0.9);
    await shots(app.page, 'fit-plots-confusion');
    const [csv] = await Promise.all([app.page.waitForEvent('download'), confusion.getByRole('button', { name: /as CSV/ }).click()]);
    const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('subset,actual,predicted,count,row_percent');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['all,0,0', 'all,0,1', 'all,1,0', 'all,1,1']);
    expect(lines.slice(1).reduce((n, l) => n + Number(l.split(',')[3]), 0)).toBe(300);
    const [png] = await Promise.all([app.page.waitForEvent('download'), confusion.getByRole('button', { name: /as PNG/ }).click()]);
    expect(fs.readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');
    expect(await seriousViolations(app.page)).toEqual([]);
  }, 240_000);
});
