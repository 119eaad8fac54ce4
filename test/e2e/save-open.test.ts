/**
 * Experiment files in browser mode: save (downloads the JSON the CLI runs), reload the page, open
 * that file: the configuration comes back identical and the data is found again. Also the
 * unsaved-changes prompt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../app/schema/experiment';
import {
  ARTIFACTS,
  FIXTURES,
  screenshot,
  selectView,
  seriousViolations,
  setBudget,
  uploadData,
  useAppSession,
} from './harness';

const app = useAppSession();

async function saveAndRead(name: string, via: 'button' | 'shortcut' = 'button'): Promise<unknown> {
  const save = via === 'button' ? app.page.getByRole('button', { name: 'Save', exact: true }).click() : app.page.keyboard.press('Control+s');
  const [download] = await Promise.all([app.page.waitForEvent('download'), save]);
  const file = path.join(ARTIFACTS, name);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await download.saveAs(file);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('experiment files', () => {
  let savedFile = '';
  let saved: unknown;

  it('saves a configured experiment as the JSON the CLI reads', async () => {
    await app.page.getByLabel('Experiment name').fill('Saved config test');
    await uploadData(app.page, path.join(FIXTURES, 'patients.csv'));
    await app.page.getByText('240 rows, 5 columns').waitFor();
    await app.page.getByLabel('Role of outcome').selectOption('target');
    await app.page.getByLabel('Role of weight').selectOption('ignore');
    await app.page.getByRole('combobox', { name: /^Missing values/ }).selectOption('drop');
    await app.page.getByRole('slider', { name: /^Validation/ }).fill('0.3');
    await app.page.getByRole('spinbutton', { name: 'Split seed' }).fill('7');

    await selectView(app.page, 'Model');
    await app.page.getByRole('button', { name: '1 × 64 tanh' }).click();
    await app.page.getByLabel('L2 penalty').fill('0.001');

    await selectView(app.page, 'Optimizers');
    await app.page.getByRole('button', { name: '+ SGD' }).click();
    await app.page.locator('#run-sgd-momentum').fill('0.5');
    await app.page.locator('#run-sgd-batchSize').fill('32');
    await app.page.locator('#run-lbfgs-history').fill('7');
    // Line-search settings sit under the run card's "Advanced" disclosure.
    await app.page.locator('article[aria-labelledby="run-lbfgs-title"] details.advanced summary').click();
    await app.page.locator('#run-lbfgs-lineSearch-kind').selectOption('backtracking');
    await setBudget(app.page, 'Max seconds', '30');
    await expect.poll(() => app.page.getByText('● Unsaved').count()).toBe(1);

    saved = await saveAndRead('saved-experiment.json');
    savedFile = path.join(ARTIFACTS, 'saved-experiment.json');
    await app.page.getByText('Saved-config-test.curvature.json').waitFor();
    await expect.poll(() => app.page.getByText('● Unsaved').count()).toBe(0);

    // What the CLI would read: valid, and with every choice made above.
    const e = parseExperiment(saved, savedFile);
    expect(e.name).toBe('Saved config test');
    expect(e.data).toMatchObject({ target: 'outcome', ignore: ['weight'], source: { kind: 'file', path: 'patients.csv' } });
    expect(e.data.preprocessing.missing).toBe('drop');
    expect(e.data.split).toMatchObject({ validation: 0.3, seed: 7 });
    expect(e.model.l2).toBe(0.001);
    expect(e.model.layers.map((l) => [l.units, l.activation])).toEqual([
      [64, 'tanh'],
      [1, 'sigmoid'],
    ]);
    expect(e.runs.map((r) => r.optimizer.kind)).toEqual(['lbfgs', 'adam', 'sgd']);
    expect(e.runs[0].optimizer).toMatchObject({ history: 7, lineSearch: { kind: 'backtracking' } });
    expect(e.runs[2].optimizer).toMatchObject({ momentum: 0.5, batchSize: 32 });
    expect(e.runs.every((r) => r.stopping.maxSeconds === 30)).toBe(true);
  });

  it('after a reload, opening the saved file restores the identical configuration and its data', async () => {
    await app.page.reload();
    await app.page.getByRole('tab', { name: 'Data' }).waitFor();
    await expect.poll(() => app.page.getByLabel('Experiment name').inputValue()).toBe('Untitled experiment');

    await app.page.locator('#experiment-file-input').setInputFiles(savedFile);
    await expect.poll(() => app.page.getByLabel('Experiment name').inputValue()).toBe('Saved config test');
    // The upload from before the reload is found again, so the preview and roles come back too.
    await app.page.getByText('240 rows, 5 columns').waitFor();
    await expect.poll(() => app.page.getByLabel('Role of weight').inputValue()).toBe('ignore');
    await selectView(app.page, 'Optimizers');
    await expect.poll(() => app.page.locator('#run-sgd-momentum').inputValue()).toBe('0.5');
    await expect.poll(() => app.page.locator('#run-lbfgs-history').inputValue()).toBe('7');
    await expect.poll(() => app.page.getByText('● Unsaved').count()).toBe(0);

    const again = await saveAndRead('saved-again.json', 'shortcut');
    expect(again).toEqual(saved);
  });

  it('asks before dropping unsaved changes', async () => {
    await app.page.getByLabel('Experiment name').fill('Changed name');
    await app.page.getByRole('button', { name: 'New', exact: true }).click();
    const dialog = app.page.getByRole('dialog', { name: 'Unsaved changes' });
    await dialog.waitFor();
    await screenshot(app.page, '11-unsaved-prompt');
    expect(await seriousViolations(app.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => app.page.getByLabel('Experiment name').inputValue()).toBe('Changed name');

    await app.page.getByRole('button', { name: 'New', exact: true }).click();
    await dialog.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => app.page.getByLabel('Experiment name').inputValue()).toBe('Untitled experiment');
    await expect.poll(() => app.page.getByText('● Unsaved').count()).toBe(0);
    expect(app.problems.errors).toEqual([]);
  });
});
