/**
 * The math behind the fitting plots (MATLAB's Neural Net Fitting app: regression plot, error
 * histogram, performance plot, plus confusion matrix and ROC), pure and shared by the GUI's
 * charts and the export folder's PNG + CSV, so both show the same numbers.
 */
import type { IterationPoint, SubsetName } from './events';

export const FIGURE_SUBSETS: readonly SubsetName[] = ['train', 'validation', 'test'];
export type SubsetChoice = SubsetName | 'all';

/** One subset's predictions and targets, rows × outputs row-major (a Float64Array or the event's number[]). */
export interface PlotSubset {
  rows: number;
  outputs: number;
  /** Rows kept in `predictions` are every stride-th of `rows` (events thin big subsets); 1 when absent. */
  stride?: number;
  predictions: ArrayLike<number>;
  targets: ArrayLike<number>;
}
export type PlotSubsets = Partial<Record<SubsetName, PlotSubset>>;

/** MATLAB's subset colours: train blue, validation green, test red; "all" black. */
export const SUBSET_COLORS: Record<SubsetChoice, string> = { train: '#1f77b4', validation: '#2ca02c', test: '#d62728', all: '#333333' };
export const SUBSET_TITLES: Record<SubsetChoice, string> = { train: 'Training', validation: 'Validation', test: 'Test', all: 'All' };

export function chosenSubsets(subsets: PlotSubsets, choice: SubsetChoice): SubsetName[] {
  return FIGURE_SUBSETS.filter((s) => subsets[s] && (choice === 'all' || choice === s));
}

function keptRows(s: PlotSubset): number {
  return Math.floor(s.predictions.length / Math.max(1, s.outputs));
}

/** Actual (x) and predicted (y) of one target over the chosen subsets. */
export function regressionPairs(subsets: PlotSubsets, choice: SubsetChoice, target = 0): { x: number[]; y: number[]; subset: SubsetName[] } {
  const x: number[] = [];
  const y: number[] = [];
  const subset: SubsetName[] = [];
  for (const name of chosenSubsets(subsets, choice)) {
    const s = subsets[name]!;
    for (let r = 0; r < keptRows(s); r++) {
      x.push(s.targets[r * s.outputs + target]);
      y.push(s.predictions[r * s.outputs + target]);
      subset.push(name);
    }
  }
  return { x, y, subset };
}

/** Means and centred sums of squares and products of two paired samples. */
function moments(x: ArrayLike<number>, y: ArrayLike<number>): { mx: number; my: number; sxy: number; sxx: number; syy: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return { mx, my, sxy, sxx, syy };
}

/** Pearson R; null when fewer than two points or either side is constant. */
export function pearsonR(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length < 2) return null;
  const { sxy, sxx, syy } = moments(x, y);
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** Least-squares line y ≈ slope·x + intercept (MATLAB's "Output ≈ a·Target + b"); null when x is constant. */
export function leastSquaresLine(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } | null {
  if (x.length < 2) return null;
  const { mx, my, sxy, sxx } = moments(x, y);
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export interface Histogram {
  /** bins + 1 edges, ascending. */
  edges: number[];
  /** Counts per subset, each of length bins. */
  counts: Partial<Record<SubsetName, number[]>>;
}

/**
 * Error histogram (error = target − output, as MATLAB's ploterrhist) of one target: `bins` equal
 * bins over the pooled range of the chosen subsets, counted per subset (the last bin is closed).
 */
export function errorHistogram(subsets: PlotSubsets, choice: SubsetChoice, target = 0, bins = 20): Histogram {
  const names = chosenSubsets(subsets, choice);
  const errors: Partial<Record<SubsetName, number[]>> = {};
  let lo = Infinity;
  let hi = -Infinity;
  for (const name of names) {
    const s = subsets[name]!;
    const e: number[] = [];
    for (let r = 0; r < keptRows(s); r++) {
      const v = s.targets[r * s.outputs + target] - s.predictions[r * s.outputs + target];
      if (!Number.isFinite(v)) continue;
      e.push(v);
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    errors[name] = e;
  }
  if (!Number.isFinite(lo)) return { edges: [], counts: {} };
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts: Histogram['counts'] = {};
  for (const name of names) {
    const c = new Array<number>(bins).fill(0);
    for (const v of errors[name]!) c[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    counts[name] = c;
  }
  return { edges, counts };
}

/** Row percentages of a confusion matrix (rows = actual class): each row sums to 100, or is all 0 when empty. */
export function confusionRowPercentages(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => (total > 0 ? (100 * c) / total : 0));
  });
}

/** Element-wise sum of the chosen subsets' matrices (summary.fit is per subset; "all" adds them). */
export function sumConfusions(matrices: readonly (readonly (readonly number[])[])[]): number[][] | null {
  if (matrices.length === 0) return null;
  return matrices[0].map((row, i) => row.map((_, j) => matrices.reduce((s, m) => s + (m[i]?.[j] ?? 0), 0)));
}

export interface RocCurve {
  /** From (0,0) to (1,1): false positive rate, true positive rate, and the score threshold reached. */
  points: { fpr: number; tpr: number; threshold: number }[];
  auc: number | null;
}

/** ROC of binary scores (P(class 1)) against 0/1 targets; tied scores move as one step. AUC by trapezoids. */
export function rocCurve(scores: ArrayLike<number>, targets: ArrayLike<number>): RocCurve {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] >= 0.5) pos++;
  const neg = targets.length - pos;
  if (pos === 0 || neg === 0) return { points: [], auc: null };
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let i = 0; i < order.length; ) {
    const t = scores[order[i]];
    while (i < order.length && scores[order[i]] === t) {
      if (targets[order[i]] >= 0.5) tp++;
      else fp++;
      i++;
    }
    const prev = points[points.length - 1];
    const p = { fpr: fp / neg, tpr: tp / pos, threshold: t };
    auc += ((p.fpr - prev.fpr) * (p.tpr + prev.tpr)) / 2;
    points.push(p);
  }
  return { points, auc };
}

