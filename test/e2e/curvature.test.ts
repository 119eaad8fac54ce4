/**
 * The Curvature panel in browser mode: a small network raced with Newton-CG beside the defaults; after
 * the race every run shows eigenvalue strips at its start and end with a verdict in words.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, screenshot, selectView, seriousViolations, setBudget, uploadData, useAppSession } from './harness';

const app = useAppSession();

describe('Curvature panel', () => {
  it('shows the Hessian verdict at start and end of every run, Newton-CG included', async () => {
    await uploadData(app.page, path.join(FIXTURES, 'patients.csv'));
    await app.page.getByText('240 rows, 5 columns').waitFor();
    await app.page.getByLabel('Role of outcome').selectOption('target');
    await selectView(app.page, 'Model');
    await app.page.getByLabel('Hidden layer 1 units').fill('3');
    await selectView(app.page, 'Optimizers');
    await app.page.getByRole('button', { name: '+ Newton-CG' }).click();
    await expect.poll(() => app.page.locator('article.run').count()).toBe(3);
    await setBudget(app.page, 'Max iterations', '30');
    await selectView(app.page, 'Race');
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await app.page.waitForFunction(() => document.querySelectorAll('table.results tr[data-phase="finished"]').length === 3, null, { timeout: 180_000 });
    const panel = app.page.locator('section[aria-labelledby="curvature-title"]');
    await panel.waitFor();
    for (const runId of ['lbfgs', 'adam', 'newton-cg']) {
      const run = panel.locator(`.run[data-run-id="${runId}"]`);
      await expect.poll(() => run.locator('.strip-row').count(), { message: runId }).toBeGreaterThanOrEqual(2);
      const verdict = await run.locator('.strip-row[data-point="end"] .verdict').textContent();
      expect(verdict, runId).toMatch(/^(minimum|saddle: .+|flat: .+|maximum: .+)$/);
      expect(await run.locator('.strip-row[data-point="end"] svg line').count()).toBeGreaterThan(0);
    }
    await panel.scrollIntoViewIfNeeded();
    await screenshot(app.page, 'curvature-panel');
    const violations = await seriousViolations(app.page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  });

  it('"Compute now" gives a larger model its spectrum at the final weights once the race has finished', async () => {
    await selectView(app.page, 'Model');
    await app.page.getByLabel('Hidden layer 1 units').fill('64');
    await selectView(app.page, 'Race');
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await app.page.waitForFunction(() => document.querySelectorAll('table.results tr[data-phase="finished"]').length === 3, null, { timeout: 180_000 });
    const panel = app.page.locator('section[aria-labelledby="curvature-title"]');
    const item = panel.locator('.on-demand li[data-run-id="lbfgs"]');
    await item.getByRole('button', { name: 'Compute now' }).click();
    const end = panel.locator('.run[data-run-id="lbfgs"] .strip-row[data-point="end"]');
    await end.waitFor({ timeout: 120_000 });
    expect(await end.locator('.verdict').textContent()).toMatch(/^(minimum|saddle: .+|flat: .+|maximum: .+)$/);
    expect(await end.locator('.detail').textContent()).toMatch(/Lanczos/);
    // The other runs still offer it.
    await expect.poll(() => panel.locator('.on-demand li').count()).toBe(2);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(app.page, 'curvature-compute-now');
  });
});
