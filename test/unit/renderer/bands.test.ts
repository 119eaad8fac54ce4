import { describe, expect, it } from 'vitest';
import { BandCache, switchPoints } from '../../../renderer/src/lib/bands';
import { RunSeries } from '../../../renderer/src/lib/series';
import type { IterationPoint } from '../../../app/train/events';

function point(iteration: number, trainLoss: number, functionEvaluations = iteration + 1, phase?: number): IterationPoint {
  return {
    iteration, f: trainLoss, trainLoss, gradInfNorm: 1, gradNorm2: 1, step: 1, stepNorm: 1, lineSearchEvaluations: 1, curvature: null,
    pairSkipped: false, memoryReset: false, functionEvaluations, gradientEvaluations: functionEvaluations, elapsedMs: iteration, ...(phase !== undefined && { phase }),
  };
}

function series(losses: number[], evals?: number[]): RunSeries {
  const s = new RunSeries();
  losses.forEach((l, i) => s.push(point(i, l, evals?.[i])));
  return s;
}

describe('median and IQR band over repeats', () => {
  it('follows the repeats point by point, only as far as every running repeat has got', () => {
    const a = series([10, 8, 6]);
    const b = series([12, 9]);
    const c = series([11, 7, 5, 4]);
    const band = new BandCache('iteration', 'trainLoss', true);
    band.sync([a, b, c], [false, false, false]);
    expect(band.median.map((p) => [p.x, p.y])).toEqual([[0, 11], [1, 8]]);
    expect(band.q1.map((p) => p.y)).toEqual([10.5, 7.5]);
    expect(band.q3.map((p) => p.y)).toEqual([11.5, 8.5]);
    // b finishes at iteration 1: its final loss holds from then on; a is still running at 2.
    band.sync([a, b, c], [false, true, false]);
    expect(band.median.map((p) => [p.x, p.y])).toEqual([[0, 11], [1, 8], [2, 6]]);
    band.sync([a, b, c], [true, true, true]);
    expect(band.median.map((p) => [p.x, p.y])).toEqual([[0, 11], [1, 8], [2, 6], [3, 6]]);
  });

  it('steps on a shared x grid for function evaluations', () => {
    const a = series([10, 5], [1, 4]);
    const b = series([10, 6, 3], [1, 2, 6]);
    const band = new BandCache('evaluations', 'trainLoss', false);
    band.sync([a, b], [true, true]);
    // x = 1: (10, 10); x = 2: (10, 6); x = 4: (5, 6); x = 6: (5, 3)
    expect(band.median.map((p) => [p.x, p.y])).toEqual([[1, 10], [2, 8], [4, 5.5], [6, 4]]);
  });

  it('marks the hand-over point of a sequence run', () => {
    const s = new RunSeries();
    [0, 0, 0, 1, 1].forEach((phase, i) => s.push(point(i, 10 - i, i + 1, phase)));
    expect(switchPoints(s, 'iteration', 'trainLoss')).toEqual([{ x: 2, y: 8 }]);
  });
});
