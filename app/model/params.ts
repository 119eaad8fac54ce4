/** The flat float64 parameter vector ⇄ per-layer Dense weights (Keras layout), and initialisation. */
import { ConfigError } from '../util/configError';
import { seededRandom } from '../util/random';
import type { DenseWeights, DenseWeights64 } from './spec';
import type { ResolvedModel } from './layers';

/** Glorot-uniform kernels (limit √(6/(fan_in+fan_out))) from a seed, zero biases — Keras' Dense default. */
export function glorotUniform(model: ResolvedModel, seed: number): Float64Array {
  const x = new Float64Array(model.parameterCount);
  const rand = seededRandom(seed);
  for (const l of model.layers) {
    const limit = Math.sqrt(6 / (l.fanIn + l.units));
    for (let i = 0; i < l.fanIn * l.units; i++) x[l.kernelOffset + i] = Math.fround((2 * rand() - 1) * limit);
  }
  return x;
}

export function toLayerWeights(model: ResolvedModel, x: Float64Array): DenseWeights[] {
  return model.layers.map((l) => ({
    name: l.name,
    fanIn: l.fanIn,
    units: l.units,
    activation: l.activation,
    kernel: Float32Array.from(x.subarray(l.kernelOffset, l.kernelOffset + l.fanIn * l.units)),
    bias: l.biasOffset >= 0 ? Float32Array.from(x.subarray(l.biasOffset, l.biasOffset + l.units)) : null,
  }));
}

/** The layers' weights in float64, unrounded (float64 runs). */
export function toLayerWeights64(model: ResolvedModel, x: Float64Array): DenseWeights64[] {
  return model.layers.map((l) => ({
    name: l.name,
    fanIn: l.fanIn,
    units: l.units,
    activation: l.activation,
    kernel: x.slice(l.kernelOffset, l.kernelOffset + l.fanIn * l.units),
    bias: l.biasOffset >= 0 ? x.slice(l.biasOffset, l.biasOffset + l.units) : null,
  }));
}

/** Largest |fround(v) − v| / |v| over θ's non-zero entries: what rounding to a float32 model changes. */
export function float32RoundingChange(x: Float64Array): number {
  let worst = 0;
  for (let k = 0; k < x.length; k++) {
    const v = x[k];
    if (v !== 0 && Number.isFinite(v)) worst = Math.max(worst, Math.abs(Math.fround(v) - v) / Math.abs(v));
  }
  return worst;
}

/** Per-layer arrays as they come from a weights file: kernel in [fanIn][units] order. */
export interface LayerArrays {
  kernel: ArrayLike<number>;
  kernelShape: [number, number];
  bias?: ArrayLike<number> | null;
}

/** Flattens weights read from a file, with an error naming the layer on any shape mismatch. */
export function fromLayerArrays(model: ResolvedModel, layers: LayerArrays[], source = 'initial weights'): Float64Array {
  if (layers.length !== model.layers.length) {
    throw new ConfigError(`${source}: ${layers.length} layers given, the model has ${model.layers.length}`);
  }
  const x = new Float64Array(model.parameterCount);
  model.layers.forEach((l, i) => {
    const w = layers[i];
    const [rows, cols] = w.kernelShape;
    if (rows !== l.fanIn || cols !== l.units || w.kernel.length !== rows * cols) {
      throw new ConfigError(`${source}: layer ${i} ("${l.name}") kernel is ${rows}×${cols}, the model needs ${l.fanIn}×${l.units}`);
    }
    for (let k = 0; k < rows * cols; k++) x[l.kernelOffset + k] = w.kernel[k];
    const hasBias = w.bias !== undefined && w.bias !== null;
    if (l.biasOffset >= 0) {
      if (hasBias && w.bias!.length !== l.units) {
        throw new ConfigError(`${source}: layer ${i} ("${l.name}") bias has ${w.bias!.length} values, the model needs ${l.units}`);
      }
      if (hasBias) for (let k = 0; k < l.units; k++) x[l.biasOffset + k] = w.bias![k];
    } else if (hasBias && w.bias!.length > 0) {
      throw new ConfigError(`${source}: layer ${i} ("${l.name}") has a bias but the model's layer has useBias: false`);
    }
  });
  return x;
}

/** The experiment's inline JSON form: W is fan_in rows of fan_out values. */
export function fromInlineWeights(model: ResolvedModel, inline: { layers: { W: number[][]; b?: number[] }[] }): Float64Array {
  const arrays = inline.layers.map((l, i): LayerArrays => {
    const rows = l.W.length;
    const cols = rows ? l.W[0].length : 0;
    const kernel = new Float64Array(rows * cols);
    l.W.forEach((row, r) => {
      if (row.length !== cols) throw new ConfigError(`initialWeights.layers.${i}.W: row ${r} has ${row.length} values, row 0 has ${cols}`);
      kernel.set(row, r * cols);
    });
    return { kernel, kernelShape: [rows, cols], bias: l.b ?? null };
  });
  return fromLayerArrays(model, arrays, 'initialWeights');
}

/** Sum of squared kernel entries (the L2 penalty is λ times this). */
export function kernelSquaredNorm(model: ResolvedModel, x: Float64Array): number {
  let s = 0;
  for (const l of model.layers) {
    const end = l.kernelOffset + l.fanIn * l.units;
    for (let k = l.kernelOffset; k < end; k++) s += x[k] * x[k];
  }
  return s;
}
