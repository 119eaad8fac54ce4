/**
 * Float64 reference for a dense stack's loss, gradient and outputs, written with plain loops and no
 * library: what every engine's result, float32 or float64, is measured against (test/unit/engine/*).
 * One reference for all engines, itself checked against central differences in onnx.test.ts. It
 * stays independent of the float64 engines (app/engine/js, the ONNX double graphs): written row by
 * row with its own erf, it is an oracle for them rather than a copy.
 */
import type { Activation, DenseStack, Loss, StackLayer } from '../app/engine/engine';
import { LEAKY_RELU_ALPHA } from '../app/engine/engine';

const SELU_ALPHA = 1.6732632423543772;
const SELU_GAMMA = 1.0507009873554805;
const EPS = 1e-7;
const EPS32 = Math.fround(EPS);
const HI32 = Math.fround(1 - EPS);

/** erf to ~1e-16 (Taylor series near 0, continued fraction for the tail). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = e^{-x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) evaluated backwards
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const softplus = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const phi = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

/** act applied to one row z (softmax needs the whole row). */
export function activate(act: Activation, z: number[]): number[] {
  if (act === 'softmax') {
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }
  return z.map((v) => {
    switch (act) {
      case 'linear':
        return v;
      case 'relu':
        return Math.max(v, 0);
      case 'leakyRelu':
        return v > 0 ? v : LEAKY_RELU_ALPHA * v;
      case 'elu':
        return v > 0 ? v : Math.expm1(v);
      case 'selu':
        return v > 0 ? SELU_GAMMA * v : SELU_GAMMA * SELU_ALPHA * Math.expm1(v);
      case 'tanh':
        return Math.tanh(v);
      case 'sigmoid':
        return sigmoid(v);
      case 'softplus':
        return softplus(v);
      case 'gelu':
        return v * phi(v);
    }
  });
}

