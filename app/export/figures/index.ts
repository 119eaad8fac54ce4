/**
 * The fitting plots of one finished run as files for the export folder: each figure as PNG (SVG
 * when the rasteriser cannot load) plus the CSV of its data. The math is app/train/figures.ts,
 * shared with the GUI's charts.
 */
import type { Preprocessing } from '../../data/types';
import type { IterationPoint, RunSummary, SubsetName } from '../../train/events';
import {
  FIGURE_SUBSETS,
  SUBSET_COLORS,
  SUBSET_TITLES,
  binaryScores,
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
  rocCsv,
  rocCurve,
  sumConfusions,
  type PlotSubsets,
  type SubsetChoice,
} from '../../train/figures';
import { textFile, type ExportFile } from '../files';
import { axes, circles, clip, document, fmt, legend, polyline, range, text } from './svg';
import { pngRasteriser } from './png';

export interface FigureInput {
  summary: RunSummary;
  history: readonly IterationPoint[];
  preprocessing: Preprocessing;
  predictions?: PlotSubsets;
}

export interface Figure {
  /** File stem, e.g. "plot-regression". */
  name: string;
  svg: string;
  csv: string;
}

/** Panels per present subset, then "All" when more than one subset is present. */
function panelsOf(p: PlotSubsets): SubsetChoice[] {
  const present = FIGURE_SUBSETS.filter((s) => p[s]);
  return present.length > 1 ? [...present, 'all'] : present;
}

/** Circles drawn per regression panel; beyond it a subset is drawn thinned (rasterising stays fast). */
const MAX_DRAWN = 5000;

function safeStem(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'target';
}

function regressionFigure(p: PlotSubsets, names: readonly string[], k: number, fit: RunSummary['fit']): Figure {
  const panels = panelsOf(p);
  const cols = Math.min(2, panels.length);
  const rows = Math.ceil(panels.length / cols);
  const pw = 360;
  const ph = 300;
  const body: string[] = [];
  const all = regressionPairs(p, 'all', k);
  const lim = range([...all.x, ...all.y]);
  panels.forEach((choice, i) => {
    const { x, y } = regressionPairs(p, choice, k);
    const exactR = choice === 'all' ? undefined : fit?.[choice as SubsetName]?.r?.[k];
    const r = exactR ?? pearsonR(x, y);
    const a = axes({ x0: 70 + (i % cols) * (pw + 90), y0: 40 + Math.floor(i / cols) * (ph + 80), w: pw, h: ph, x: lim, y: lim, title: `${SUBSET_TITLES[choice]}: R = ${r === null || r === undefined ? '—' : r.toFixed(4)}`, xLabel: `Target ${names[k]}`, yLabel: 'Output' });
    const id = `c${i}`;
    // Every row goes into the CSV and the fit line; the drawing keeps at most MAX_DRAWN circles a panel.
    const step = Math.max(1, Math.ceil(x.length / MAX_DRAWN));
    const keep = (v: number[]) => (step === 1 ? v : v.filter((_, j) => j % step === 0));
    body.push(...a.svg, clip(a, id), circles(a, keep(x), keep(y), SUBSET_COLORS[choice]));
    if (step > 1) body.push(text(a.x0 + a.w - 6, a.y0 + a.h + 44, `every ${step}th of ${x.length} rows drawn`, { size: 10, anchor: 'end', fill: '#666' }));
    body.push(polyline(a, [{ x: lim[0], y: lim[0] }, { x: lim[1], y: lim[1] }], '#555', { dash: '4 3', width: 1, clipId: id }));
    const line = leastSquaresLine(x, y);
    if (line) {
      body.push(polyline(a, [{ x: lim[0], y: line.slope * lim[0] + line.intercept }, { x: lim[1], y: line.slope * lim[1] + line.intercept }], SUBSET_COLORS[choice], { width: 2, clipId: id }));
      body.push(text(a.x0 + 6, a.y0 + 16, `Output ≈ ${fmt(line.slope)}·Target ${line.intercept < 0 ? '−' : '+'} ${fmt(Math.abs(line.intercept))}`, { size: 11 }));
    }
    body.push(legend(a.x0 + a.w - 110, a.y0 + a.h - 36, [{ color: '#555', label: 'Y = T', dash: '4 3' }, { color: SUBSET_COLORS[choice], label: 'Fit' }]));
  });
  const width = 70 + cols * (pw + 90);
  const height = 40 + rows * (ph + 80);
  const stem = names.length > 1 ? `plot-regression-${safeStem(names[k])}` : 'plot-regression';
  return { name: stem, svg: document(width, height, body), csv: regressionCsv(p, 'all', names, k) };
}

