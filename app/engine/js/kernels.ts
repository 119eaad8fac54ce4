/**
 * Float64 kernels of the JavaScript engine on flat row-major Float64Arrays (rows × units): dense
 * layers, activations and their vector-Jacobian products, and the losses with dLoss/dz. Loops run
 * row by row with the inner loop over contiguous units, no allocation per row.
 *
 * The formulas are the reference's (support/denseReference.ts) and the ONNX graphs': the same
 * functions in every engine, so engines agree to their arithmetic's resolution.
 */
import { LEAKY_RELU_ALPHA, type Activation, type Loss } from '../engine';
import { normalCdf } from '../normalCdf';

export const SELU_ALPHA = 1.6732632423543772;
export const SELU_GAMMA = 1.0507009873554805;
/** Keras' epsilon as float32 holds it, the bounds every engine clips probabilities to (see onnx/graph). */
export const CLIP_LOW = Math.fround(1e-7);
export const CLIP_HIGH = Math.fround(1 - 1e-7);
export const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * z = h·W (+ b) for `rows` rows: h is rows × fanIn (from hOffset), W fanIn × units, z rows × units.
 * Each z row starts at the bias and adds h_i·W_i· in i order.
 */
export function denseForward(h: Float64Array, hOffset: number, rows: number, fanIn: number, units: number, theta: Float64Array, kernelOffset: number, biasOffset: number, z: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const zr = r * units;
    if (biasOffset >= 0) for (let j = 0; j < units; j++) z[zr + j] = theta[biasOffset + j];
    else z.fill(0, zr, zr + units);
    const hr = hOffset + r * fanIn;
    for (let i = 0; i < fanIn; i++) {
      const hi = h[hr + i];
      if (hi === 0) continue;
      const w = kernelOffset + i * units;
      for (let j = 0; j < units; j++) z[zr + j] += hi * theta[w + j];
    }
  }
}

/** ∂W += hᵀ·dz, ∂b += Σ_rows dz. */
export function denseBackwardParams(h: Float64Array, hOffset: number, rows: number, fanIn: number, units: number, dz: Float64Array, grad: Float64Array, kernelOffset: number, biasOffset: number): void {
  for (let r = 0; r < rows; r++) {
    const dr = r * units;
    const hr = hOffset + r * fanIn;
    for (let i = 0; i < fanIn; i++) {
      const hi = h[hr + i];
      if (hi === 0) continue;
      const w = kernelOffset + i * units;
      for (let j = 0; j < units; j++) grad[w + j] += hi * dz[dr + j];
    }
    if (biasOffset >= 0) for (let j = 0; j < units; j++) grad[biasOffset + j] += dz[dr + j];
  }
}

/** dh = dz·Wᵀ (rows × fanIn). */
export function denseBackwardInput(dz: Float64Array, rows: number, fanIn: number, units: number, theta: Float64Array, kernelOffset: number, dh: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const dr = r * units;
    for (let i = 0; i < fanIn; i++) {
      const w = kernelOffset + i * units;
      let s = 0;
      for (let j = 0; j < units; j++) s += dz[dr + j] * theta[w + j];
      dh[r * fanIn + i] = s;
    }
  }
}

