/**
 * Standardising a regression target. A target in the hundreds makes the loss ~1e4 at the start:
 * Adam's default step of 1e-3 then barely moves the output bias, and BFGS runs into float32 precision
 * loss long before the optimum. Training on (y − mean) / scale keeps every target near unit scale.
 */
import { scalingOf, type PreparedData, type Split, type TargetScaling } from './types';

/**
 * Mean and standard deviation (population) of the training targets, per output column of y
 * (`outputs` columns, row-major); scale 1 for a constant column. Unweighted: the scaling only
 * conditions the problem, and any fixed affine map is undone exactly.
 */
export function fitTargetScaling(y: Float32Array | Float64Array, outputs = 1): TargetScaling {
  const n = y.length / outputs;
  const columns: { mean: number; scale: number }[] = [];
  for (let k = 0; k < outputs; k++) {
    if (n === 0) {
      columns.push({ mean: 0, scale: 1 });
      continue;
    }
    let mean = 0;
    for (let r = 0; r < n; r++) mean += y[r * outputs + k];
    mean /= n;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (y[r * outputs + k] - mean) ** 2;
    const sd = Math.sqrt(ss / n);
    columns.push({ mean, scale: sd > 0 && Number.isFinite(sd) ? sd : 1 });
  }
  return outputs === 1 ? columns[0] : { ...columns[0], columns };
}

function scaleSplit(split: Split, t: TargetScaling, outputs: number): Split {
  // Same element type as the split: float64 targets stay float64.
  const y = split.y instanceof Float64Array ? new Float64Array(split.y.length) : new Float32Array(split.y.length);
  for (let i = 0; i < y.length; i++) {
    const { mean, scale } = scalingOf(t, i % outputs);
    y[i] = (split.y[i] - mean) / scale;
  }
  return { ...split, y };
}

/** The data with every split's target standardised by the training rows' mean and scale. */
export function withScaledTarget(data: PreparedData): PreparedData {
  const k = data.outputDim;
  const t = fitTargetScaling(data.train.y, k);
  const target = data.preprocessing.targets?.join('", "') ?? data.preprocessing.target;
  return {
    ...data,
    train: scaleSplit(data.train, t, k),
    validation: data.validation && scaleSplit(data.validation, t, k),
    test: data.test && scaleSplit(data.test, t, k),
    preprocessing: { ...data.preprocessing, targetScaling: t },
    notes: [
      ...data.notes,
      `target "${target}" standardised for training (${describe(t)} from the training rows); ` +
        `losses, metrics and predictions are shown in its original units, and exported models predict them`,
    ],
  };
}

/** Original-unit values of network outputs made for a scaled target (float64), `outputs` per row. */
export function unscaleOutputs(values: ArrayLike<number>, t: TargetScaling, outputs = 1): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const { mean, scale } = scalingOf(t, i % outputs);
    out[i] = values[i] * scale + mean;
  }
  return out;
}

function describe(t: TargetScaling): string {
  const cols = t.columns ?? [t];
  return cols.map((c) => `mean ${fmt(c.mean)}, scale ${fmt(c.scale)}`).join('; ');
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}
