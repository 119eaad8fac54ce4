/**
 * The fitting workflow in the GUI on a dataset made here (not shipped): the fitting preset's
 * 70/15/15 split and validation checks, test scores in the results table once runs end, and a
 * second target joining the first as a multi-output regression.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { screenshot, selectView, setBudget, uploadData, useAppSession } from './harness';

const app = useAppSession();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-e2e-fitting-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function makeCsv(): string {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const lines = ['speed,load,temp,power,wear'];
  for (let i = 0; i < 300; i++) {
    const [a, b, c] = [rand() * 10, rand() * 5, 20 + rand() * 30];
    lines.push([a, b, c, 3 * a + b * b + 0.1 * c + rand(), 0.5 * a * b - 0.02 * c + rand() * 0.2].map((v) => v.toFixed(4)).join(','));
  }
  const file = path.join(tmp, 'machine.csv');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const finished = () =>
  app.page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll('table.results tbody tr')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-phase') === 'finished');
    },
    null,
    { timeout: 150_000 },
  );

describe('the fitting workflow in the GUI', () => {
  it('fitting preset: 70/15/15, 6 validation checks, and test loss and R² in the results table', async () => {
    await uploadData(app.page, makeCsv());
    await app.page.getByLabel('Target column').selectOption('power');
    await app.page.locator('.check-summary[data-state="ok"]').waitFor({ timeout: 60_000 });
    await app.page.getByRole('button', { name: /Fitting preset/ }).click();
    expect(await app.page.locator('body').innerText()).toMatch(/Train 70%/);

    await selectView(app.page, 'Optimizers');
    const checks = app.page.locator('section[aria-labelledby="budget-title"]').getByLabel('Validation checks', { exact: true });
    await expect.poll(() => checks.inputValue()).toBe('6');
    await setBudget(app.page, 'Max iterations', '150');

    await selectView(app.page, 'Race');
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await finished();
    const headers = (await app.page.locator('table.results thead th').allTextContents()).map((h) => h.trim());
    const testLoss = headers.indexOf('test loss');
    const testR2 = headers.indexOf('test R²');
    expect(testLoss).toBeGreaterThan(0);
    expect(testR2).toBe(testLoss + 1);
    for (const row of await app.page.locator('table.results tbody tr').all()) {
      const cells = row.locator('th, td');
      expect(Number((await cells.nth(testLoss).textContent())?.trim())).toBeGreaterThan(0);
      expect(Number((await cells.nth(testR2).textContent())?.trim())).toBeGreaterThan(0.5);
    }
    for (const size of [{ width: 1280, height: 800 }, { width: 1024, height: 700 }]) {
      await app.page.setViewportSize(size);
      await app.page.evaluate(() => document.querySelector('.panel')?.scrollTo(0, 1e6));
      await screenshot(app.page, `fitting-results-${size.width}x${size.height}`);
    }
    await app.page.setViewportSize({ width: 1400, height: 900 });
  }, 240_000);

  it('a second target joins the first: two linear outputs, the first never becomes a feature', async () => {
    await selectView(app.page, 'Data');
    await app.page.getByLabel('Role of wear').selectOption('target');
    await expect.poll(() => app.page.getByLabel('Role of power').inputValue()).toBe('target');
    await app.page.locator('.check-summary[data-state="ok"]').waitFor({ timeout: 60_000 });
    await selectView(app.page, 'Model');
    await expect.poll(() => app.page.getByLabel('Output layer units').inputValue()).toBe('2');
    await screenshot(app.page, 'fitting-two-targets-model');
  }, 120_000);
});