function histogramFigure(p: PlotSubsets, names: readonly string[], k: number): Figure {
  const h = errorHistogram(p, 'all', k, 20);
  const present = FIGURE_SUBSETS.filter((s) => h.counts[s]);
  const totals = h.edges.slice(0, -1).map((_, i) => present.reduce((s, n) => s + h.counts[n]![i], 0));
  const a = axes({ x0: 70, y0: 40, w: 620, h: 320, x: [h.edges[0] ?? -1, h.edges[h.edges.length - 1] ?? 1], y: [0, Math.max(1, ...totals) * 1.08], title: `Error histogram with 20 bins${names.length > 1 ? ` (${names[k]})` : ''}`, xLabel: 'Error = target − output', yLabel: 'Instances' });
  const body = [...a.svg];
  for (let i = 0; i + 1 < h.edges.length; i++) {
    let base = 0;
    for (const s of present) {
      const c = h.counts[s]![i];
      if (!c) continue;
      const x = a.sx(h.edges[i]);
      const w = Math.max(1, a.sx(h.edges[i + 1]) - x - 1);
      body.push(`<rect x="${x.toFixed(1)}" y="${a.sy(base + c).toFixed(1)}" width="${w.toFixed(1)}" height="${(a.sy(base) - a.sy(base + c)).toFixed(1)}" fill="${SUBSET_COLORS[s]}" stroke="#fff" stroke-width="0.5"/>`);
      base += c;
    }
  }
  if (h.edges.length && h.edges[0] <= 0 && h.edges[h.edges.length - 1] >= 0) {
    const zx = a.sx(0);
    body.push(`<line x1="${zx.toFixed(1)}" y1="${a.y0}" x2="${zx.toFixed(1)}" y2="${a.y0 + a.h}" stroke="#f28e00" stroke-width="2"/>`);
  }
  body.push(legend(710, 60, [...present.map((s) => ({ color: SUBSET_COLORS[s], label: SUBSET_TITLES[s] })), { color: '#f28e00', label: 'Zero error' }]));
  return { name: names.length > 1 ? `plot-error-histogram-${safeStem(names[k])}` : 'plot-error-histogram', svg: document(830, 410, body), csv: histogramCsv(h) };
}