/** Vector-Jacobian product of act at row z (output a) with upstream g. */
function activateBackward(act: Activation, z: number[], a: number[], g: number[]): number[] {
  if (act === 'softmax') {
    let dot = 0;
    for (let j = 0; j < a.length; j++) dot += g[j] * a[j];
    return a.map((aj, j) => aj * (g[j] - dot));
  }
  return z.map((v, j) => {
    switch (act) {
      case 'linear':
        return g[j];
      case 'relu':
        return v > 0 ? g[j] : 0;
      case 'leakyRelu':
        return v > 0 ? g[j] : LEAKY_RELU_ALPHA * g[j];
      case 'elu':
        return v > 0 ? g[j] : g[j] * Math.exp(v);
      case 'selu':
        return v > 0 ? SELU_GAMMA * g[j] : g[j] * SELU_GAMMA * SELU_ALPHA * Math.exp(v);
      case 'tanh':
        return g[j] * (1 - a[j] * a[j]);
      case 'sigmoid':
        return g[j] * a[j] * (1 - a[j]);
      case 'softplus':
        return g[j] * sigmoid(v);
      case 'gelu':
        return g[j] * (phi(v) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
    }
  });
}

/** Loss of one row and dLoss/dz (unscaled by the mean). */
function rowLoss(loss: Loss, act: Activation, z: number[], y: number[], delta = 1): { l: number; dz: number[]; out: number[] } {
  const out = activate(act, z);
  if (loss === 'mae') {
    const d = out.map((p, j) => p - y[j]);
    return { l: d.reduce((s, v) => s + Math.abs(v), 0), dz: activateBackward(act, z, out, d.map((v) => Math.sign(v))), out };
  }
  if (loss === 'huber') {
    const d = out.map((p, j) => p - y[j]);
    const l = d.reduce((s, v) => s + (Math.abs(v) <= delta ? 0.5 * v * v : delta * (Math.abs(v) - 0.5 * delta)), 0);
    return { l, dz: activateBackward(act, z, out, d.map((v) => Math.max(-delta, Math.min(delta, v)))), out };
  }
  if (loss === 'mse') {
    const d = out.map((p, j) => p - y[j]);
    return { l: d.reduce((s, v) => s + v * v, 0), dz: activateBackward(act, z, out, d.map((v) => 2 * v)), out };
  }
  if (loss === 'binary-crossentropy') {
    if (act === 'sigmoid') {
      let l = 0;
      for (let j = 0; j < z.length; j++) l += Math.max(z[j], 0) - z[j] * y[j] + Math.log1p(Math.exp(-Math.abs(z[j])));
      return { l, dz: out.map((p, j) => p - y[j]), out };
    }
    let l = 0;
    const dp = out.map((p, j) => {
      // The clip bounds as float32 holds them (1 − 1e-7 is 0.99999988): what every engine computes.
      const pc = Math.min(Math.max(p, EPS32), HI32);
      l -= y[j] * Math.log(pc) + (1 - y[j]) * Math.log(1 - pc);
      return p >= EPS32 && p <= HI32 ? (1 - y[j]) / (1 - pc) - y[j] / pc : 0;
    });
    return { l, dz: activateBackward(act, z, out, dp), out };
  }
  if (act === 'softmax') {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    const ysum = y.reduce((s, v) => s + v, 0);
    const l = -y.reduce((s, yj, j) => s + yj * (z[j] - lse), 0);
    return { l, dz: out.map((p, j) => p * ysum - y[j]), out };
  }
  let l = 0;
  const dp = out.map((p, j) => {
    const pc = Math.min(Math.max(p, EPS32), 1);
    l -= y[j] * Math.log(pc);
    return p >= EPS32 && p <= 1 ? -y[j] / pc : 0;
  });
  return { l, dz: activateBackward(act, z, out, dp), out };
}

export interface Reference {
  loss: number;
  grad: Float64Array;
  outputs: Float64Array;
}

/**
 * Mean loss, its gradient and the outputs, in float64, at θ (rounded to float32 first, as engines
 * do). masks[i] (rows × units) multiplies hidden layer i's activation when given.
 */
export function reference(
  stack: DenseStack,
  thetaIn: Float64Array,
  x: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  rows: number,
  masks: (Float32Array | Float64Array | undefined)[] = [],
  roundTheta = true,
  weights?: ArrayLike<number>,
): Reference {
  const theta = roundTheta ? Float64Array.from(Float32Array.from(thetaIn)) : thetaIn;
  const L = stack.layers.length;
  const K = stack.layers[L - 1].units;
  const grad = new Float64Array(stack.parameterCount);
  const outputs = new Float64Array(rows * K);
  const W = (l: StackLayer, i: number, j: number): number => theta[l.kernelOffset + i * l.units + j];
  // Weighted mean: Σ w_r loss_r / Σw (w = 1 without weights).
  let weightSum = rows;
  if (weights) {
    weightSum = 0;
    for (let r = 0; r < rows; r++) weightSum += weights[r];
  }
  const perElement = stack.loss === 'softmax-crossentropy' ? 1 / weightSum : 1 / (weightSum * K);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const hs: number[][] = [Array.from(x.subarray(r * stack.inputDim, (r + 1) * stack.inputDim))];
    const zs: number[][] = [];
    const as: number[][] = [];
    stack.layers.forEach((l, li) => {
      const h = hs[li];
      const z: number[] = [];
      for (let j = 0; j < l.units; j++) {
        let s = l.biasOffset >= 0 ? theta[l.biasOffset + j] : 0;
        for (let i = 0; i < l.fanIn; i++) s += h[i] * W(l, i, j);
        z.push(s);
      }
      zs.push(z);
      if (li === L - 1) return;
      const a = activate(l.activation, z);
      as.push(a);
      const m = masks[li];
      hs.push(m ? a.map((v, j) => v * m[r * l.units + j]) : a);
    });
    const yr = Array.from(y.subarray(r * K, (r + 1) * K));
    const { l, dz: dzLast, out } = rowLoss(stack.loss, stack.layers[L - 1].activation, zs[L - 1], yr, stack.huberDelta ?? 1);
    const w = weights ? weights[r] : 1;
    total += w * l;
    out.forEach((v, j) => (outputs[r * K + j] = v));
    let dz = dzLast.map((v) => v * perElement * w);
    for (let li = L - 1; li >= 0; li--) {
      const layer = stack.layers[li];
      const h = hs[li];
      for (let i = 0; i < layer.fanIn; i++) for (let j = 0; j < layer.units; j++) grad[layer.kernelOffset + i * layer.units + j] += h[i] * dz[j];
      if (layer.biasOffset >= 0) for (let j = 0; j < layer.units; j++) grad[layer.biasOffset + j] += dz[j];
      if (li === 0) break;
      const prev = stack.layers[li - 1];
      const dh: number[] = [];
      for (let i = 0; i < layer.fanIn; i++) {
        let s = 0;
        for (let j = 0; j < layer.units; j++) s += dz[j] * W(layer, i, j);
        const m = masks[li - 1];
        dh.push(m ? s * m[r * prev.units + i] : s);
      }
      dz = activateBackward(prev.activation, zs[li - 1], as[li - 1], dh);
    }
  }
  return { loss: total * perElement, grad, outputs };
}

