import { describe, expect, it } from 'vitest';
import type { DatasetPreview } from '../../../app/data/preview';
import { dataSpecSchema } from '../../../app/schema/experiment';
import { bfgsBytes, inputWidth, lbfgsBytes, lossForTask, outputLayerFor, parameterCount, resolveTask } from '../../../renderer/src/lib/model-math';

const preview: DatasetPreview = {
  file: 'cars.csv',
  format: 'csv',
  rowCount: 10,
  columns: [
    { name: 'weight', kind: 'numeric', missing: 0, distinct: 10 },
    { name: 'color', kind: 'categorical', missing: 0, distinct: 3 },
    { name: 'id', kind: 'numeric', missing: 0, distinct: 10 },
    { name: 'label', kind: 'categorical', missing: 0, distinct: 2 },
  ],
  head: [],
  suggestedTarget: 'label',
  inferredTask: 'binary',
};

describe('model sizes', () => {
  it('counts Dense parameters with and without bias', () => {
    // 4 → 16 → 3: 4·16+16 + 16·3+3
    expect(parameterCount(4, [{ units: 16, useBias: true }, { units: 3, useBias: true }])).toBe(131);
    expect(parameterCount(4, [{ units: 16, useBias: false }, { units: 3, useBias: true }])).toBe(115);
  });

  it('estimates optimizer memory', () => {
    expect(bfgsBytes(1000)).toBe(8_000_000);
    expect(lbfgsBytes(1000, 10)).toBe(24 * 1000 * 8);
  });

  it('widens categorical features by one-hot encoding and skips ignored columns', () => {
    const data = dataSpecSchema.parse({ source: { kind: 'file', path: 'cars.csv' }, target: 'label', ignore: ['id'] });
    expect(inputWidth(data, preview)).toEqual({ width: 4, exact: false });
    const noOneHot = dataSpecSchema.parse({ ...data, preprocessing: { oneHot: false } });
    expect(inputWidth(noOneHot, preview)?.width).toBe(2);
    expect(inputWidth(data, null)).toBeNull();
    // An expanded date column is 7 numeric inputs, whatever its distinct count.
    expect(inputWidth({ ...data, expandDates: ['color'] }, preview)).toEqual({ width: 8, exact: true });
  });

  it('derives task, output layer and loss', () => {
    const data = dataSpecSchema.parse({ source: { kind: 'file', path: 'cars.csv' }, target: 'label' });
    expect(resolveTask(data, preview)).toBe('binary');
    expect(resolveTask({ ...data, target: 'color' }, preview)).toBe('multiclass');
    expect(resolveTask({ ...data, target: 'weight' }, preview)).toBe('regression');
    expect(resolveTask({ ...data, task: 'regression' }, preview)).toBe('regression');
    expect(outputLayerFor('multiclass', 3)).toEqual({ units: 3, activation: 'softmax' });
    expect(outputLayerFor('binary', 2)).toEqual({ units: 1, activation: 'sigmoid' });
    expect(lossForTask('multiclass')).toBe('softmax-crossentropy');
  });
});

describe('error messages name the file the user picked', () => {
  it('replaces the host path of an upload by its name', async () => {
    const { withFileName } = await import('../../../renderer/src/lib/files');
    const msg = '/tmp/curvature-web-7V1W0e/uploads/7faf17ad/malformed.csv, row 5: expected 5 fields (as in the header), found 4';
    expect(withFileName(msg, 'malformed.csv')).toBe('malformed.csv, row 5: expected 5 fields (as in the header), found 4');
    expect(withFileName('C:\\Users\\me\\data\\a.csv: empty', 'a.csv')).toBe('a.csv: empty');
    expect(withFileName('row 2 of a.csv is bad', 'a.csv')).toBe('row 2 of a.csv is bad');
  });
});
