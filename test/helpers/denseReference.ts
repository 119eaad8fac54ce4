/**
 * A float64 reference for a dense stack's loss and gradient, written with plain loops and nothing
 * shared with the engines: the yardstick every engine is held to (test/unit/engine/engines.test.ts).
 */
import { LEAKY_RELU_ALPHA, type Activation, type DenseStack, type Loss } from '../../app/engine/engine';

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
// The probability clip bounds as the engines hold them: float32 (1 − 1e-7 is 0.99999988 in float32).
const LO = Math.fround(1e-7);
const HI = Math.fround(1 - 1e-7);

/** erf in float64: Taylor series (|x| < 4, ~1e-12), ±1 beyond (erfc(4) ≈ 1.5e-8 is irrelevant at that z). */
export function erf64(x: number): number {
  if (x >= 4) return 1;
  if (x <= -4) return -1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function actRow(z: Float64Array, act: Activation): Float64Array {
  const a = new Float64Array(z.length);
  if (act === 'softmax') {
    const m = Math.max(...z);
    let s = 0;
    for (let k = 0; k < z.length; k++) s += (a[k] = Math.exp(z[k] - m));
    for (let k = 0; k < z.length; k++) a[k] /= s;
    return a;
  }
  for (let k = 0; k < z.length; k++) {
    const v = z[k];
    switch (act) {
      case 'linear': a[k] = v; break;
      case 'relu': a[k] = v > 0 ? v : 0; break;
      case 'leakyRelu': a[k] = v > 0 ? v : LEAKY_RELU_ALPHA * v; break;
      case 'elu': a[k] = v > 0 ? v : Math.expm1(v); break;
      case 'selu': a[k] = SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)); break;
      case 'tanh': a[k] = Math.tanh(v); break;
      case 'sigmoid': a[k] = sigmoid(v); break;
      case 'softplus': a[k] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); break;
      case 'gelu': a[k] = 0.5 * v * (1 + erf64(v / Math.SQRT2)); break;
    }
  }
  return a;
}

/** dL/dz from dL/da for one row. */
function actBackRow(z: Float64Array, a: Float64Array, da: Float64Array, act: Activation): Float64Array {
  const dz = new Float64Array(z.length);
  if (act === 'softmax') {
    let dot = 0;
    for (let k = 0; k < z.length; k++) dot += da[k] * a[k];
    for (let k = 0; k < z.length; k++) dz[k] = a[k] * (da[k] - dot);
    return dz;
  }
  for (let k = 0; k < z.length; k++) {
    const v = z[k];
    let d: number;
    switch (act) {
      case 'linear': d = 1; break;
      case 'relu': d = v > 0 ? 1 : 0; break;
      case 'leakyRelu': d = v > 0 ? 1 : LEAKY_RELU_ALPHA; break;
      case 'elu': d = v > 0 ? 1 : Math.exp(v); break;
      case 'selu': d = v > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(v); break;
      case 'tanh': d = 1 - a[k] * a[k]; break;
      case 'sigmoid': d = a[k] * (1 - a[k]); break;
      case 'softplus': d = sigmoid(v); break;
      case 'gelu': d = 0.5 * (1 + erf64(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI); break;
      default: d = NaN;
    }
    dz[k] = da[k] * d;
  }
  return dz;
}

/** Loss of one row (summed over outputs) and dLoss/dz_out of that row, before averaging. */
function lossRow(z: Float64Array, y: Float64Array, loss: Loss, act: Activation): { l: number; dz: Float64Array } {
  const K = z.length;
  if (loss === 'binary-crossentropy' && act === 'sigmoid') {
    let l = 0;
    const dz = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      l += Math.max(z[k], 0) - z[k] * y[k] + Math.log1p(Math.exp(-Math.abs(z[k])));
      dz[k] = sigmoid(z[k]) - y[k];
    }
    return { l, dz };
  }
  if (loss === 'softmax-crossentropy' && act === 'softmax') {
    const m = Math.max(...z);
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(z[k] - m);
    const lse = m + Math.log(s);
    let l = 0;
    let ysum = 0;
    for (let k = 0; k < K; k++) {
      l -= y[k] * (z[k] - lse);
      ysum += y[k];
    }
    const dz = new Float64Array(K);
    for (let k = 0; k < K; k++) dz[k] = Math.exp(z[k] - lse) * ysum - y[k];
    return { l, dz };
  }
  const a = actRow(z, act);
  const da = new Float64Array(K);
  let l = 0;
  for (let k = 0; k < K; k++) {
    if (loss === 'mse') {
      l += (a[k] - y[k]) ** 2;
      da[k] = 2 * (a[k] - y[k]);
    } else if (loss === 'binary-crossentropy') {
      const inside = a[k] >= LO && a[k] <= HI;
      const p = Math.min(Math.max(a[k], LO), HI);
      l -= y[k] * Math.log(p) + (1 - y[k]) * Math.log(1 - p);
      da[k] = inside ? -(y[k] / p) + (1 - y[k]) / (1 - p) : 0;
    } else {
      const inside = a[k] >= LO && a[k] <= 1;
      const p = Math.min(Math.max(a[k], LO), 1);
      l -= y[k] * Math.log(p);
      da[k] = inside ? -y[k] / p : 0;
    }
  }
  return { l, dz: actBackRow(z, a, da, act) };
}

