/**
 * chart.js configurations of the fitting plots (regression, error histogram, ROC, performance),
 * drawn from the pure figure math in app/ (shared with the export folder's PNG + CSV).
 */
import type { ChartConfiguration } from 'chart.js';
import {
  SUBSET_COLORS,
  SUBSET_TITLES,
  binaryScores,
  chosenSubsets,
  errorHistogram,
  niceTicks,
  leastSquaresLine,
  pearsonR,
  performanceSeries,
  regressionPairs,
  rocCurve,
  type PlotSubsets,
  type SubsetChoice,
  type SubsetFit,
} from '../../../app/ui';
import { themeColors } from './chart-setup';
import { logTickLabel } from './log-ticks';

type Config = ChartConfiguration<'scatter' | 'bar' | 'line', unknown[]>;
type XY = { x: number; y: number };

function axis(title: string, extra: Record<string, unknown> = {}) {
  const c = themeColors();
  return { type: 'linear' as const, grid: { color: c.grid }, ticks: { color: c.muted }, border: { color: c.grid }, title: { display: true, text: title, color: c.muted }, ...extra };
}
function legend() {
  return { display: true, position: 'bottom' as const, labels: { color: themeColors().text, boxWidth: 14, boxHeight: 2 } };
}
const base = { animation: false as const, responsive: true, maintainAspectRatio: false, parsing: false as const };

