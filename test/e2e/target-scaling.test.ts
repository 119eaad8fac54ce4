/**
 * A raw regression CSV with its target in the hundreds (numpy-style long decimals): the target is
 * standardised by default, so Adam at its default learning rate learns it within 300 iterations, and
 * losses are shown in the target's own units.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, screenshot, selectView, setBudget, uploadData, useAppSession } from './harness';

const app = useAppSession();

describe('regression target scaling in the GUI', () => {
  it('Adam with defaults reaches validation R² > 0.3 within 300 iterations on a raw target in the hundreds', async () => {
    await uploadData(app.page, path.join(FIXTURES, 'house-prices.csv'));
    await app.page.getByLabel('Target column').selectOption('price_k');
    const scale = app.page.getByLabel(/Scale the target/);
    await scale.waitFor();
    expect(await scale.isChecked()).toBe(true);
    await app.page.locator('.check-summary[data-state="ok"]').waitFor({ timeout: 60_000 });

    await selectView(app.page, 'Optimizers');
    const adam = app.page.locator('article.run', { hasText: 'Adam' });
    await expect.poll(() => adam.count()).toBe(1);
    // Adam's own defaults: nothing on its card is touched, only the shared budget.
    await setBudget(app.page, 'Max iterations', '300');

    await selectView(app.page, 'Race');
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await app.page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll('table.results tbody tr')];
        return rows.length > 0 && rows.every((r) => r.getAttribute('data-phase') === 'finished');
      },
      null,
      { timeout: 150_000 },
    );
    const headers = await app.page.locator('table.results thead th').allTextContents();
    const r2Column = headers.findIndex((h) => h.trim() === 'val R²');
    expect(r2Column).toBeGreaterThan(0);
    const adamRow = app.page.locator('table.results tbody tr', { hasText: 'Adam' });
    const r2 = Number((await adamRow.locator('th, td').nth(r2Column).textContent())?.trim());
    expect(r2).toBeGreaterThan(0.3);
    // The race notes say the target was standardised and that losses are in its own units.
    expect(await app.page.locator('body').innerText()).toMatch(/standardised for training.*original units/);
    await screenshot(app.page, 'target-scaling-race');
  }, 240_000);
});
