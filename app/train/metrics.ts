/** Validation metrics from network outputs, in float64 on the host. */
import type { TargetScaling, Task } from '../data/types';
import type { Metrics } from './events';

/**
 * Metrics in the units the user sees. With a standardised regression target, `loss`, `predictions`
 * and `y` arrive in training units and are mapped back (an mse loss scales by scale²).
 */
export function computeMetrics(
  task: Task,
  loss: number,
  predictions: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  rows: number,
  scaling?: TargetScaling,
): Metrics {
  const out = rows > 0 ? y.length / rows : 0;
  if (task === 'regression' && scaling) {
    const back = (v: Float32Array | Float64Array) => Float64Array.from(v, (t) => t * scaling.scale + scaling.mean);
    return computeMetrics(task, originalUnitsLoss(loss, scaling), back(predictions), back(y), rows);
  }
  if (task === 'regression') {
    let sse = 0;
    let mean = 0;
    for (let i = 0; i < y.length; i++) mean += y[i];
    mean /= y.length || 1;
    let sst = 0;
    for (let i = 0; i < y.length; i++) {
      sse += (predictions[i] - y[i]) ** 2;
      sst += (y[i] - mean) ** 2;
    }
    return { validationLoss: loss, validationMse: sse / (y.length || 1), validationR2: sst > 0 ? 1 - sse / sst : undefined };
  }
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    if (out === 1) {
      if (predictions[r] >= 0.5 === y[r] >= 0.5) correct++;
    } else if (argmax(predictions, r * out, out) === argmax(y, r * out, out)) correct++;
  }
  return { validationLoss: loss, validationAccuracy: rows ? correct / rows : undefined };
}

function argmax(a: Float32Array | Float64Array, start: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (a[start + k] > a[start + best]) best = k;
  return best;
}

/** An mse computed on the standardised target, in the target's squared original units. */
export function originalUnitsLoss(loss: number, scaling: TargetScaling | undefined): number {
  return scaling ? loss * scaling.scale * scaling.scale : loss;
}
