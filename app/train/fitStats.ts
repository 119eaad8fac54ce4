/**
 * Per-subset statistics the fitting plots show, computed once on every row of a finished run's
 * subsets (exact, unlike the thinned predictions an event may carry): R per target (MATLAB's
 * regression plot), the confusion matrix, and the ROC AUC for binary classification.
 */
import type { Task } from '../data/types';
import type { SubsetFit } from './events';

/** Pearson correlation of column k of two rows × outputs matrices; null when either is constant. */
function pearson(p: Float64Array, t: Float64Array, outputs: number, k: number): number | null {
  const n = p.length / outputs;
  let mp = 0;
  let mt = 0;
  for (let r = 0; r < n; r++) {
    mp += p[r * outputs + k];
    mt += t[r * outputs + k];
  }
  mp /= n;
  mt /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let r = 0; r < n; r++) {
    const a = p[r * outputs + k] - mp;
    const b = t[r * outputs + k] - mt;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

function classOf(a: Float64Array, r: number, outputs: number): number {
  if (outputs === 1) return a[r] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < outputs; k++) if (a[r * outputs + k] > a[r * outputs + best]) best = k;
  return best;
}

/** Area under the ROC curve of scores for positives vs negatives (Mann–Whitney U; ties count ½). */
export function rocAuc(scores: Float64Array, positive: (r: number) => boolean): number | null {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1; // average 1-based rank of the tie group
    for (let k = i; k <= j; k++) {
      if (positive(order[k])) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function subsetFit(task: Task, predictions: Float64Array, targets: Float64Array, rows: number, outputs: number): SubsetFit {
  if (rows === 0) return {};
  if (task === 'regression') return { r: Array.from({ length: outputs }, (_, k) => pearson(predictions, targets, outputs, k)) };
  const classes = outputs === 1 ? 2 : outputs;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let r = 0; r < rows; r++) confusion[classOf(targets, r, outputs)][classOf(predictions, r, outputs)]++;
  const fit: SubsetFit = { confusion };
  if (task === 'binary' && outputs === 1) fit.auc = rocAuc(predictions, (r) => targets[r] >= 0.5);
  return fit;
}