function confusionFigure(p: PlotSubsets, fit: NonNullable<RunSummary['fit']>, labels: readonly string[]): Figure {
  const present = FIGURE_SUBSETS.filter((s) => fit[s]?.confusion);
  const panels: SubsetChoice[] = present.length > 1 ? [...present, 'all'] : present;
  const k = fit[present[0]]?.confusion?.length ?? 2;
  const cell = Math.max(34, Math.min(70, Math.floor(280 / k)));
  const pw = cell * k + 100;
  const ph = cell * k + 50;
  const cols = Math.min(2, panels.length);
  const body: string[] = [];
  const csv: string[] = [];
  panels.forEach((choice, i) => {
    const m = choice === 'all' ? sumConfusions(present.map((s) => fit[s]!.confusion!))! : fit[choice as SubsetName]!.confusion!;
    const pct = confusionRowPercentages(m);
    const x0 = 90 + (i % cols) * (pw + 40);
    const y0 = 50 + Math.floor(i / cols) * (ph + 30);
    const total = m.flat().reduce((s, c) => s + c, 0);
    const right = m.reduce((s, row, r) => s + row[r], 0);
    body.push(text(x0 + (cell * k) / 2, y0 - 10, `${SUBSET_TITLES[choice]}: ${total ? ((100 * right) / total).toFixed(1) : '—'} % right`, { size: 13, anchor: 'middle', weight: 'bold' }));
    m.forEach((row, r) =>
      row.forEach((c, col) => {
        const x = x0 + col * cell;
        const y = y0 + r * cell;
        const shade = r === col ? `rgba(44,160,44,${0.15 + 0.7 * (pct[r][col] / 100)})` : `rgba(214,39,40,${0.1 + 0.7 * (pct[r][col] / 100)})`;
        body.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${shade}" stroke="#fff"/>`);
        body.push(text(x + cell / 2, y + cell / 2 - 2, String(c), { size: 12, anchor: 'middle', weight: 'bold' }));
        body.push(text(x + cell / 2, y + cell / 2 + 12, `${pct[r][col].toFixed(1)}%`, { size: 9, anchor: 'middle', fill: '#333' }));
      }),
    );
    labels.slice(0, k).forEach((l, j) => {
      body.push(text(x0 + j * cell + cell / 2, y0 + k * cell + 14, l.slice(0, 10), { size: 10, anchor: 'middle' }));
      body.push(text(x0 - 4, y0 + j * cell + cell / 2 + 4, l.slice(0, 10), { size: 10, anchor: 'end' }));
    });
    body.push(text(x0 + (cell * k) / 2, y0 + k * cell + 30, 'Predicted class', { size: 11, anchor: 'middle' }));
    body.push(text(x0 - 60, y0 + (cell * k) / 2, 'Actual class', { size: 11, anchor: 'middle', rotate: true }));
    csv.push(confusionCsv(m, labels, choice).split('\n').slice(i === 0 ? 0 : 1).join('\n'));
  });
  const rows = Math.ceil(panels.length / cols);
  void p;
  return { name: 'plot-confusion', svg: document(90 + cols * (pw + 40) - 60, 40 + rows * (ph + 30), body), csv: csv.join('').replace(/\n+$/, '') + '\n' };
}

function rocFigure(p: PlotSubsets): Figure | null {
  const panels = panelsOf(p);
  const a = axes({ x0: 70, y0: 40, w: 360, h: 320, x: [0, 1], y: [0, 1], title: 'ROC', xLabel: 'False positive rate', yLabel: 'True positive rate' });
  const body = [...a.svg, polyline(a, [{ x: 0, y: 0 }, { x: 1, y: 1 }], '#aaa', { dash: '4 3', width: 1 })];
  const items: { color: string; label: string }[] = [];
  const csv: string[] = [];
  panels.forEach((choice, i) => {
    const { scores, targets } = binaryScores(p, choice);
    const roc = rocCurve(scores, targets);
    if (!roc.points.length) return;
    body.push(polyline(a, roc.points.map((q) => ({ x: q.fpr, y: q.tpr })), SUBSET_COLORS[choice], { width: 2 }));
    items.push({ color: SUBSET_COLORS[choice], label: `${SUBSET_TITLES[choice]}: AUC ${roc.auc!.toFixed(4)}` });
    csv.push(rocCsv(roc, choice).split('\n').slice(i === 0 ? 0 : 1).join('\n'));
  });
  if (!items.length) return null;
  body.push(legend(450, 60, items));
  return { name: 'plot-roc', svg: document(640, 410, body), csv: csv.join('').replace(/\n+$/, '') + '\n' };
}

