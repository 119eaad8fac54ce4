/**
 * Inverted-dropout masks drawn on the host from a seed, shared by the engines that take masks as
 * data (onnxruntime, the float64 JavaScript engine), so a seed drops the same units in each.
 */
import type { Precision } from './engine';
import { seededRandom } from '../util/random';

/** A 32-bit seed per (evaluation seed, layer) so layers draw independent masks. */
function layerSeed(seed: number, layer: number): number {
  return (Math.floor(seed) ^ Math.imul(layer + 1, 0x9e3779b1)) >>> 0;
}

/**
 * Mask for rows × units: 0 with probability `rate`, else 1/(1 − rate), in the given precision (the
 * same draws in both; only the kept value's rounding differs). Exported so tests can reproduce
 * exactly the units a seed drops.
 */
export function dropoutMask(seed: number, layer: number, rows: number, units: number, rate: number, precision: 'float64'): Float64Array;
export function dropoutMask(seed: number, layer: number, rows: number, units: number, rate: number, precision?: 'float32'): Float32Array;
export function dropoutMask(seed: number, layer: number, rows: number, units: number, rate: number, precision?: Precision): Float32Array | Float64Array;
export function dropoutMask(seed: number, layer: number, rows: number, units: number, rate: number, precision: Precision = 'float32'): Float32Array | Float64Array {
  const rand = seededRandom(layerSeed(seed, layer));
  const keep = 1 / (1 - rate);
  const mask = precision === 'float64' ? new Float64Array(rows * units) : new Float32Array(rows * units);
  for (let k = 0; k < mask.length; k++) mask[k] = rand() < rate ? 0 : keep;
  return mask;
}
