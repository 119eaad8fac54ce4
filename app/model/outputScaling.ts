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
  const kernel = Float64Array.from(last.kernel, (w) => w * t.scale);
  const bias = Float64Array.from(last.bias ?? new Float64Array(last.units), (b) => b * t.scale + t.mean);
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
