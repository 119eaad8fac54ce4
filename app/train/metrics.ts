/** Loss and metrics of a subset from network outputs, in float64 on the host, in original units. */
import { scalingOf, type TargetScaling, type Task } from '../data/types';
import type { Loss } from '../model/spec';
import type { Metrics, SubsetScore } from './events';

export type { SubsetScore } from './events';

/** What a subset's loss is: the run's loss, its huber δ (in training units) and the sample weights. */
export interface ScoreOptions {
  loss?: Loss;
  huberDelta?: number;
  weights?: Float64Array;
}


function elementLoss(loss: Loss, d: number, delta: number): number {
  if (loss === 'mae') return Math.abs(d);
  if (loss === 'huber') {
    const a = Math.abs(d);
    return a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
  }
  return d * d;
}

/** Weighted mean loss of regression outputs in original units; huber's δ scales with each target's scale. */
function regressionLoss(p: Float64Array, y: Float64Array, outputs: number, options: ScoreOptions, scaling?: TargetScaling): number {
  const loss = options.loss ?? 'mse';
  const w = options.weights;
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < y.length; i++) {
    const k = i % outputs;
    const wr = w ? w[Math.floor(i / outputs)] : 1;
    const delta = (options.huberDelta ?? 1) * (scaling ? scalingOf(scaling, k).scale : 1);
    sum += wr * elementLoss(loss, p[i] - y[i], delta);
    wsum += wr;
  }
  return wsum > 0 ? sum / wsum : NaN;
}

/** Weighted MSE and R² of output column k. */
function columnFit(p: Float64Array, y: Float64Array, outputs: number, k: number, w?: Float64Array): { mse: number; r2: number | undefined } {
  const rows = y.length / outputs;
  let wsum = 0;
  let mean = 0;
  for (let r = 0; r < rows; r++) {
    const wr = w ? w[r] : 1;
    wsum += wr;
    mean += wr * y[r * outputs + k];
  }
  mean /= wsum || 1;
  let sse = 0;
  let sst = 0;
  for (let r = 0; r < rows; r++) {
    const wr = w ? w[r] : 1;
    sse += wr * (p[r * outputs + k] - y[r * outputs + k]) ** 2;
    sst += wr * (y[r * outputs + k] - mean) ** 2;
  }
  return { mse: sse / (wsum || 1), r2: sst > 0 ? 1 - sse / sst : undefined };
}

/** Network outputs and targets in original units (a scaled regression target mapped back, per output). */
export function inOriginalUnits(values: ArrayLike<number>, outputs: number, scaling?: TargetScaling): Float64Array {
  // A loop, not Float64Array.from(values, map): that builds a JavaScript array of every value first.
  const out = new Float64Array(values.length);
  if (!scaling) {
    out.set(values);
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    const { mean, scale } = scalingOf(scaling, i % outputs);
    out[i] = values[i] * scale + mean;
  }
  return out;
}

/**
 * Metrics in the units the user sees. With a standardised regression target, `predictions` and `y`
 * arrive in training units and are mapped back; the regression loss is recomputed in original units
 * on the host (so several targets with different scales weigh as the user's units say). `loss` is
 * the engine's, used as it is for classification.
 */
export function computeMetrics(
  task: Task,
  loss: number,
  predictions: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  rows: number,
  scaling?: TargetScaling,
  options: ScoreOptions = {},
): Metrics {
  const out = rows > 0 ? y.length / rows : 0;
  const w = options.weights;
  if (task === 'regression') {
    const p = inOriginalUnits(predictions, out, scaling);
    const t = inOriginalUnits(y, out, scaling);
    const fits = Array.from({ length: out }, (_, k) => columnFit(p, t, out, k, w));
    const r2s = fits.map((f) => f.r2);
    const defined = r2s.every((v) => v !== undefined);
    const m: Metrics = {
      validationLoss: regressionLoss(p, t, out, options, scaling),
      validationMse: fits.reduce((s, f) => s + f.mse, 0) / (out || 1),
      validationR2: defined && out > 0 ? (r2s as number[]).reduce((s, v) => s + v, 0) / out : undefined,
    };
    if (out > 1) m.validationR2PerTarget = r2s.map((v) => v ?? null);
    return m;
  }
  let correct = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const wr = w ? w[r] : 1;
    total += wr;
    if (out === 1) {
      if (predictions[r] >= 0.5 === y[r] >= 0.5) correct += wr;
    } else if (argmax(predictions, r * out, out) === argmax(y, r * out, out)) correct += wr;
  }
  return { validationLoss: loss, validationAccuracy: total > 0 ? correct / total : undefined };
}

/** The subset score reported for test (and validation) data. */
export function subsetScore(m: Metrics): SubsetScore {
  const s: SubsetScore = { loss: m.validationLoss ?? NaN, metric: m.validationAccuracy ?? m.validationR2 ?? null };
  if (m.validationR2PerTarget) s.metrics = m.validationR2PerTarget.map((v) => v ?? NaN);
  return s;
}

function argmax(a: Float32Array | Float64Array, start: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (a[start + k] > a[start + best]) best = k;
  return best;
}

/**
 * A loss computed on the standardised (single) target, in original units: mse and huber (whose δ
 * scales with the target) scale by scale², mae by scale.
 */
export function originalUnitsLoss(loss: number, scaling: TargetScaling | undefined, kind: Loss = 'mse'): number {
  if (!scaling) return loss;
  return kind === 'mae' ? loss * scaling.scale : loss * scaling.scale * scaling.scale;
}