/** Mean data loss and its gradient at θ, in float64, on rows × inputDim inputs x and targets y. */
export function referenceLossAndGradient(stack: DenseStack, theta: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, rows: number): { f: number; g: Float64Array } {
  const L = stack.layers.length;
  const K = stack.layers[L - 1].units;
  // Mean over rows (softmax CE) or over every output (mse, binary CE): the engines' (and Keras') convention.
  const scale = stack.loss === 'softmax-crossentropy' ? 1 / rows : 1 / (rows * K);
  const g = new Float64Array(stack.parameterCount);
  let f = 0;
  for (let r = 0; r < rows; r++) {
    const inputs: Float64Array[] = [];
    const zs: Float64Array[] = [];
    const as: Float64Array[] = [];
    let h: Float64Array = Float64Array.from({ length: stack.inputDim }, (_, i) => x[r * stack.inputDim + i]);
    stack.layers.forEach((l, li) => {
      const z = new Float64Array(l.units);
      for (let j = 0; j < l.units; j++) {
        let s = l.biasOffset >= 0 ? theta[l.biasOffset + j] : 0;
        for (let i = 0; i < l.fanIn; i++) s += h[i] * theta[l.kernelOffset + i * l.units + j];
        z[j] = s;
      }
      inputs.push(h);
      zs.push(z);
      const a = li === L - 1 ? z : actRow(z, l.activation);
      as.push(a);
      h = a;
    });
    const yr = Float64Array.from({ length: K }, (_, k) => y[r * K + k]);
    const { l, dz } = lossRow(zs[L - 1], yr, stack.loss, stack.layers[L - 1].activation);
    f += l * scale;
    let delta: Float64Array = dz.map((v) => v * scale);
    for (let li = L - 1; li >= 0; li--) {
      const lay = stack.layers[li];
      const inp = inputs[li];
      for (let i = 0; i < lay.fanIn; i++) for (let j = 0; j < lay.units; j++) g[lay.kernelOffset + i * lay.units + j] += inp[i] * delta[j];
      if (lay.biasOffset >= 0) for (let j = 0; j < lay.units; j++) g[lay.biasOffset + j] += delta[j];
      if (li === 0) break;
      const dh = new Float64Array(lay.fanIn);
      for (let i = 0; i < lay.fanIn; i++) {
        let s = 0;
        for (let j = 0; j < lay.units; j++) s += delta[j] * theta[lay.kernelOffset + i * lay.units + j];
        dh[i] = s;
      }
      const prev = stack.layers[li - 1];
      delta = actBackRow(zs[li - 1], as[li - 1], dh, prev.activation);
    }
  }
  return { f, g };
}

/** A DenseStack with Keras' layout (kernel then bias, layer after layer). */
export function denseStack(inputDim: number, layers: { units: number; activation: Activation; bias?: boolean; dropout?: number }[], loss: Loss): DenseStack {
  let offset = 0;
  let fanIn = inputDim;
  const out = layers.map((l) => {
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
