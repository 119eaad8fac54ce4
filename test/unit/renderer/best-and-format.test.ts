import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../app/train/events';
import { bestBasis, bestRun } from '../../../renderer/src/lib/best';
import { formatNumber, plural, shortCell } from '../../../renderer/src/lib/format';

function summary(trainLoss: number, validationLoss?: number, status: RunSummary['status'] = 'max-iterations'): RunSummary {
  return {
    runId: 'r', optimizer: 'adam', label: 'r', status, success: false, message: '', iterations: 1, functionEvaluations: 1,
    gradientEvaluations: 1, trainLoss, objective: trainLoss, metrics: validationLoss === undefined ? {} : { validationLoss }, seconds: 1,
  };
}

describe('the best rule', () => {
  it('takes the lowest validation loss when there is a validation split, stopped runs included', () => {
    const runs = [
      { runId: 'a', summary: summary(0.1, 0.5), error: null },
      { runId: 'b', summary: summary(0.3, 0.4, 'stopped-by-user'), error: null },
    ];
    expect(bestBasis(runs)).toBe('validation');
    expect(bestRun(runs)).toBe('b');
  });

  it('falls back to training loss without a validation split; skips errors and running runs', () => {
    const runs = [
      { runId: 'a', summary: summary(0.2), error: null },
      { runId: 'b', summary: summary(0.1), error: 'boom' },
      { runId: 'c', summary: null, error: null },
      { runId: 'd', summary: summary(0.3), error: null },
    ];
    expect(bestBasis(runs)).toBe('training');
    expect(bestRun(runs)).toBe('a');
    expect(bestRun(runs.slice(0, 3))).toBeNull(); // one ended run is not a race
  });
});

describe('table numbers', () => {
  it('shows numpy-style long decimals to 6 significant digits and leaves short ones alone', () => {
    expect(shortCell('0.24396182484939288')).toBe('0.243962');
    expect(shortCell('-126.54214710460525')).toBe('-126.542');
    expect(shortCell('0.000413259793472436')).toBe('4.1326e-4');
    expect(shortCell('1.5')).toBe('1.5');
    expect(shortCell('12345678')).toBe('12345678');
    expect(shortCell('abc')).toBe('abc');
    expect(formatNumber(1234567.891, 6)).toBe('1.23457e+6');
  });

  it('says 1 column, 2 columns', () => {
    expect(plural(1, 'column')).toBe('1 column');
    expect(plural(2, 'column')).toBe('2 columns');
    expect(plural(1200, 'row')).toBe('1,200 rows');
  });
});
