/**
 * A standardised regression target folded into the linear output layer, so that exported models
 * predict original units with the user's own architecture (no extra layer: Keras `load_weights`
 * into the same model still works): W' = W·scale, b' = b·scale + mean. The inverse maps weights
 * that predict original units (a file the user starts from) into the training space.
 */
import { scalingOf, type TargetScaling } from '../data/types';
import type { DenseWeights, DenseWeights64 } from './spec';
import type { ResolvedModel } from './layers';

/** Output-layer weights that predict original units, from weights trained on the scaled target. */
export function foldTargetScaling(layers: DenseWeights[], t: TargetScaling | undefined): DenseWeights[] {
  if (!t) return layers;
  const last = layers[layers.length - 1];
  // Kernel [fanIn][units] row-major: entry i belongs to output i % units.
  const kernel = Float32Array.from(last.kernel, (w, i) => w * scalingOf(t, i % last.units).scale);
  const bias = Float32Array.from(last.bias ?? new Float32Array(last.units), (b, k) => b * scalingOf(t, k).scale + scalingOf(t, k).mean);
  return [...layers.slice(0, -1), { ...last, kernel, bias }];
}

/** foldTargetScaling in float64, for a float64 run's weights. */
export function foldTargetScaling64(layers: DenseWeights64[], t: TargetScaling | undefined): DenseWeights64[] {
  if (!t) return layers;
  const last = layers[layers.length - 1];
  const kernel = Float64Array.from(last.kernel, (w, i) => w * scalingOf(t, i % last.units).scale);
  const bias = Float64Array.from(last.bias ?? new Float64Array(last.units), (b, k) => b * scalingOf(t, k).scale + scalingOf(t, k).mean);
  return [...layers.slice(0, -1), { ...last, kernel, bias }];
}

/** θ in training units from θ whose output layer predicts original units (initial weights from a file). */
export function unfoldTargetScaling(model: ResolvedModel, x: Float64Array, t: TargetScaling | undefined): Float64Array {
  if (!t) return x;
  const out = Float64Array.from(x);
  const last = model.layers[model.layers.length - 1];
  for (let k = 0; k < last.fanIn * last.units; k++) out[last.kernelOffset + k] /= scalingOf(t, k % last.units).scale;
  if (last.biasOffset >= 0) {
    for (let k = 0; k < last.units; k++) out[last.biasOffset + k] = (out[last.biasOffset + k] - scalingOf(t, k).mean) / scalingOf(t, k).scale;
  }
  return out;
}

/** Whether a model can train on a standardised target: an mse loss on a linear output with a bias. */
export function targetScalingBlocker(model: ResolvedModel): string | null {
  const last = model.layers[model.layers.length - 1];
  if (model.loss !== 'mse' && model.loss !== 'mae' && model.loss !== 'huber') return `the loss is ${model.loss}, not a regression loss`;
  if (last.activation !== 'linear') return `the output layer's activation is ${last.activation}, not linear`;
  if (last.biasOffset < 0) return 'the output layer has no bias to carry the mean';
  return null;
}

/** The values each bounded output activation can produce (open or closed ends alike). */
const OUTPUT_RANGES: Partial<Record<ResolvedModel['layers'][number]['activation'], { low: number; high: number; text: string }>> = {
  tanh: { low: -1, high: 1, text: '(−1, 1)' },
  sigmoid: { low: 0, high: 1, text: '(0, 1)' },
  softmax: { low: 0, high: 1, text: '(0, 1)' },
  relu: { low: 0, high: Infinity, text: '[0, ∞)' },
  softplus: { low: 0, high: Infinity, text: '(0, ∞)' },
  elu: { low: -1, high: Infinity, text: '(−1, ∞)' },
};

/**
 * Why a regression's output layer cannot reach its training targets, or null: a tanh output cannot
 * predict a target of 14, and the optimizers then stop "successfully" at the best it can do.
 */
export function outputRangeProblem(model: ResolvedModel, y: ArrayLike<number>, targets: readonly string[]): string | null {
  const last = model.layers[model.layers.length - 1];
  const range = OUTPUT_RANGES[last.activation];
  if (!range || y.length === 0) return null;
  const k = last.units;
  for (let j = 0; j < k; j++) {
    let low = Infinity;
    let high = -Infinity;
    for (let i = j; i < y.length; i += k) {
      if (y[i] < low) low = y[i];
      if (y[i] > high) high = y[i];
    }
    if (low < range.low || high > range.high) {
      const name = targets[j] ?? targets[0] ?? `output ${j + 1}`;
      return `the output layer's ${last.activation} gives values in ${range.text}, but target "${name}" spans ${low.toPrecision(4)} … ${high.toPrecision(4)} in the training rows, so the fit cannot reach it; use a linear output layer (e.g. --layers 20:tanh,1 or 1:linear)`;
    }
  }
  return null;
}
