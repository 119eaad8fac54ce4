/**
 * NumPy exports: `weights.npz` (`.npy` arrays `<layer>/kernel` (in, out) and `<layer>/bias`, as
 * `np.savez` writes: a STORED zip of .npy members) and `weights.json`, the inline-weights shape an
 * experiment's `initialWeights` accepts. Float32 weights are written as float32 ('<f4', shortest
 * float32 decimals); a float64 run's weights as float64 ('<f8', JSON numbers that round-trip exactly).
 */
import { zipSync, type Zippable } from 'fflate';
import type { DenseWeights, DenseWeights64 } from '../model/spec';
import { float32LeBytes, textFile, type ExportFile } from './files';

export const NPZ_FILE = 'weights.npz';
export const WEIGHTS_JSON_FILE = 'weights.json';

/**
 * `.npy` format 1.0 for a little-endian C-order array, float32 ('<f4') or float64 ('<f8') as the
 * values are; header padded so data starts 64-byte aligned.
 */
export function npyBytes(values: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new Error(`npy: shape (${shape.join(', ')}) needs ${count} values, got ${values.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const double = values instanceof Float64Array;
  let header = `{'descr': '${double ? '<f8' : '<f4'}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const preamble = 10; // magic(6) + version(2) + header length(2)
  const padded = Math.ceil((preamble + header.length + 1) / 64) * 64;
  header = header.padEnd(padded - preamble - 1, ' ') + '\n';
  const out = new Uint8Array(preamble + header.length + values.length * (double ? 8 : 4));
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  if (double) for (let i = 0; i < values.length; i++) view.setFloat64(preamble + header.length + 8 * i, values[i], true);
  else out.set(float32LeBytes(values as Float32Array), preamble + header.length);
  return out;
}

export function npzFile(layers: readonly (DenseWeights | DenseWeights64)[]): ExportFile {
  const members: Zippable = {};
  for (const l of layers) {
    members[`${l.name}/kernel.npy`] = [npyBytes(l.kernel, [l.fanIn, l.units]), { level: 0 }];
    if (l.bias) members[`${l.name}/bias.npy`] = [npyBytes(l.bias, [l.units]), { level: 0 }];
  }
  return { name: NPZ_FILE, bytes: zipSync(members) };
}

export interface WeightsJsonLayer {
  name: string;
  activation: string;
  W: number[][];
  b?: number[];
}

/**
 * The shortest decimal that rounds back to the same float32 (0.1f prints as 0.1, not
 * 0.10000000149011612), so weights.json stays readable and much smaller while exact.
 */
export function shortestFloat32(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) || f === 0) return f;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return Number(f.toPrecision(9));
}

/** Float32 values as their shortest float32 decimals; float64 values as JavaScript prints them (exact round trip). */
function shortestAll(values: Float32Array | Float64Array): number[] {
  return values instanceof Float64Array ? Array.from(values) : Array.from(values, shortestFloat32);
}

/** Weights as JSON numbers; each parses back to the identical float32 (or float64, for a float64 run). */
export function weightsJson(layers: readonly (DenseWeights | DenseWeights64)[]): { layers: WeightsJsonLayer[] } {
  return {
    layers: layers.map((l) => ({
      name: l.name,
      activation: l.activation,
      W: Array.from({ length: l.fanIn }, (_, r) => shortestAll(l.kernel.subarray(r * l.units, (r + 1) * l.units))),
      ...(l.bias ? { b: shortestAll(l.bias) } : {}),
    })),
  };
}

export function weightsJsonFile(layers: readonly (DenseWeights | DenseWeights64)[]): ExportFile {
  return textFile(WEIGHTS_JSON_FILE, JSON.stringify(weightsJson(layers)) + '\n');
}