/** Mean data loss and its gradient at θ exactly as given (no float32 rounding of θ). */
export function referenceLossAndGradient(
  stack: DenseStack,
  theta: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  weights?: ArrayLike<number>,
): { f: number; g: Float64Array } {
  const r = reference(stack, theta, Float64Array.from(x), Float64Array.from(y), rows, [], false, weights);
  return { f: r.loss, g: r.grad };
}

/** A DenseStack with Keras' layout (kernel then bias, layer after layer). */
export function denseStack(inputDim: number, layers: { units: number; activation: Activation; bias?: boolean; dropout?: number }[], loss: Loss): DenseStack {
  let offset = 0;
  let fanIn = inputDim;
  const out = layers.map((l): StackLayer => {
    const kernelOffset = offset;
    offset += fanIn * l.units;
    const biasOffset = l.bias === false ? -1 : offset;
    if (l.bias !== false) offset += l.units;
    const layer = { fanIn, units: l.units, activation: l.activation, dropout: l.dropout ?? 0, kernelOffset, biasOffset };
    fanIn = l.units;
    return layer;
  });
  return { inputDim, layers: out, loss, parameterCount: offset };
}

/** A stack in → hidden… → out, every layer with or without bias. */
export function makeStack(inputDim: number, widths: number[], activations: Activation[], loss: Loss, useBias: boolean, dropout: number[] = []): DenseStack {
  return denseStack(inputDim, widths.map((units, i) => ({ units, activation: activations[i], bias: useBias, dropout: dropout[i] })), loss);
}

/** Seeded uniform numbers for test data. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Random x, θ (Glorot-like scale) and targets that suit the loss. */
export function randomProblem(stack: DenseStack, rows: number, seed: number): { x: Float32Array; y: Float32Array; theta: Float64Array } {
  const rand = lcg(seed);
  const K = stack.layers[stack.layers.length - 1].units;
  const x = new Float32Array(rows * stack.inputDim).map(() => rand() * 2 - 1);
  const theta = new Float64Array(stack.parameterCount);
  for (const l of stack.layers) {
    const limit = Math.sqrt(6 / (l.fanIn + l.units)) * 1.5;
    for (let k = 0; k < l.fanIn * l.units; k++) theta[l.kernelOffset + k] = (rand() * 2 - 1) * limit;
    if (l.biasOffset >= 0) for (let k = 0; k < l.units; k++) theta[l.biasOffset + k] = (rand() * 2 - 1) * 0.3;
  }
  const y = new Float32Array(rows * K);
  for (let r = 0; r < rows; r++) {
    if (stack.loss === 'softmax-crossentropy') y[r * K + Math.floor(rand() * K)] = 1;
    else for (let j = 0; j < K; j++) y[r * K + j] = stack.loss === 'binary-crossentropy' ? (rand() < 0.5 ? 0 : 1) : (rand() * 2 - 1) * (stack.loss === 'huber' ? 3 : 1);
  }
  return { x, y, theta };
}

/** ‖a − b‖ / max(‖b‖, tiny). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}