function performanceFigure(history: readonly IterationPoint[], summary: RunSummary): Figure | null {
  const perf = performanceSeries(history, summary.bestIteration, summary.test?.loss ?? null);
  const ys = [...perf.train, ...perf.validation, ...(perf.test ? [perf.test] : [])].map((q) => q.y).filter((v) => v > 0);
  if (!ys.length) return null;
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const xs = perf.train.map((q) => q.x);
  const a = axes({ x0: 80, y0: 40, w: 560, h: 320, x: [Math.min(0, ...xs), Math.max(1, ...xs)], y: [lo / 1.3, hi * 1.3], logY: true, title: `Best validation performance${perf.best ? ` is ${fmt(perf.best.y, 4)} at iteration ${perf.best.x}` : ''}`, xLabel: 'Iteration', yLabel: 'Loss (log)' });
  const pos = (pts: { x: number; y: number }[]) => pts.filter((q) => q.y > 0);
  const body = [...a.svg, clip(a, 'pc')];
  body.push(polyline(a, pos(perf.train), SUBSET_COLORS.train, { width: 2, clipId: 'pc' }));
  body.push(polyline(a, pos(perf.validation), SUBSET_COLORS.validation, { width: 2, clipId: 'pc' }));
  const items = [{ color: SUBSET_COLORS.train, label: 'Train' }];
  if (perf.validation.length) items.push({ color: SUBSET_COLORS.validation, label: 'Validation' });
  if (perf.best) {
    body.push(`<circle cx="${a.sx(perf.best.x).toFixed(1)}" cy="${a.sy(perf.best.y).toFixed(1)}" r="6" fill="none" stroke="#222" stroke-width="1.5"/>`);
    body.push(`<line x1="${a.sx(perf.best.x).toFixed(1)}" y1="${a.y0}" x2="${a.sx(perf.best.x).toFixed(1)}" y2="${a.y0 + a.h}" stroke="#222" stroke-dasharray="2 3"/>`);
    items.push({ color: '#222', label: `Best (iteration ${perf.best.x})` });
  }
  if (perf.test && perf.test.y > 0) {
    const x = a.sx(perf.test.x);
    const y = a.sy(perf.test.y);
    body.push(`<path d="M${(x - 6).toFixed(1)},${(y - 6).toFixed(1)} L${(x + 6).toFixed(1)},${(y + 6).toFixed(1)} M${(x - 6).toFixed(1)},${(y + 6).toFixed(1)} L${(x + 6).toFixed(1)},${(y - 6).toFixed(1)}" stroke="${SUBSET_COLORS.test}" stroke-width="2.5"/>`);
    items.push({ color: SUBSET_COLORS.test, label: `Test (once, ${fmt(perf.test.y, 4)})` });
  }
  body.push(legend(660, 60, items));
  return { name: 'plot-performance', svg: document(840, 410, body), csv: performanceCsv(perf) };
}

/** Every figure that applies to the run: performance always; regression + error histogram, or confusion (+ ROC for binary). */
export function runFigures(input: FigureInput): Figure[] {
  const out: Figure[] = [];
  const perf = performanceFigure(input.history, input.summary);
  if (perf) out.push(perf);
  const p = input.predictions;
  const pre = input.preprocessing;
  if (pre.task === 'regression' && p && FIGURE_SUBSETS.some((s) => p[s])) {
    const names = pre.targets ?? [pre.target];
    for (let k = 0; k < names.length; k++) out.push(regressionFigure(p, names, k, input.summary.fit), histogramFigure(p, names, k));
  }
  if (pre.task !== 'regression' && input.summary.fit && FIGURE_SUBSETS.some((s) => input.summary.fit?.[s]?.confusion)) {
    const k = FIGURE_SUBSETS.map((s) => input.summary.fit?.[s]?.confusion?.length).find((n) => n) ?? 2;
    const labels = pre.classLabels ?? Array.from({ length: k }, (_, i) => String(i));
    out.push(confusionFigure(p ?? {}, input.summary.fit, labels));
    if (pre.task === 'binary' && p) {
      const roc = rocFigure(p);
      if (roc) out.push(roc);
    }
  }
  return out;
}

/** The figures as files: NAME.png (NAME.svg if no rasteriser loads) and NAME.csv. */
export async function figureFiles(input: FigureInput): Promise<ExportFile[]> {
  const figures = runFigures(input);
  if (!figures.length) return [];
  const raster = await pngRasteriser();
  const files: ExportFile[] = [];
  for (const f of figures) {
    files.push(raster ? { name: `${f.name}.png`, bytes: raster(f.svg) } : textFile(`${f.name}.svg`, f.svg));
    files.push(textFile(`${f.name}.csv`, f.csv));
  }
  return files;
}
