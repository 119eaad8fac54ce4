import { describe, expect, it } from 'vitest';
import { evaluationsToTarget, evaluationsToWorseMedian, quantile, quartiles, winRate } from '../../../app/train/stats';
import { aggregateRepeats, bestRepeat, type RepeatOutcome } from '../../../app/train/aggregate';

describe('quantiles', () => {
  it('interpolate linearly between order statistics, as numpy does', () => {
    // numpy.quantile([4, 1, 3, 2, 10], [.25, .5, .75]) = [2, 3, 4]; of [1, 2, 3, 4]: [1.75, 2.5, 3.25]
    expect(quartiles([4, 1, 3, 2, 10])).toEqual({ q1: 2, median: 3, q3: 4 });
    expect(quartiles([1, 2, 3, 4])).toEqual({ q1: 1.75, median: 2.5, q3: 3.25 });
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('count a diverged (NaN) value as the worst, not as missing', () => {
    expect(quartiles([1, NaN, 2]).median).toBe(2);
    expect(quartiles([1, NaN, NaN]).median).toBe(Infinity);
  });
});

describe('paired win rate', () => {
  it('counts the pairs where a ends below b, ties as half', () => {
    expect(winRate([1, 2, 3, 4], [2, 2, 1, 5])).toEqual({ winRate: (1 + 0.5 + 0 + 1) / 4, pairs: 4 });
  });
  it('drops pairs with a missing side and ranks NaN last', () => {
    expect(winRate([1, undefined, NaN], [2, 1, 3])).toEqual({ winRate: 0.5, pairs: 2 });
    expect(winRate([], []).winRate).toBeNaN();
  });
});

describe('evaluations to a target loss', () => {
  const curve = { loss: [5, 3, 2, 1], evaluations: [1, 4, 9, 12] };
  it('is the evaluation count of the first point at or below the target', () => {
    expect(evaluationsToTarget(curve, 2)).toBe(9);
    expect(evaluationsToTarget(curve, 0.5)).toBe(Infinity);
  });
  it('targets the worse of the two median final losses; a side most of whose repeats never reach it gets null', () => {
    const fast = { finalLosses: [1, 1, 1], curves: [curve, curve, curve] };
    const slow = { finalLosses: [3, 3, 3], curves: [{ loss: [5, 4, 3], evaluations: [1, 20, 40] }, { loss: [5, 3], evaluations: [1, 30] }, { loss: [5, 4], evaluations: [1, 50] }] };
    // Target 3: fast reaches it at 4 evaluations; slow at 40, 30 and never → median of {30, 40, ∞} = 40.
    expect(evaluationsToWorseMedian(fast, slow)).toEqual({ target: 3, a: 4, b: 40 });
    const never = { finalLosses: [3, 3, 3], curves: [{ loss: [5], evaluations: [1] }, { loss: [5], evaluations: [1] }, curve] };
    expect(evaluationsToWorseMedian(fast, never).b).toBeNull();
  });
});

describe('aggregate table', () => {
  const outcome = (spec: string, label: string, repeat: number, trainLoss: number, success = true): RepeatOutcome => ({
    spec,
    label,
    optimizer: 'adam',
    repeat,
    summary: { trainLoss, success, functionEvaluations: 10 * (repeat + 1), seconds: repeat, metrics: { validationAccuracy: 0.5 + repeat / 10 } },
    curve: { loss: [10, trainLoss], evaluations: [1, 10 * (repeat + 1)] },
  });
  it('gives per-spec quartiles and both ordered pairs, with duplicate labels made distinct', () => {
    const runs = [0, 1, 2].flatMap((r) => [outcome('a', 'Adam', r, [1, 2, 3][r], r !== 1), outcome('b', 'Adam', r, [2, 1, 5][r])]);
    const { aggregates, comparisons } = aggregateRepeats(runs);
    expect(aggregates.map((a) => a.label)).toEqual(['Adam (a)', 'Adam (b)']);
    expect(aggregates[0]).toMatchObject({ repeats: 3, successes: 2, finalLoss: { median: 2, q1: 1.5, q3: 2.5 }, seconds: { median: 1 } });
    expect(aggregates[0].metric?.median).toBeCloseTo(0.6);
    expect(comparisons).toHaveLength(2);
    expect(comparisons[0]).toMatchObject({ a: 'Adam (a)', b: 'Adam (b)', winRate: 2 / 3, pairs: 3 });
    expect(comparisons[1]).toMatchObject({ a: 'Adam (b)', b: 'Adam (a)', winRate: 1 / 3, pairs: 3 });
  });
  it('picks the repeat with the lowest final loss to export, never a diverged one', () => {
    const group = [NaN, 0.3, 0.2, 0.2].map((trainLoss, repeat) => ({ repeat, summary: { trainLoss, metrics: {} } as never, history: [] }));
    expect(bestRepeat(group).repeat).toBe(2);
  });
});
