import { describe, expect, it } from 'vitest';
import {
  confusionCsv,
  confusionRowPercentages,
  errorHistogram,
  histogramCsv,
  leastSquaresLine,
  pearsonR,
  performanceCsv,
  performanceSeries,
  regressionCsv,
  regressionPairs,
  rocCurve,
  sumConfusions,
} from '../../../app/train/figures';
import { rocAuc } from '../../../app/train/fitStats';

describe('fitting figure math', () => {
  const x = [1, 2, 3, 4, 5, 6.5, 7, 8.25];
  const y = [1.1, 1.9, 3.2, 3.9, 5.3, 6.1, 7.4, 8.0];

  it('fit line and R equal numpy.polyfit(x, y, 1) and numpy.corrcoef', () => {
    // Values printed by numpy 1.x for the same arrays.
    const line = leastSquaresLine(x, y)!;
    expect(line.slope).toBeCloseTo(0.9790829469345699, 12);
    expect(line.intercept).toBeCloseTo(0.11483771251931918, 12);
    expect(pearsonR(x, y)).toBeCloseTo(0.9940931557718219, 12);
    expect(leastSquaresLine([2, 2, 2], [1, 2, 3])).toBeNull();
    expect(pearsonR([1, 2, 3], [4, 4, 4])).toBeNull();
  });

  it('regression pairs pool the chosen subsets, per target column', () => {
    const subsets = {
      train: { rows: 2, outputs: 2, predictions: [1, 10, 2, 20], targets: [1.5, 11, 2.5, 21] },
      test: { rows: 1, outputs: 2, predictions: [3, 30], targets: [3.5, 31] },
    };
    expect(regressionPairs(subsets, 'all', 1)).toEqual({ x: [11, 21, 31], y: [10, 20, 30], subset: ['train', 'train', 'test'] });
    expect(regressionPairs(subsets, 'test', 0)).toEqual({ x: [3.5], y: [3], subset: ['test'] });
    expect(regressionPairs(subsets, 'validation', 0).x).toEqual([]);
    const text = regressionCsv(subsets, 'test', ['a', 'b']);
    expect(text).toBe('subset,target,actual,predicted,error\ntest,a,3.5,3,0.5\ntest,b,31,30,1\n');
  });

  it('error histogram has 20 bins like numpy.histogram(errors, 20), counted per subset', () => {
    // errors = target - prediction = [-1, -0.5, 0, 0.2, 0.3, 1, 2]
    const e = [-1.0, -0.5, 0, 0.2, 0.3, 1.0, 2.0];
    const subsets = {
      train: { rows: 4, outputs: 1, predictions: [0, 0, 0, 0], targets: e.slice(0, 4) },
      validation: { rows: 3, outputs: 1, predictions: [0, 0, 0], targets: e.slice(4) },
    };
    const h = errorHistogram(subsets, 'all');
    expect(h.edges).toHaveLength(21);
    expect(h.edges[0]).toBe(-1);
    expect(h.edges[20]).toBe(2);
    expect(h.edges[1]).toBeCloseTo(-0.85, 12);
    const total = h.counts.train!.map((c, i) => c + h.counts.validation![i]);
    expect(total).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(h.counts.train!.reduce((a, b) => a + b)).toBe(4);
    const lines = histogramCsv(h).trim().split('\n');
    expect(lines[0]).toBe('bin_low,bin_high,bin_center,train,validation');
    expect(lines).toHaveLength(21);
    // One value only: a unit-wide range around it, every count in one bin.
    const one = errorHistogram({ test: { rows: 2, outputs: 1, predictions: [1, 1], targets: [3, 3] } }, 'all');
    expect(one.edges[0]).toBe(1.5);
    expect(one.counts.test!.reduce((a, b) => a + b)).toBe(2);
  });

  it('ROC points step through tied scores together and the AUC equals Mann–Whitney', () => {
    const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.9, 0.2, 0.65];
    const t = [0, 0, 1, 1, 1, 1, 0, 0];
    const roc = rocCurve(s, t);
    expect(roc.points.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0], [0, 0.25], [0, 0.5], [0.25, 0.5], [0.5, 0.75], [0.5, 1], [0.75, 1], [1, 1],
    ]);
    expect(roc.auc).toBeCloseTo(0.78125, 12); // 12.5 of 16 positive/negative pairs ranked right
    expect(roc.auc).toBeCloseTo(rocAuc(Float64Array.from(s), (r) => t[r] === 1)!, 12);
    expect(rocCurve([0.2, 0.3], [1, 1]).auc).toBeNull();
  });

  it('confusion row percentages sum to 100 per non-empty row; subsets add up for "all"', () => {
    const m = [[8, 2], [1, 3]];
    expect(confusionRowPercentages(m)).toEqual([[80, 20], [25, 75]]);
    expect(confusionRowPercentages([[0, 0], [1, 0]])).toEqual([[0, 0], [100, 0]]);
    expect(sumConfusions([m, [[1, 0], [0, 1]]])).toEqual([[9, 2], [1, 4]]);
    expect(confusionCsv(m, ['no', 'yes'], 'test')).toBe(
      'subset,actual,predicted,count,row_percent\ntest,no,no,8,80\ntest,no,yes,2,20\ntest,yes,no,1,25\ntest,yes,yes,3,75\n',
    );
  });

  it('performance series marks the best validation iteration and puts the test loss there', () => {
    const h = [
      { iteration: 0, trainLoss: 4, validationLoss: 5 },
      { iteration: 1, trainLoss: 2, validationLoss: 3 },
      { iteration: 2, trainLoss: 1, validationLoss: 3.5 },
    ];
    const p = performanceSeries(h, 1, 3.2);
    expect(p.best).toEqual({ x: 1, y: 3 });
    expect(p.test).toEqual({ x: 1, y: 3.2 });
    expect(performanceSeries(h, 1, null).test).toBeNull();
    expect(performanceCsv(p)).toBe('iteration,train_loss,validation_loss,best,test_loss\n0,4,5,0,\n1,2,3,1,3.2\n2,1,3.5,0,\n');
  });
});