/** a = act(z) over n = rows × units values (softmax per row). */
export function activate(act: Activation, z: Float64Array, a: Float64Array, rows: number, units: number): void {
  const n = rows * units;
  switch (act) {
    case 'linear':
      a.set(z.subarray(0, n));
      return;
    case 'relu':
      for (let k = 0; k < n; k++) a[k] = z[k] > 0 ? z[k] : 0;
      return;
    case 'leakyRelu':
      for (let k = 0; k < n; k++) a[k] = z[k] > 0 ? z[k] : LEAKY_RELU_ALPHA * z[k];
      return;
    case 'elu':
      for (let k = 0; k < n; k++) a[k] = z[k] > 0 ? z[k] : Math.expm1(z[k]);
      return;
    case 'selu':
      for (let k = 0; k < n; k++) a[k] = z[k] > 0 ? SELU_GAMMA * z[k] : SELU_GAMMA * SELU_ALPHA * Math.expm1(z[k]);
      return;
    case 'tanh':
      for (let k = 0; k < n; k++) a[k] = Math.tanh(z[k]);
      return;
    case 'sigmoid':
      for (let k = 0; k < n; k++) a[k] = sigmoid(z[k]);
      return;
    case 'softplus':
      for (let k = 0; k < n; k++) a[k] = Math.max(z[k], 0) + Math.log1p(Math.exp(-Math.abs(z[k])));
      return;
    case 'gelu':
      for (let k = 0; k < n; k++) a[k] = z[k] * normalCdf(z[k]);
      return;
    case 'softmax':
      for (let r = 0; r < rows; r++) {
        const o = r * units;
        let m = -Infinity;
        for (let j = 0; j < units; j++) m = Math.max(m, z[o + j]);
        let s = 0;
        for (let j = 0; j < units; j++) s += a[o + j] = Math.exp(z[o + j] - m);
        for (let j = 0; j < units; j++) a[o + j] /= s;
      }
      return;
  }
}

/** g ← g ⊙ act'(z) (softmax: a ⊙ (g − Σ g⊙a) per row), given a = act(z). */
export function activationBackward(act: Activation, z: Float64Array, a: Float64Array, g: Float64Array, rows: number, units: number): void {
  const n = rows * units;
  switch (act) {
    case 'linear':
      return;
    case 'relu':
      for (let k = 0; k < n; k++) if (!(z[k] > 0)) g[k] = 0;
      return;
    case 'leakyRelu':
      for (let k = 0; k < n; k++) if (!(z[k] > 0)) g[k] *= LEAKY_RELU_ALPHA;
      return;
    case 'elu':
      for (let k = 0; k < n; k++) if (!(z[k] > 0)) g[k] *= Math.exp(z[k]);
      return;
    case 'selu':
      for (let k = 0; k < n; k++) g[k] = z[k] > 0 ? SELU_GAMMA * g[k] : g[k] * SELU_GAMMA * SELU_ALPHA * Math.exp(z[k]);
      return;
    case 'tanh':
      for (let k = 0; k < n; k++) g[k] *= 1 - a[k] * a[k];
      return;
    case 'sigmoid':
      for (let k = 0; k < n; k++) g[k] *= a[k] * (1 - a[k]);
      return;
    case 'softplus':
      for (let k = 0; k < n; k++) g[k] *= sigmoid(z[k]);
      return;
    case 'gelu':
      for (let k = 0; k < n; k++) g[k] *= normalCdf(z[k]) + z[k] * Math.exp(-0.5 * z[k] * z[k]) * INV_SQRT_2PI;
      return;
    case 'softmax':
      for (let r = 0; r < rows; r++) {
        const o = r * units;
        let dot = 0;
        for (let j = 0; j < units; j++) dot += g[o + j] * a[o + j];
        for (let j = 0; j < units; j++) g[o + j] = a[o + j] * (g[o + j] - dot);
      }
      return;
  }
}

/**
 * Loss of each row (summed over its outputs, unscaled) into rowLoss, and dLoss/dz (unscaled) into
 * dz, from the output pre-activation z, the outputs a = act(z) and targets y (from yOffset).
 */
