/** Validation problems in the words of the UI: control names, short rules, never schema paths. */
import { describe, expect, it } from 'vitest';
import { blankExperimentForTests } from './helpers-experiment';
import { controlName, describeIssue, humanizeSchemaLines } from '../../../renderer/src/lib/issues';
import { experimentSchema } from '../../../app/schema/experiment';

describe('validation issues in UI words', () => {
  const e = blankExperimentForTests();

  it('names the control a schema path belongs to', () => {
    expect(controlName(['data', 'preprocessing', 'missing'], e)).toBe('Data › Missing values');
    expect(controlName(['data', 'split', 'validation'], e)).toBe('Data › Validation share');
    expect(controlName(['model', 'layers', 0, 'units'], e)).toBe('Model › Hidden layer 1 units');
    expect(controlName(['model', 'layers', e.model.layers.length - 1, 'units'], e)).toBe('Model › Output layer units');
    expect(controlName(['model', 'huberDelta'], e)).toBe('Model › Huber δ');
    expect(controlName(['data', 'dateOrder'], e)).toBe('Data › Dates with the year last');
    expect(controlName(['data', 'expandDates', 0], e)).toBe('Data › Column roles');
    expect(controlName(['runs', 1, 'optimizer', 'learningRate'], e)).toBe('Optimizers › Adam: Learning rate');
    expect(controlName(['runs', 0, 'stopping', 'maxIterations'], e)).toBe('Optimizers › Budget › Max iterations');
  });

  it('turns zod issues into short rules without zod wording', () => {
    const bad = structuredClone(e);
    bad.model.layers[0].units = 0;
    (bad.runs[1].optimizer as { learningRate: number }).learningRate = -1;
    bad.data.target = '';
    const r = experimentSchema.safeParse(bad);
    expect(r.success).toBe(false);
    const lines = r.success ? [] : r.error.issues.map((i) => describeIssue(i, bad));
    expect(lines).toContain('Model › Hidden layer 1 units: must be at least 1');
    expect(lines).toContain('Data › Target column: must not be empty');
    expect(lines.some((l) => l.startsWith('Optimizers › Adam: Learning rate: must be more than 0'))).toBe(true);
    for (const l of lines) expect(l).not.toMatch(/Too small|expected|\.\d+\.|runs\.|model\./);
  });

  it('rewrites a host "Invalid request" message line by line', () => {
    const text = 'Invalid startExperiment request:\n  experiment.runs.0.stopping.maxIterations: Too small: expected number to be >=1';
    expect(humanizeSchemaLines(text, e)).toBe('The settings are not valid:\n  Optimizers › Budget › Max iterations: must be at least 1');
  });
});