/** Binary scores and targets of the chosen subsets, pooled (single-output binary only). */
export function binaryScores(subsets: PlotSubsets, choice: SubsetChoice): { scores: number[]; targets: number[] } {
  const scores: number[] = [];
  const targets: number[] = [];
  for (const name of chosenSubsets(subsets, choice)) {
    const s = subsets[name]!;
    if (s.outputs !== 1) continue;
    for (let r = 0; r < keptRows(s); r++) {
      scores.push(s.predictions[r]);
      targets.push(s.targets[r]);
    }
  }
  return { scores, targets };
}

export interface PerformanceSeries {
  train: { x: number; y: number }[];
  validation: { x: number; y: number }[];
  /** The test loss, computed once at the end on the reported weights; null without a test subset or before the end. */
  test: { x: number; y: number } | null;
  best: { x: number; y: number } | null;
}

/** Train and validation loss per iteration, the best-validation iteration and the (single) test loss. */
export function performanceSeries(history: readonly Pick<IterationPoint, 'iteration' | 'trainLoss' | 'validationLoss'>[], bestIteration?: number, testLoss?: number | null): PerformanceSeries {
  const train: { x: number; y: number }[] = [];
  const validation: { x: number; y: number }[] = [];
  for (const p of history) {
    if (Number.isFinite(p.trainLoss)) train.push({ x: p.iteration, y: p.trainLoss as number });
    if (p.validationLoss !== undefined && Number.isFinite(p.validationLoss)) validation.push({ x: p.iteration, y: p.validationLoss });
  }
  const curve = validation.length ? validation : train;
  let best: PerformanceSeries['best'] = null;
  if (bestIteration !== undefined) {
    const at = curve.find((p) => p.x === bestIteration);
    if (at) best = at;
  }
  const test = testLoss !== undefined && testLoss !== null && Number.isFinite(testLoss) && bestIteration !== undefined ? { x: bestIteration, y: testLoss } : null;
  return { train, validation, test, best };
}

// ---- CSV: the data behind each figure, the same in the GUI's "Save data" and the export folder.

function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
function csv(head: string[], rows: (string | number | null | undefined)[][]): string {
  return [head.map(cell).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** One row per (kept) row: subset, target index, actual, predicted, error. */
export function regressionCsv(subsets: PlotSubsets, choice: SubsetChoice, targetNames: readonly string[], only?: number): string {
  const rows: (string | number)[][] = [];
  for (let k = 0; k < targetNames.length; k++) {
    if (only !== undefined && k !== only) continue;
    const { x, y, subset } = regressionPairs(subsets, choice, k);
    for (let i = 0; i < x.length; i++) rows.push([subset[i], targetNames[k], x[i], y[i], x[i] - y[i]]);
  }
  return csv(['subset', 'target', 'actual', 'predicted', 'error'], rows);
}

export function histogramCsv(h: Histogram): string {
  const names = FIGURE_SUBSETS.filter((s) => h.counts[s]);
  const rows = h.edges.slice(0, -1).map((lo, i) => [lo, h.edges[i + 1], (lo + h.edges[i + 1]) / 2, ...names.map((s) => h.counts[s]![i])]);
  return csv(['bin_low', 'bin_high', 'bin_center', ...names], rows);
}

/** Long format: actual, predicted, count, row percent. */
export function confusionCsv(confusion: readonly (readonly number[])[], labels: readonly string[], subset: SubsetChoice): string {
  const pct = confusionRowPercentages(confusion);
  const rows: (string | number)[][] = [];
  confusion.forEach((row, i) => row.forEach((c, j) => rows.push([subset, labels[i] ?? String(i), labels[j] ?? String(j), c, pct[i][j]])));
  return csv(['subset', 'actual', 'predicted', 'count', 'row_percent'], rows);
}

export function rocCsv(roc: RocCurve, subset: SubsetChoice): string {
  return csv(['subset', 'threshold', 'false_positive_rate', 'true_positive_rate'], roc.points.map((p) => [subset, p.threshold, p.fpr, p.tpr]));
}

export function performanceCsv(p: PerformanceSeries): string {
  const byIteration = new Map<number, [number | null, number | null]>();
  for (const q of p.train) byIteration.set(q.x, [q.y, null]);
  for (const q of p.validation) byIteration.set(q.x, [byIteration.get(q.x)?.[0] ?? null, q.y]);
  const rows = [...byIteration.entries()].sort((a, b) => a[0] - b[0]).map(([it, [t, v]]) => [it, t, v, p.best?.x === it ? 1 : 0, p.test && p.test.x === it ? p.test.y : null]);
  return csv(['iteration', 'train_loss', 'validation_loss', 'best', 'test_loss'], rows);
}

/** "Nice" axis ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}
