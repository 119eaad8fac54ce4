/**
 * Chart lines for repeated races (median + IQR band per run spec, optionally every repeat) and the
 * switch markers of hand-off runs. RaceChart draws whatever these return; each line computes its
 * own points in `sync`, called on animation frames.
 */
import type { ChartDataset } from 'chart.js';
import { BandCache, switchPoints, withAlpha } from './bands';
import { runColor } from './colors';
import type { RaceRun, RaceStore } from './race.svelte';
import { PointCache, type RunSeries, type SeriesKey, type XAxis, type XYPoint } from './series';

export interface ExtraLine {
  /** Legend key: the run spec's id, so one legend button shows or hides a spec with all its repeats. */
  runId: string;
  positiveOnly: boolean;
  dataset: ChartDataset<'line', XYPoint[]>;
  sync: () => XYPoint[];
  role: 'median' | 'band' | 'repeat' | 'marker';
}

function dataset(label: string, color: string, extra: Partial<ChartDataset<'line', XYPoint[]>> = {}): ChartDataset<'line', XYPoint[]> {
  return { label, data: [], borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 0, pointHitRadius: 6, spanGaps: true, yAxisID: 'y', ...extra };
}

/** A triangle at each point where a hand-off run switched optimizer. */
export function switchMarkerLine(runId: string, series: RunSeries, axis: XAxis, color: string, key: SeriesKey = 'trainLoss'): ExtraLine {
  return {
    runId,
    positiveOnly: false,
    role: 'marker',
    dataset: dataset('optimizer switch', color, { showLine: false, pointRadius: 6, pointHoverRadius: 7, pointStyle: 'triangle', borderWidth: 1, borderColor: '#000' }),
    sync: () => switchPoints(series, axis, key),
  };
}

interface Spec {
  specId: string;
  label: string;
  color: string;
  sequence: boolean;
  runs: RaceRun[];
}

function specsOf(race: RaceStore): Spec[] {
  const specs = new Map<string, Spec>();
  for (const r of race.runs) {
    let s = specs.get(r.specId);
    if (!s) {
      s = { specId: r.specId, label: r.label.replace(/ · start \d+$/, ''), color: runColor(r.colorIndex), sequence: r.optimizer === 'sequence', runs: [] };
      specs.set(r.specId, s);
    }
    s.runs.push(r);
  }
  return [...specs.values()];
}

/** Median (and, for the training loss, the q1–q3 band) of one quantity over a spec's repeats. */
function bandLines(race: RaceStore, spec: Spec, axis: XAxis, key: SeriesKey, positiveOnly: boolean, name: string, withBand: boolean, extra: Partial<ChartDataset<'line', XYPoint[]>>): ExtraLine[] {
  const band = new BandCache(axis, key, positiveOnly);
  const sync = () => {
    const series = spec.runs.map((r) => race.series.get(r.runId)).filter((s): s is RunSeries => s !== undefined);
    band.sync(series, spec.runs.map((r) => r.phase === 'finished'));
  };
  const lines: ExtraLine[] = [];
  const line = (role: ExtraLine['role'], label: string, points: () => XYPoint[], ds: Partial<ChartDataset<'line', XYPoint[]>>) =>
    lines.push({ runId: spec.specId, positiveOnly, role, dataset: dataset(label, spec.color, { ...extra, ...ds }), sync: () => (sync(), points()) });
  if (withBand) {
    line('band', `${spec.label} ${name} q1`, () => band.q1, { borderWidth: 0, pointHitRadius: 0 });
    // Filled down to the q1 dataset just before it: the inter-quartile band.
    line('band', `${spec.label} ${name} q3`, () => band.q3, { borderWidth: 0, pointHitRadius: 0, fill: '-1', backgroundColor: withAlpha(spec.color, 0.2) });
  }
  line('median', `${spec.label} ${name} median`, () => band.median, {});
  return lines;
}

function repeatLine(race: RaceStore, spec: Spec, run: RaceRun, axis: XAxis, key: SeriesKey, positiveOnly: boolean): ExtraLine {
  const cache = new PointCache(axis, key);
  return {
    runId: spec.specId,
    positiveOnly,
    role: 'repeat',
    dataset: dataset(`${run.label}`, withAlpha(spec.color, 0.35), { borderWidth: 1 }),
    sync: () => {
      const s = race.series.get(run.runId);
      return s ? cache.sync(s, positiveOnly) : cache.points;
    },
  };
}

export function repeatLines(race: RaceStore, kind: 'loss' | 'gradient', axis: XAxis, logY: boolean): ExtraLine[] {
  const out: ExtraLine[] = [];
  for (const spec of specsOf(race)) {
    if (kind === 'loss') {
      if (race.showRepeats) for (const r of spec.runs) out.push(repeatLine(race, spec, r, axis, 'trainLoss', logY));
      out.push(...bandLines(race, spec, axis, 'trainLoss', logY, 'train', true, {}));
      const validation = spec.runs.some((r) => race.series.get(r.runId)?.hasValidation);
      if (validation) out.push(...bandLines(race, spec, axis, 'validationLoss', logY, 'validation', false, { borderDash: [6, 4], borderWidth: 1.5 }));
      if (spec.sequence) {
        for (const r of spec.runs) {
          const s = race.series.get(r.runId);
          if (s) out.push({ ...switchMarkerLine(spec.specId, s, axis, spec.color), dataset: dataset(`${r.label} switch`, spec.color, { showLine: false, pointRadius: 5, pointStyle: 'triangle', borderWidth: 1, borderColor: '#000' }) });
        }
      }
    } else {
      out.push(...bandLines(race, spec, axis, 'gradNorm2', true, '‖g‖₂', false, {}));
      out.push(...bandLines(race, spec, axis, 'step', true, 'step', false, { borderDash: [2, 3], borderWidth: 1.5, yAxisID: 'y2' }));
    }
  }
  return out;
}
