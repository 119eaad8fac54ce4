/**
 * Standardising a regression target. A target in the hundreds makes the loss ~1e4 at the start:
 * Adam's default step of 1e-3 then barely moves the output bias, and BFGS runs into float32 precision
 * loss long before the optimum. Training on (y − mean) / scale keeps every target near unit scale.
 */
import type { PreparedData, Split, TargetScaling } from './types';

/** Mean and standard deviation (population) of the training targets; scale 1 for a constant target. */
export function fitTargetScaling(y: Float32Array | Float64Array): TargetScaling {
  const n = y.length;
  if (n === 0) return { mean: 0, scale: 1 };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  return { mean, scale: sd > 0 && Number.isFinite(sd) ? sd : 1 };
}

function scaleSplit(split: Split, t: TargetScaling): Split {
  // Same element type as the split: float64 targets stay float64.
  const y = split.y instanceof Float64Array ? new Float64Array(split.y.length) : new Float32Array(split.y.length);
  for (let i = 0; i < y.length; i++) y[i] = (split.y[i] - t.mean) / t.scale;
  return { ...split, y };
}

/** The data with every split's target standardised by the training rows' mean and scale. */
export function withScaledTarget(data: PreparedData): PreparedData {
  const t = fitTargetScaling(data.train.y);
  const target = data.preprocessing.target;
  return {
    ...data,
    train: scaleSplit(data.train, t),
    validation: data.validation && scaleSplit(data.validation, t),
    test: data.test && scaleSplit(data.test, t),
    preprocessing: { ...data.preprocessing, targetScaling: t },
    notes: [
      ...data.notes,
      `target "${target}" standardised for training (mean ${fmt(t.mean)}, scale ${fmt(t.scale)} from the training rows); ` +
        `losses, metrics and predictions are shown in its original units, and exported models predict them`,
    ],
  };
}

/** Original-unit values of network outputs made for a scaled target (float64). */
export function unscaleOutputs(values: Float32Array | Float64Array, t: TargetScaling): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] * t.scale + t.mean;
  return out;
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}