/** [lo, hi] widened to whole steps of nice axis ticks, so the axis ends on labelled values. */
export function niceBounds(lo: number, hi: number): [number, number] {
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const ticks = niceTicks(lo, hi, 6);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : hi - lo;
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/** Formatted R, or a dash. */
export function rText(r: number | null | undefined): string {
  return r === null || r === undefined ? '—' : r.toFixed(4);
}

/** R of a subset choice: summary.fit's exact value per subset; the pooled (possibly thinned) rows for "all". */
export function rOf(p: PlotSubsets, choice: SubsetChoice, target: number, fit: Partial<Record<string, SubsetFit>> | undefined): number | null {
  if (choice !== 'all') {
    const exact = fit?.[choice]?.r?.[target];
    if (exact !== undefined) return exact;
  }
  const { x, y } = regressionPairs(p, choice, target);
  return pearsonR(x, y);
}

export function regressionConfig(p: PlotSubsets, choice: SubsetChoice, target: number, targetName: string): { config: Config; points: number } {
  const datasets: Config['data']['datasets'] = [];
  let points = 0;
  const all = regressionPairs(p, choice, target);
  const [lo, hi] = niceBounds(Math.min(...all.x, ...all.y), Math.max(...all.x, ...all.y));
  for (const s of chosenSubsets(p, choice)) {
    const { x, y } = regressionPairs(p, s, target);
    points += x.length;
    datasets.push({ type: 'scatter', label: `${SUBSET_TITLES[s]} (${x.length})`, data: x.map((v, i) => ({ x: v, y: y[i] })), borderColor: SUBSET_COLORS[s], backgroundColor: 'transparent', pointRadius: 2.5, pointBorderWidth: 1 });
  }
  datasets.push({ type: 'line', label: 'Y = T', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: '#888', borderDash: [5, 4], borderWidth: 1, pointRadius: 0 });
  const line = leastSquaresLine(all.x, all.y);
  if (line) {
    const sign = line.intercept < 0 ? '−' : '+';
    datasets.push({ type: 'line', label: `Fit: Output ≈ ${line.slope.toPrecision(3)}·Target ${sign} ${Math.abs(line.intercept).toPrecision(3)}`, data: [{ x: lo, y: line.slope * lo + line.intercept }, { x: hi, y: line.slope * hi + line.intercept }], borderColor: SUBSET_COLORS[choice], borderWidth: 2, pointRadius: 0 });
  }
  return {
    points,
    config: {
      type: 'scatter',
      data: { datasets },
      options: { ...base, scales: { x: axis(`Target ${targetName}`, { min: lo, max: hi }), y: axis('Output', { min: lo, max: hi }) }, plugins: { legend: legend(), tooltip: { enabled: true } } } as Config['options'],
    },
  };
}

export function histogramConfig(p: PlotSubsets, choice: SubsetChoice, target: number): { config: Config; bins: number; counts: number } {
  const h = errorHistogram(p, choice, target, 20);
  const centers = h.edges.slice(0, -1).map((lo, i) => (lo + h.edges[i + 1]) / 2);
  const width = h.edges.length > 1 ? h.edges[1] - h.edges[0] : 1;
  const names = chosenSubsets(p, choice).filter((s) => h.counts[s]);
  let counts = 0;
  const datasets: Config['data']['datasets'] = names.map((s) => {
    counts += h.counts[s]!.reduce((a, b) => a + b, 0);
    return { type: 'bar', label: SUBSET_TITLES[s], data: centers.map((x, i) => ({ x, y: h.counts[s]![i] })), backgroundColor: SUBSET_COLORS[s], borderColor: '#fff', borderWidth: 0.5, barPercentage: 1, categoryPercentage: 1, stack: 'errors' };
  });
  const totals = centers.map((_, i) => names.reduce((a, s) => a + h.counts[s]![i], 0));
  const [, top] = niceBounds(0, Math.max(1, ...totals) * 1.05);
  datasets.push({ type: 'line', label: 'Zero error', data: [{ x: 0, y: 0 }, { x: 0, y: top }], borderColor: '#f28e00', borderWidth: 2, pointRadius: 0 });
  const [lo, hi] = niceBounds(Math.min(0, (h.edges[0] ?? -1) - width / 2), Math.max(0, (h.edges[h.edges.length - 1] ?? 1) + width / 2));
  return {
    bins: centers.length,
    counts,
    config: {
      type: 'bar',
      data: { datasets },
      options: {
        ...base,
        // Bars are centred on bin centres on a linear axis; the grouped width comes from the bin width.
        datasets: { bar: { grouped: false } },
        scales: {
          x: axis('Error = target − output', { min: lo, max: hi, offset: false, stacked: true }),
          y: axis('Instances', { beginAtZero: true, stacked: true, max: top }),
        },
        plugins: { legend: legend(), tooltip: { enabled: true } },
      } as Config['options'],
    },
  };
}

export function rocConfig(p: PlotSubsets, choice: SubsetChoice): { config: Config; auc: Partial<Record<SubsetChoice, number | null>> } {
  const datasets: Config['data']['datasets'] = [];
  const auc: Partial<Record<SubsetChoice, number | null>> = {};
  const choices: SubsetChoice[] = choice === 'all' ? [...chosenSubsets(p, 'all'), 'all'] : [choice];
  for (const c of choices) {
    const { scores, targets } = binaryScores(p, c);
    const roc = rocCurve(scores, targets);
    auc[c] = roc.auc;
    if (!roc.points.length) continue;
    datasets.push({ type: 'line', label: `${SUBSET_TITLES[c]}: AUC ${roc.auc!.toFixed(4)}`, data: roc.points.map((q) => ({ x: q.fpr, y: q.tpr })), borderColor: SUBSET_COLORS[c], borderWidth: 2, pointRadius: 0, stepped: false });
  }
  datasets.push({ type: 'line', label: 'Chance', data: [{ x: 0, y: 0 }, { x: 1, y: 1 }], borderColor: '#aaa', borderDash: [4, 4], borderWidth: 1, pointRadius: 0 });
  return {
    auc,
    config: { type: 'line', data: { datasets }, options: { ...base, scales: { x: axis('False positive rate', { min: 0, max: 1 }), y: axis('True positive rate', { min: 0, max: 1 }) }, plugins: { legend: legend() } } as Config['options'] },
  };
}

export function performanceConfig(perf: ReturnType<typeof performanceSeries>): Config {
  const c = themeColors();
  const positive = (pts: XY[]) => pts.filter((q) => q.y > 0);
  const datasets: Config['data']['datasets'] = [{ type: 'line', label: 'Train', data: positive(perf.train), borderColor: SUBSET_COLORS.train, borderWidth: 2, pointRadius: 0 }];
  if (perf.validation.length) datasets.push({ type: 'line', label: 'Validation', data: positive(perf.validation), borderColor: SUBSET_COLORS.validation, borderWidth: 2, pointRadius: 0 });
  if (perf.test) datasets.push({ type: 'scatter', label: `Test (computed once): ${perf.test.y.toPrecision(4)}`, data: [perf.test], borderColor: SUBSET_COLORS.test, backgroundColor: SUBSET_COLORS.test, pointStyle: 'crossRot', pointRadius: 8, pointBorderWidth: 2.5 });
  if (perf.best) datasets.push({ type: 'scatter', label: `Best: ${perf.best.y.toPrecision(4)} at iteration ${perf.best.x}`, data: [perf.best], borderColor: c.text, backgroundColor: 'transparent', pointStyle: 'circle', pointRadius: 7, pointBorderWidth: 2 });
  return {
    type: 'line',
    data: { datasets },
    options: {
      ...base,
      scales: { x: axis('Iteration'), y: { ...axis('Loss'), type: 'logarithmic', ticks: { color: c.muted, callback: (v: number | string) => logTickLabel(Number(v)) } } },
      plugins: { legend: legend(), tooltip: { enabled: true } },
    } as Config['options'],
  };
}
