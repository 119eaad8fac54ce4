/**
 * "Start from model…" in browser mode: a real tf.keras 2.11 HDF5 file (Dense fc1 + Activation relu1,
 * Dense fc2 + Activation relu2 on 8 inputs) opened from the Model view fills the layer editor with
 * its layers, an edit asks whether to drop its weights, and the race starts from its weights.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, screenshot, selectView, setBudget, uploadData, useAppSession } from './harness';

const app = useAppSession();
const MODEL = path.join(REPO, 'test/fixtures/keras/legacy-h5/keras2.11.0_sequential_dense_activation.h5');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-e2e-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** 8 numeric features and a two-class label, as the model expects (two outputs: multiclass). */
function writeData(): string {
  const file = path.join(tmp, 'eight.csv');
  const lines = ['a,b,c,d,e,f,g,h,label'];
  for (let i = 0; i < 80; i++) {
    const x = Array.from({ length: 8 }, (_, j) => (Math.sin(i * 1.7 + j * 0.9) * 2).toFixed(3));
    lines.push(`${x.join(',')},${Number(x[0]) + Number(x[3]) > 0 ? 'up' : 'down'}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

describe('start from a Keras model in the GUI', () => {
  it('opens the model file and shows its layers, names and start point in the editor', async () => {
    await uploadData(app.page, writeData());
    // The trainer process reads the preview; on a loaded machine its start takes a while.
    await app.page.getByText('80 rows, 9 columns').waitFor({ timeout: 150_000 });
    await app.page.getByRole('combobox', { name: /^Task/ }).selectOption('multiclass');
    await selectView(app.page, 'Model');
    await app.page.locator('#model-file-input').setInputFiles(MODEL);
    // The host compiles h5wasm on the first HDF5 file: slow on a loaded machine.
    await app.page.getByTestId('start-from').waitFor({ timeout: 150_000 });
    expect(await app.page.getByTestId('start-from').textContent()).toMatch(/start: weights from keras2\.11\.0_sequential_dense_activation\.h5 \(Keras HDF5 model, 8 inputs\)/);
    expect(await app.page.getByTestId('layer-name').allTextContents()).toEqual(['fc1', 'fc2']);
    expect(await app.page.getByLabel('Hidden layer 1 units').inputValue()).toBe('4');
    expect(await app.page.getByLabel('Hidden layer 1 activation').inputValue()).toBe('relu');
    expect(await app.page.getByLabel('Output layer units').inputValue()).toBe('2');
    // The Activation layers folded into the Dense layers before them.
    expect(await app.page.getByLabel('Output layer activation').inputValue()).toBe('relu');
    await app.page.locator('section[aria-labelledby="loss-title"] select').selectOption('mse');
    await screenshot(app.page, 'model-1-imported');
  }, 360_000);

  it('asks before an edited layer loses the weights, and undo keeps them', async () => {
    await app.page.getByLabel('Hidden layer 1 units').fill('6');
    const ask = app.page.getByRole('alertdialog');
    await ask.waitFor();
    expect(await ask.textContent()).toMatch(/You changed the layers of keras2\.11\.0_sequential_dense_activation\.h5/);
    await screenshot(app.page, 'model-2-edit-asks');
    await ask.getByRole('button', { name: 'Undo the change' }).click();
    await expect.poll(() => ask.count()).toBe(0);
    expect(await app.page.getByLabel('Hidden layer 1 units').inputValue()).toBe('4');
    expect(await app.page.getByTestId('start-from').count()).toBe(1);
  });

  it('races L-BFGS and Adam from the file’s weights', async () => {
    await selectView(app.page, 'Optimizers');
    await setBudget(app.page, 'Max iterations', '10');
    await selectView(app.page, 'Race');
    await app.page.getByRole('button', { name: /Start race/ }).click();
    await app.page.waitForFunction(() => document.querySelectorAll('table.results tr[data-phase="finished"]').length === 2, null, { timeout: 270_000 });
    expect(await app.page.getByTestId('race-start').textContent()).toBe('start: weights from keras2.11.0_sequential_dense_activation.h5');
    expect(await app.page.locator('[role=alert]').count()).toBe(0);
    const row = await app.page.locator('table.results tr[data-run-id="lbfgs"]').textContent();
    expect(row).toMatch(/L-BFGS/);
    await screenshot(app.page, 'model-3-race');
  }, 300_000);
});
