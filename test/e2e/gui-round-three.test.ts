/**
 * GUI round three (issue 23): what a new user tripped over on data the app had never seen. Each
 * `it` names the item it covers; screenshots at 1280×800 and 1024×700 go to test-artifacts/e2e/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { screenshot, selectView, setBudget, useAppSession } from './harness';

const app = useAppSession();
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-r3-'));

async function finishedRows(n: number, timeout = 120_000): Promise<void> {
  await app.page.waitForFunction((k) => document.querySelectorAll('table.results tr[data-phase="finished"]').length === k, n, { timeout });
}

async function startRace(): Promise<void> {
  await selectView(app.page, 'Race');
  await app.page.getByRole('button', { name: /Start race/ }).click();
}

const chartAttr = async (chart: string, name: string) => app.page.locator(`figure[data-chart="${chart}"]`).getAttribute(name);

async function removeRunsBut(keep: string): Promise<void> {
  await selectView(app.page, 'Optimizers');
  for (;;) {
    const names = await app.page.locator('button[aria-label^="Remove run"]').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')!));
    const other = names.find((n) => !n.endsWith(`(${keep})`));
    if (!other) return;
    await app.page.getByRole('button', { name: other, exact: true }).click();
  }
}

async function discardAndNew(): Promise<void> {
  await app.page.getByRole('button', { name: 'New', exact: true }).click();
  const dialog = app.page.getByRole('dialog', { name: 'Unsaved changes' });
  if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Discard changes' }).click();
  await expect.poll(() => app.page.getByLabel('Experiment name').inputValue()).toBe('Untitled experiment');
}

describe('GUI round three in browser mode', () => {
  it('1: the gradient chart keeps drawing after a race with repeats', async () => {
    await app.page.setViewportSize({ width: 1280, height: 800 });
    await app.page.getByRole('button', { name: /Friedman #1 regression/ }).click();
    await removeRunsBut('Adam');
    // Over 1000 points per band: chart.js decimates them, which threw on the step median's NaN start.
    await setBudget(app.page, 'Max iterations', '1100');
    await app.page.getByLabel(/^Repeats/).fill('2');
    await startRace();
    await finishedRows(2, 240_000);
    await selectView(app.page, 'Optimizers');
    await app.page.getByLabel(/^Repeats/).fill('1');
    await setBudget(app.page, 'Max iterations', '50');
    await startRace();
    await finishedRows(1);
    await expect.poll(() => chartAttr('Gradient norm and step size', 'data-x-max'), { timeout: 10_000 }).toBe('50');
    expect(Number(await chartAttr('Gradient norm and step size', 'data-points'))).toBeGreaterThan(90);
    await screenshot(app.page, 'r3-1-gradient-after-repeats-1280x800');
    expect(app.problems.errors.filter((e) => /destructure|pageerror/.test(e))).toEqual([]);
  }, 300_000);

  it('6: New → Discard forgets the previous race: charts, results, notes and export cards', async () => {
    await discardAndNew();
    await selectView(app.page, 'Race');
    expect(await app.page.locator('table.results').count()).toBe(0);
    expect(await app.page.locator('figure.chart').count()).toBe(0);
    expect(await app.page.locator('details.notes').count()).toBe(0);
    await selectView(app.page, 'Export');
    expect(await app.page.locator('article[data-run-id]').count()).toBe(0);
    await screenshot(app.page, 'r3-6-new-after-race-1280x800');
  });

  it('5: an experiment reopened without its data cannot start, and says which button opens it', async () => {
    const file = path.join(TMP, 'no-data.curvature.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ version: 1, name: 'Reopened without data', data: { source: { kind: 'file', path: 'C:\\Users\\someone\\held-out.csv' }, target: 'y' }, model: { layers: [{ units: 8 }, { units: 1 }] }, runs: [{ optimizer: { kind: 'adam' } }] }),
    );
    await app.page.locator('#experiment-file-input').setInputFiles(file);
    await expect.poll(() => app.page.getByLabel('Experiment name').inputValue()).toBe('Reopened without data');
    await selectView(app.page, 'Race');
    expect(await app.page.getByRole('button', { name: /Start race/ }).isDisabled()).toBe(true);
    const notReady = await app.page.locator('.warning', { hasText: 'Not ready to race' }).innerText();
    expect(notReady).toContain('held-out.csv is not open');
    const button = notReady.match(/"([^"]+…)"/)?.[1];
    expect(button).toBe('Open data file…');
    await screenshot(app.page, 'r3-5-reopened-without-data-1280x800');
    await selectView(app.page, 'Data');
    await app.page.getByRole('button', { name: button }).waitFor();
    await discardAndNew();
  });
});
