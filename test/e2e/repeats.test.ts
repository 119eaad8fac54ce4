/**
 * Repeated starts and a hand-off run through browser mode with the real trainer: the Friedman
 * example, L-BFGS vs Adam vs "Adam → L-BFGS", 3 start points. The loss chart draws a median and an
 * IQR band per run, the win matrix appears when all runs end, and the hand-off run has its switch
 * marker. Screenshots go to test-artifacts/e2e/.
 */
import { describe, expect, it } from 'vitest';
import { openExample, screenshot, selectView, seriousViolations, setBudget, useAppSession } from './harness';

const app = useAppSession();

const chartAttr = async (name: string) => Number(await app.page.locator('figure[data-chart="Loss"]').getAttribute(name));

describe('repeats and hand-off runs in browser mode', () => {
  it('sets up L-BFGS, Adam and Adam → L-BFGS with 3 repeats', async () => {
    await openExample(app.page, /Friedman #1 regression/);
    await selectView(app.page, 'Optimizers');
    const cards = app.page.locator('article.run');
    await expect.poll(() => cards.count()).toBe(4);
    await app.page.getByRole('button', { name: 'Remove run 4 (SGD)' }).click();
    await app.page.getByRole('button', { name: 'Remove run 2 (BFGS)' }).click();
    await app.page.getByRole('button', { name: '+ Adam → L-BFGS' }).click();
    await expect.poll(() => cards.count()).toBe(3);
    const handOff = app.page.locator('article.sequence');
    await expect.poll(() => handOff.locator('h3').textContent()).toBe('Adam → L-BFGS');
    // Phases are editable: Adam's learning rate and the switch point.
    await app.page.locator('#run-adam-lbfgs-phase0-learningRate').fill('0.01');
    await app.page.locator('#run-adam-lbfgs-phase0-iterations').fill('25');
    await setBudget(app.page, 'Max iterations', '60');
    await app.page.getByLabel(/^Repeats/).fill('3');
    await screenshot(app.page, 'repeats-1-optimizers');
    const violations = await seriousViolations(app.page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  }, 120_000);

  it('races all 3 × 3 runs with a median line and an IQR band per run spec, then shows the win matrix', async () => {
    await selectView(app.page, 'Race');
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await expect.poll(() => app.page.locator('table.results tbody tr').count()).toBe(9);
    // Bands while streaming: two band datasets (q1, q3) per run spec.
    await app.page.waitForFunction(() => Number(document.querySelector('figure[data-chart="Loss"]')?.getAttribute('data-points')) > 30, null, { timeout: 120_000 });
    expect(await chartAttr('data-bands')).toBe(6);
    await app.page.waitForFunction(() => document.querySelectorAll('table.results tr[data-phase="finished"]').length === 9, null, { timeout: 240_000 });
    await app.page.locator('table.wins').waitFor();
    // One switch marker per repeat of the hand-off run, at iteration 25.
    await expect.poll(() => chartAttr('data-markers')).toBe(3);
    const rates = await app.page.locator('table.wins td[data-win-rate]').evaluateAll((tds) =>
      tds.map((td) => ({ a: td.getAttribute('data-a'), b: td.getAttribute('data-b'), w: Number(td.getAttribute('data-win-rate')) })),
    );
    expect(rates).toHaveLength(6);
    for (const r of rates) {
      const back = rates.find((x) => x.a === r.b && x.b === r.a)!;
      expect(r.w + back.w).toBeCloseTo(1, 12);
      expect(r.w * 3).toBeCloseTo(Math.round(r.w * 6) / 2, 12); // a count of 3 pairs, ties ½
    }
    const aggregate = app.page.locator('table.aggregates tbody tr');
    await expect.poll(() => aggregate.count()).toBe(3);
    expect(await aggregate.filter({ hasText: 'Adam → L-BFGS' }).textContent()).toMatch(/of 3/);
    await screenshot(app.page, 'repeats-2-race-bands');
    const lines = await chartAttr('data-lines');
    await app.page.getByLabel('Show each start').check();
    await expect.poll(() => chartAttr('data-lines')).toBe(lines + 9);
    await screenshot(app.page, 'repeats-3-race-each-start');
    await app.page.locator('section[aria-labelledby="wins-title"]').screenshot({ path: 'test-artifacts/e2e/repeats-4-win-matrix.png' });
    const violations = await seriousViolations(app.page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  }, 400_000);

  it('a single-start hand-off run is one curve with a marker at its switch', async () => {
    await selectView(app.page, 'Optimizers');
    await app.page.getByLabel(/^Repeats/).fill('1');
    await selectView(app.page, 'Race');
    await app.page.locator('#start-which').selectOption('adam-lbfgs');
    await app.page.getByRole('button', { name: /Start run/ }).click();
    await app.page.waitForFunction(() => document.querySelectorAll('table.results tr[data-phase="finished"]').length === 1, null, { timeout: 120_000 });
    await expect.poll(() => chartAttr('data-markers')).toBe(1);
    expect(await chartAttr('data-bands')).toBe(0);
    const status = await app.page.locator('table.results tr[data-run-id="adam-lbfgs"] .status-text').textContent();
    expect(status).toMatch(/^Phase 2 of 2 \(L-BFGS\): /);
    await screenshot(app.page, 'repeats-5-hand-off');
  }, 200_000);
});
