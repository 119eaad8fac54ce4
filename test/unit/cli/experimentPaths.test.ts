/** Every path an experiment file names goes through one check: model.from as data (issue 18, item 3). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { confinePaths, namedPaths } from '../../../app/cli/experimentPaths';
import { modelFromPath } from '../../../app/train/modelStart';
import { portableExperiment } from '../../../app/export/companions';
import { parseExperiment } from '../../../app/schema/experiment';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-exp-paths-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function experiment(from: string, data = 'data.csv') {
  return parseExperiment({
    data: { source: { kind: 'file', path: data }, target: 'y' },
    model: { from, layers: [{ units: 1, activation: 'linear' }] },
    runs: [{ optimizer: { kind: 'bfgs' } }],
  });
}

describe('model.from is confined like data', () => {
  it('is one of the named paths', () => {
    expect(namedPaths(experiment('m.h5'))).toEqual([
      { field: 'data.source.path', path: 'data.csv' },
      { field: 'model.from', path: 'm.h5' },
    ]);
  });
  it('absolute and ../ are both refused without --allow-outside-paths, naming the field', () => {
    expect(() => confinePaths(experiment('/etc/m.h5'), tmp, 'exp.json')).toThrow(/^exp\.json: model\.from: "\/etc\/m\.h5" leads outside .*--allow-outside-paths/);
    expect(() => confinePaths(experiment('../m.h5'), tmp, 'exp.json')).toThrow(/^exp\.json: model\.from: "\.\.\/m\.h5" leads outside/);
    expect(() => confinePaths(experiment('sub/m.h5'), tmp, 'exp.json')).not.toThrow();
  });
  it('with --allow-outside-paths (no confinement) both resolve; the trainer itself refuses neither', () => {
    expect(modelFromPath('../m.h5', path.join(tmp, 'exp'))).toBe(path.join(tmp, 'm.h5'));
    expect(modelFromPath('/etc/m.h5', tmp)).toBe('/etc/m.h5');
  });
  it('exports record every file by its name alone (the bundle README lists them to put beside experiment.json)', () => {
    const e = portableExperiment(experiment('/tmp/curvature-web-x/uploads/ab12/model.h5', '/home/me/secret-project/data.csv'));
    expect(e.model.from).toBe('model.h5');
    expect(e.data.source).toMatchObject({ path: 'data.csv' });
    expect(portableExperiment(experiment('models/m.h5')).model.from).toBe('m.h5');
  });
});
