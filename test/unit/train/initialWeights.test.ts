import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startExperiment } from '../../../app/train/runner';
import { loadExample, EXAMPLES_DIR } from '../../../app/examples';
import { parseExperiment, type Experiment } from '../../../app/schema/experiment';
import { exportFinishedRun } from '../../../app/export';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-init-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = (e: Experiment) => startExperiment(e, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;

describe('initial weights from an exported file', () => {
  it('every weights format Curvature exports starts a new experiment exactly where the trained run ended', async () => {
    const base = loadExample('spirals-classification');
    const trained = await run(parseExperiment({ ...base, runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 20 } }] }));
    const finished = trained.runs[0];
    const directory = path.join(tmp, 'lbfgs');
    await exportFinishedRun(base, trained, finished, { directory, formats: ['json', 'npz', 'tfjs', 'keras', 'h5'] });
    const weightFiles = fs.readdirSync(directory).filter((f) => /^(weights\.(json|npz)|model\.json|.*\.keras|.*\.h5)$/.test(f));
    expect(weightFiles.length).toBeGreaterThanOrEqual(5);
    for (const file of weightFiles) {
      const resumed = await run(
        parseExperiment({ ...base, initialWeights: { path: path.join(directory, file) }, runs: [{ optimizer: { kind: 'adam' }, stopping: { maxIterations: 1 } }] }),
      );
      // The start point's loss equals the trained run's final loss: the weights came back exactly.
      expect(resumed.runs[0].history[0].trainLoss, file).toBeCloseTo(finished.summary.trainLoss, 6);
    }
  });

  it('a weights file for another architecture is refused with the layer named', async () => {
    const base = loadExample('spirals-classification');
    const file = path.join(tmp, 'wrong.json');
    fs.writeFileSync(file, JSON.stringify({ layers: [{ W: [[1, 2]], b: [0, 0] }] }));
    await expect(run(parseExperiment({ ...base, initialWeights: { path: file } }))).rejects.toThrow(/wrong\.json: 1 layers given, the model has 3/);
  });
});
