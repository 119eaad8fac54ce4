/**
 * GUI round two (issue 11): data problems shown in the Data view before any race, in the words of
 * its controls; no horizontal overflow at 1024×700 with numpy-style long decimals; log axes labelled
 * at every decade; start-up stages instead of "Queued"; chart/CSV exports; the export zip named
 * after the experiment; screenshots of every view at 1400×900 and 1024×700.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, screenshot, selectView, seriousViolations, setBudget, uploadData, useAppSession } from './harness';

const app = useAppSession();
const VIEWS = ['Data', 'Model', 'Optimizers', 'Race', 'Export'] as const;
const SIZES = [
  { width: 1400, height: 900 },
  { width: 1024, height: 700 },
] as const;

/** Nothing a user did not choose: no stack frames, no host temp folders, no schema paths or zod words. */
async function expectNoLeaks(): Promise<void> {
  const text = await app.page.evaluate(() => document.body.innerText + '\n' + [...document.querySelectorAll('[title]')].map((e) => e.getAttribute('title')).join('\n'));
  expect(text).not.toMatch(/\n\s+at\s+\S+ \(/); // stack frames
  expect(text).not.toContain(os.tmpdir() + path.sep);
  expect(text).not.toMatch(/curvature-web-|\/uploads\//);
  expect(text).not.toMatch(/preprocessing\.missing|data\.source\.path|Too small: expected|Invalid input/);
}

async function problem(control: string) {
  const note = app.page.locator(`.data-problem[data-control="${control}"]`);
  await note.first().waitFor({ timeout: 60_000 });
  return (await note.first().innerText()).replace(/\s+/g, ' ');
}

async function startDisabledWith(reason: RegExp): Promise<void> {
  await selectView(app.page, 'Race');
  expect(await app.page.getByRole('button', { name: /Start race/ }).isDisabled()).toBe(true);
  const notReady = await app.page.locator('.warning', { hasText: 'Not ready to race' }).innerText();
  expect(notReady).toMatch(reason);
  await expectNoLeaks();
  await selectView(app.page, 'Data');
}

async function widths(): Promise<{ page: number; viewport: number; panel: number; panelClient: number }> {
  return app.page.evaluate(() => {
    const panel = document.querySelector('.panel') as HTMLElement;
    return { page: document.documentElement.scrollWidth, viewport: window.innerWidth, panel: panel.scrollWidth, panelClient: panel.clientWidth };
  });
}

describe('GUI round two in browser mode', () => {
  it('rejects text in a numeric column in the Data view, naming row, column, value and the Missing values control', async () => {
    await uploadData(app.page, path.join(FIXTURES, 'text-in-numeric.csv'));
    const text = await problem('missing');
    expect(text).toContain('twelve');
    expect(text).toMatch(/Row 5\b/);
    expect(text).toContain('column "x2"');
    expect(text).toContain('"Missing values"');
    // The column table points at the same row.
    expect(await app.page.locator('section[aria-labelledby="columns-title"] tr', { hasText: 'x2' }).innerText()).toMatch(/row 5/);
    await screenshot(app.page, 'r2-data-text-in-numeric');
    await expectNoLeaks();
    expect(await seriousViolations(app.page)).toEqual([]);
    await startDisabledWith(/Data \(row 5, column "x2"\): Non-numeric value "twelve"/);

    // The control named fixes it, and the check says so.
    await app.page.getByLabel('Missing values').selectOption('drop');
    await app.page.locator('.check-summary[data-state="ok"]').waitFor({ timeout: 30_000 });
    expect(await app.page.locator('.data-problem').count()).toBe(0);
  });

  it('rejects a one-column file beside the file it names', async () => {
    await uploadData(app.page, path.join(FIXTURES, 'one-column.csv'));
    await app.page.getByText('5 rows, 1 column,').waitFor(); // singular
    const text = await problem('file');
    expect(text).toMatch(/only one column \("value"\)/i);
    await screenshot(app.page, 'r2-data-one-column');
    await expectNoLeaks();
    await startDisabledWith(/Data: Only one column/);
  });

  it('shows long decimals to 6 significant digits with the full value on hover, hides stratify for regression', async () => {
    await uploadData(app.page, path.join(FIXTURES, 'long-decimals.csv'));
    await app.page.locator('.check-summary[data-state="ok"]').waitFor({ timeout: 60_000 });
    const cell = app.page.locator('section[aria-labelledby="preview-title"] tbody tr').first().locator('td').nth(1);
    expect(await cell.textContent()).toBe('0.12573');
    expect(await cell.getAttribute('title')).toBe('0.1257302210933933');
    expect(await app.page.getByLabel('Stratify by class').count()).toBe(0);
    await app.page.getByLabel('Experiment name').fill('Long decimals: test #1');
  });

  it('races with start-up stages, two clocks, labelled log axes, stated best rule and latest values', async () => {
    await selectView(app.page, 'Optimizers');
    await setBudget(app.page, 'Max iterations', '60');
    await selectView(app.page, 'Race');
    // Record every status text the first run shows, so a short-lived stage is not missed.
    await app.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStatus: string[] }).seenStatus = seen;
      new MutationObserver(() => {
        for (const s of document.querySelectorAll('table.results .status-text, .clock')) seen.push(s.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await app.page.waitForFunction(() => document.querySelectorAll('table.results tr[data-phase="finished"]').length === 2, null, { timeout: 120_000 });
    const seen = await app.page.evaluate(() => (window as unknown as { seenStatus: string[] }).seenStatus.join('\n'));
    // Stages the trainer reported, not a silent "Queued".
    expect(seen).toMatch(/Loading and preparing the data|Building the model|First evaluation|compute engine/);
    expect(seen).not.toMatch(/Queued/);

    // Two clocks, with turn-taking explained.
    const clock = await app.page.locator('.clock').innerText();
    expect(clock).toMatch(/Race wall clock [\d.]+ s/);
    expect(clock).toMatch(/take turns round-robin/);
    expect(await app.page.locator('th', { hasText: 'Compute s' }).getAttribute('title')).toMatch(/round-robin/);
    await app.page.getByText('Wall clock', { exact: true }).click();
    await app.page.waitForFunction(() => document.querySelector('figure[data-chart="Loss"]')?.getAttribute('data-x-axis') === 'raceSeconds');

    // Every decade in the gradient chart's range carries a label.
    const ticks = (await app.page.locator('figure[data-chart="Gradient norm and step size"]').getAttribute('data-y-ticks'))!.split(' ').map(Number);
    const exponents = ticks.map((t) => Math.log10(t)).filter((e) => Math.abs(e - Math.round(e)) < 1e-9).map(Math.round);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(exponents.length).toBeGreaterThanOrEqual(2);
    for (let e = Math.min(...exponents); e <= Math.max(...exponents); e++) expect(exponents).toContain(e);
    // Between the decades, 2 and 5 when there is room.
    expect(ticks.some((t) => /^[25]/.test(t.toExponential()))).toBe(true);

    // Metrics say they are on validation rows; the best rule is stated where the badge is.
    await app.page.locator('th', { hasText: 'val R²' }).waitFor();
    expect(await app.page.locator('.best-rule').innerText()).toMatch(/lowest validation loss among runs that finished or were stopped/);
    expect(await app.page.locator('.legend button[data-run-id="adam"]').innerText()).toMatch(/train \d/);
    const numbers = (await app.page.locator('table.results').innerText()).match(/\d[\d.]*/g) ?? [];
    const significant = (n: string) => n.replace('.', '').replace(/^0+/, '').length;
    expect(numbers.filter((n) => significant(n) > 7)).toEqual([]);

    // Smoothing keeps the chart's last point at the recorded value.
    await app.page.getByLabel('Curves').selectOption('smooth');
    await app.page.waitForFunction(() => document.querySelector('figure[data-chart="Loss"]')?.getAttribute('data-curve-mode') === 'smooth');
    await expectNoLeaks();
  });

  it('saves the charts as PNG and the histories as CSV', async () => {
    const [png] = await Promise.all([app.page.waitForEvent('download'), app.page.getByRole('button', { name: 'Save charts (PNG)' }).click()]);
    expect(png.suggestedFilename()).toBe('Long-decimals-test-1-charts.png');
    const pngBytes = fs.readFileSync((await png.path())!);
    expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
    const [csv] = await Promise.all([app.page.waitForEvent('download'), app.page.getByRole('button', { name: 'Save histories (CSV)' }).click()]);
    expect(csv.suggestedFilename()).toBe('Long-decimals-test-1-history.csv');
    const lines = fs.readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('run,label,iteration,function_evaluations,compute_seconds,race_seconds,train_loss,validation_loss,grad_norm2,step');
    expect(lines.filter((l) => l.startsWith('adam,')).length).toBe(61);
  });

  it('downloads the export in one click, named after the experiment', async () => {
    await selectView(app.page, 'Export');
    const card = app.page.locator('article[data-run-id="lbfgs"]');
    const [zip] = await Promise.all([app.page.waitForEvent('download'), card.getByRole('button', { name: /Export/ }).click()]);
    expect(zip.suggestedFilename()).toBe('Long-decimals-test-1-lbfgs.zip');
    const done = await card.locator('.done').innerText();
    expect(done).toMatch(/this zip is the result/);
    expect(done).toMatch(/temporary folder/);
    await expectNoLeaks();
  });

  it('fits every view at 1024×700 and 1400×900, with screenshots of each', async () => {
    for (const size of SIZES) {
      await app.page.setViewportSize(size);
      for (const view of VIEWS) {
        await selectView(app.page, view);
        await app.page.waitForTimeout(150); // charts resize on the next frame
        const w = await widths();
        expect(w.page, `${view} at ${size.width}`).toBeLessThanOrEqual(w.viewport);
        expect(w.panel, `${view} panel at ${size.width}`).toBeLessThanOrEqual(w.panelClient);
        await screenshot(app.page, `r2-${view.toLowerCase()}-${size.width}x${size.height}`);
        if (view === 'Data' || view === 'Race') {
          // The lower half too: the preview table and the results table.
          await app.page.evaluate(() => document.querySelector('.panel')?.scrollTo(0, 1e6));
          await screenshot(app.page, `r2-${view.toLowerCase()}-${size.width}x${size.height}-bottom`);
          await app.page.evaluate(() => document.querySelector('.panel')?.scrollTo(0, 0));
        }
      }
    }
    await app.page.setViewportSize(SIZES[0]);
  });

  it('has a real favicon and reports no page errors', async () => {
    const href = await app.page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBeTruthy();
    const status = await app.page.evaluate(async (h) => (await fetch(h!)).status, href);
    expect(status).toBe(200);
    expect(app.problems.errors).toEqual([]);
  });
});