export function outputLoss(
  loss: Loss,
  act: Activation,
  z: Float64Array,
  a: Float64Array,
  y: Float64Array,
  yOffset: number,
  rows: number,
  units: number,
  rowLoss: Float64Array,
  dz: Float64Array | null,
  huberDelta = 1,
): void {
  const n = rows * units;
  if (loss === 'mae' || loss === 'huber') {
    // huber: ½d² inside δ and δ(|d| − ½δ) beyond, slope clip(d, ±δ); mae: |d|, slope sign(d).
    const delta = huberDelta;
    for (let r = 0; r < rows; r++) {
      let l = 0;
      for (let j = 0; j < units; j++) {
        const k = r * units + j;
        const d = a[k] - y[yOffset + k];
        const ad = Math.abs(d);
        if (loss === 'mae') {
          l += ad;
          if (dz) dz[k] = Math.sign(d);
        } else {
          l += ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
          if (dz) dz[k] = Math.max(-delta, Math.min(delta, d));
        }
      }
      rowLoss[r] = l;
    }
    if (dz) activationBackward(act, z, a, dz, rows, units);
    return;
  }
  if (loss === 'mse') {
    for (let r = 0; r < rows; r++) {
      let l = 0;
      for (let j = 0; j < units; j++) {
        const k = r * units + j;
        const d = a[k] - y[yOffset + k];
        l += d * d;
        if (dz) dz[k] = 2 * d;
      }
      rowLoss[r] = l;
    }
    if (dz) activationBackward(act, z, a, dz, rows, units);
    return;
  }
  if (loss === 'binary-crossentropy') {
    if (act === 'sigmoid') {
      for (let r = 0; r < rows; r++) {
        let l = 0;
        for (let j = 0; j < units; j++) {
          const k = r * units + j;
          const zk = z[k];
          const yk = y[yOffset + k];
          l += Math.max(zk, 0) - zk * yk + Math.log1p(Math.exp(-Math.abs(zk)));
          if (dz) dz[k] = a[k] - yk;
        }
        rowLoss[r] = l;
      }
      return;
    }
    for (let r = 0; r < rows; r++) {
      let l = 0;
      for (let j = 0; j < units; j++) {
        const k = r * units + j;
        const p = a[k];
        const yk = y[yOffset + k];
        const pc = Math.min(Math.max(p, CLIP_LOW), CLIP_HIGH);
        l -= yk * Math.log(pc) + (1 - yk) * Math.log(1 - pc);
        if (dz) dz[k] = p >= CLIP_LOW && p <= CLIP_HIGH ? (1 - yk) / (1 - pc) - yk / pc : 0;
      }
      rowLoss[r] = l;
    }
    if (dz) activationBackward(act, z, a, dz, rows, units);
    return;
  }
  if (loss !== 'softmax-crossentropy') throw new Error(`js64 engine: no ${String(loss)} loss`);
  if (act === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const o = r * units;
      let m = -Infinity;
      for (let j = 0; j < units; j++) m = Math.max(m, z[o + j]);
      let s = 0;
      for (let j = 0; j < units; j++) s += Math.exp(z[o + j] - m);
      const lse = m + Math.log(s);
      let l = 0;
      let ysum = 0;
      for (let j = 0; j < units; j++) {
        const yk = y[yOffset + o + j];
        l -= yk * (z[o + j] - lse);
        ysum += yk;
      }
      rowLoss[r] = l;
      if (dz) for (let j = 0; j < units; j++) dz[o + j] = a[o + j] * ysum - y[yOffset + o + j];
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    let l = 0;
    for (let j = 0; j < units; j++) {
      const k = r * units + j;
      const p = a[k];
      const yk = y[yOffset + k];
      const pc = Math.min(Math.max(p, CLIP_LOW), 1);
      l -= yk * Math.log(pc);
      if (dz) dz[k] = p >= CLIP_LOW && p <= 1 ? -yk / pc : 0;
    }
    rowLoss[r] = l;
  }
  if (dz && n > 0) activationBackward(act, z, a, dz, rows, units);
}

/** act'(z) of an elementwise activation, given z and a = act(z) (softmax is not elementwise). */
export function activationSlope(act: Activation, z: number, a: number): number {
  switch (act) {
    case 'linear':
      return 1;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leakyRelu':
      return z > 0 ? 1 : LEAKY_RELU_ALPHA;
    case 'elu':
      return z > 0 ? 1 : Math.exp(z);
    case 'selu':
      return z > 0 ? SELU_GAMMA : SELU_GAMMA * SELU_ALPHA * Math.exp(z);
    case 'tanh':
      return 1 - a * a;
    case 'sigmoid':
      return a * (1 - a);
    case 'softplus':
      return sigmoid(z);
    case 'gelu':
      return normalCdf(z) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    case 'softmax':
      throw new Error('softmax is not elementwise');
  }
}
