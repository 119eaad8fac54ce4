/**
 * The fast tfjs path: forward and a hand-written backward for the dense stack, in plain tfjs ops.
 *
 * Why hand-written rather than re-registered kernels: tf.valueAndGrad's matMul gradient asks for
 * BatchMatMul with transposeA/transposeB, which the WebAssembly backend runs as a scalar loop (far
 * slower than XNNPACK's plain matMul; bench/README.md), and its Tanh is a scalar loop too.
 * Re-registering those kernels would patch tfjs globally for every user of the process (exports,
 * other code) and depend on backend internals; writing the backward here keeps the change local, lets
 * us cache Xᵀ for the first layer, and works on every backend. So: explicit transposes followed by
 * plain matMul, tanh(z) = 2σ(2z) − 1 where Tanh is slow, and tf.fused.matMul (matmul + bias +
 * activation in one kernel) for the activations whose derivative is a function of the output.
 */
import * as tf from '@tensorflow/tfjs';
import { LEAKY_RELU_ALPHA, type Activation, type DenseStack } from '../engine';
import { PROBABILITY_EPS, applyActivation, huberTerms } from './autodiff';

// tfjs-core's (and Keras') SELU constants.
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;
const INV_SQRT_2PI = 0.3989422804014327;

/** Shapes are checked at upload; tfjs' rank generics would only add casts here. */
type T = tf.Tensor;

export interface FastOptions {
  /** Compute tanh as 2σ(2z) − 1 (where the backend's Tanh kernel is slow, i.e. WebAssembly). */
  tanhViaSigmoid: boolean;
}

type Fusable = 'relu' | 'elu' | 'sigmoid' | 'leakyrelu';
/** Activations tf.fused.matMul applies in the same kernel, and whose derivative needs only a = act(z). */
const FUSED: Partial<Record<Activation, Fusable>> = { relu: 'relu', elu: 'elu', sigmoid: 'sigmoid', leakyRelu: 'leakyrelu' };

/** Layer tensors for one θ: W (fanIn × units) and b (or null). */
export interface LayerParams {
  W: tf.Tensor2D;
  b: tf.Tensor1D | null;
}

interface Saved {
  /** The layer's input (rows × fanIn). */
  input: T;
  /** Pre-activation, kept only where the derivative needs it (softplus, gelu). */
  z: T | null;
  /** act(z), before dropout. */
  a: T;
  /** Inverted-dropout multiplier applied after the activation, or null. */
  mask: T | null;
}

function activate(z: T, act: Activation, opts: FastOptions): T {
  // The one difference from the autodiff path's activations: tanh as 2σ(2z) − 1 where Tanh is slow.
  if (act === 'tanh' && opts.tanhViaSigmoid) return tf.sub(tf.mul(tf.sigmoid(tf.mul(z, 2)), 2), 1);
  return applyActivation(z as tf.Tensor2D, act);
}

/** dL/dz from dL/da, given a = act(z) (and z where needed). */
function activationBackward(da: T, act: Activation, a: T, z: T | null): T {
  switch (act) {
    case 'linear':
      return da;
    case 'relu':
      return tf.mul(da, tf.step(a));
    case 'leakyRelu':
      return tf.mul(da, tf.step(a, LEAKY_RELU_ALPHA));
    case 'elu': // a > 0: 1; else e^z = a + 1 ≤ 1
      return tf.mul(da, tf.minimum(tf.add(a, 1), 1));
    case 'selu':
      return tf.mul(da, tf.where(tf.greater(a, 0), tf.fill(a.shape, SELU_SCALE), tf.add(a, SELU_SCALE_ALPHA)));
    case 'tanh':
      return tf.mul(da, tf.sub(1, tf.square(a)));
    case 'sigmoid':
      return tf.mul(da, tf.mul(a, tf.sub(1, a)));
    case 'softplus':
      return tf.mul(da, tf.sigmoid(z!));
    case 'softmax': // J·da = a ⊙ (da − Σ da⊙a)
      return tf.mul(a, tf.sub(da, tf.sum(tf.mul(da, a), 1, true)));
    case 'gelu': {
      const zz = z!;
      const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(zz, Math.SQRT1_2))));
      const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(tf.square(zz), -0.5)));
      return tf.mul(da, tf.add(cdf, tf.mul(zz, pdf)));
    }
  }
}

/** tf.dropout's multiplier, drawn exactly as tf.dropout draws it, so both paths share masks. */
function dropoutMask(shape: [number, number], rate: number, seed: number): T {
  const keep = 1 - rate;
  return tf.div(tf.floor(tf.add(tf.randomUniform(shape, 0, 1, 'float32', seed), keep)), keep);
}

function needsZ(act: Activation): boolean {
  return act === 'softplus' || act === 'gelu';
}

/** Hidden layers (saved for the backward) and the output pre-activation. */
function forward(stack: DenseStack, params: LayerParams[], x: T, opts: FastOptions, dropoutSeed?: number): { saved: Saved[]; z: T } {
  const saved: Saved[] = [];
  let h = x;
  const last = stack.layers.length - 1;
  for (let i = 0; i < last; i++) {
    const l = stack.layers[i];
    const { W, b } = params[i];
    const fused = FUSED[l.activation];
    let z: T | null = null;
    let a: T;
    if (fused) {
      a = tf.fused.matMul({ a: h, b: W, bias: b ?? undefined, activation: fused, leakyreluAlpha: LEAKY_RELU_ALPHA });
    } else if (l.activation === 'tanh' && opts.tanhViaSigmoid) {
      // 2σ(2z) − 1 with the doubling moved onto W and b (exact in floating point): the sigmoid runs
      // fused in the matmul kernel, and two passes over the rows × units activations disappear.
      const s = tf.fused.matMul({ a: h, b: tf.mul(W, 2), bias: b ? tf.mul(b, 2) : undefined, activation: 'sigmoid' });
      a = tf.sub(tf.mul(s, 2), 1);
    } else {
      const pre = b ? tf.fused.matMul({ a: h, b: W, bias: b }) : tf.matMul(h, W);
      a = activate(pre, l.activation, opts);
      if (needsZ(l.activation)) z = pre;
    }
    const mask = dropoutSeed !== undefined && l.dropout > 0 ? dropoutMask([a.shape[0], a.shape[1]] as [number, number], l.dropout, dropoutSeed + i) : null;
    saved.push({ input: h, z, a, mask });
    h = mask ? tf.mul(a, mask) : a;
  }
  const { W, b } = params[last];
  const z = b ? tf.fused.matMul({ a: h, b: W, bias: b }) : tf.matMul(h, W);
  saved.push({ input: h, z: null, a: z, mask: null });
  return { saved, z };
}

/**
 * Mean loss and dL/dz of the output layer; see engine.ts for each loss' definition. With sample
 * weights w (rows × 1, mean 1), every row's terms and its dz are multiplied by its weight.
 */
function lossAndOutputGradient(stack: DenseStack, z: T, y: T, opts: FastOptions, w?: T | null): { loss: tf.Scalar; dz: T } {
  if (!w) return unweightedLossAndOutputGradient(stack, z, y, opts);
  // dz is linear in each row's own loss, so it takes the row's weight as a factor.
  const { loss, dz } = unweightedLossAndOutputGradient(stack, z, y, opts, w);
  return { loss, dz: tf.mul(dz, w) };
}

function unweightedLossAndOutputGradient(stack: DenseStack, z: T, y: T, opts: FastOptions, w?: T): { loss: tf.Scalar; dz: T } {
  const act = stack.layers[stack.layers.length - 1].activation;
  // tf.mean / tf.sum of per-element terms, each row's terms weighted when w is given.
  const wt = (t: T): T => (w ? tf.mul(t, w) : t);
  const [n, k] = z.shape;
  const nk = n * k;
  if (stack.loss === 'binary-crossentropy' && act === 'sigmoid') {
    const loss = tf.mean(wt(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))))) as tf.Scalar;
    return { loss, dz: tf.div(tf.sub(tf.sigmoid(z), y), nk) };
  }
  if (stack.loss === 'softmax-crossentropy' && act === 'softmax') {
    const logp = tf.logSoftmax(z);
    const loss = tf.neg(tf.div(tf.sum(wt(tf.mul(y, logp))), n)) as tf.Scalar;
    return { loss, dz: tf.div(tf.sub(tf.mul(tf.exp(logp), tf.sum(y, 1, true)), y), n) };
  }
  const a = activate(z, act, opts);
  let da: T;
  let loss: tf.Scalar;
  if (stack.loss === 'mse') {
    const diff = tf.sub(a, y);
    loss = tf.mean(wt(tf.square(diff))) as tf.Scalar;
    da = tf.mul(diff, 2 / nk);
  } else if (stack.loss === 'mae') {
    const diff = tf.sub(a, y);
    loss = tf.mean(wt(tf.abs(diff))) as tf.Scalar;
    da = tf.mul(tf.sign(diff), 1 / nk);
  } else if (stack.loss === 'huber') {
    const delta = stack.huberDelta ?? 1;
    const diff = tf.sub(a, y);
    loss = tf.mean(wt(huberTerms(diff, delta))) as tf.Scalar;
    da = tf.mul(tf.clipByValue(diff, -delta, delta), 1 / nk);
  } else if (stack.loss === 'binary-crossentropy') {
    const p = tf.clipByValue(a, PROBABILITY_EPS, 1 - PROBABILITY_EPS);
    const q = tf.sub(1, p);
    loss = tf.neg(tf.mean(wt(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(q)))))) as tf.Scalar;
    // clipByValue passes the gradient where a lies inside the clip range (bounds included), as tfjs does.
    const inside = tf.logicalAnd(tf.greaterEqual(a, PROBABILITY_EPS), tf.lessEqual(a, 1 - PROBABILITY_EPS));
    const dp = tf.mul(tf.sub(tf.div(tf.sub(1, y), q), tf.div(y, p)), 1 / nk);
    da = tf.where(inside, dp, tf.zerosLike(dp));
  } else {
    const p = tf.clipByValue(a, PROBABILITY_EPS, 1);
    loss = tf.neg(tf.div(tf.sum(wt(tf.mul(y, tf.log(p)))), n)) as tf.Scalar;
    const inside = tf.logicalAnd(tf.greaterEqual(a, PROBABILITY_EPS), tf.lessEqual(a, 1));
    const dp = tf.mul(tf.div(y, p), -1 / n);
    da = tf.where(inside, dp, tf.zerosLike(dp));
  }
  return { loss, dz: activationBackward(da, act, a, needsZ(act) ? z : null) };
}

/**
 * [f, then each layer's ∂W (row-major) and ∂b, in layer order] as one 1-D tensor. Call inside
 * tf.tidy. `xT` is the input's transpose when the caller has it cached (full-batch evaluations).
 */
export function fastValueAndGradient(
  stack: DenseStack,
  params: LayerParams[],
  x: T,
  y: T,
  opts: FastOptions,
  xT?: T,
  dropoutSeed?: number,
  w?: T | null,
): tf.Tensor1D {
  const { saved, z } = forward(stack, params, x, opts, dropoutSeed);
  const { loss, dz } = lossAndOutputGradient(stack, z, y, opts, w);
  const parts: tf.Tensor[] = [];
  let delta = dz;
  for (let i = stack.layers.length - 1; i >= 0; i--) {
    const s = saved[i];
    const inputT = i === 0 && xT ? xT : tf.transpose(s.input);
    const dW = tf.matMul(inputT, delta);
    const grads: tf.Tensor[] = [tf.reshape(dW, [-1])];
    if (params[i].b) grads.push(tf.sum(delta, 0));
    parts.unshift(...grads);
    if (i === 0) break;
    let dh = tf.matMul(delta, tf.transpose(params[i].W));
    const prev = saved[i - 1];
    if (prev.mask) dh = tf.mul(dh, prev.mask);
    delta = activationBackward(dh, stack.layers[i - 1].activation, prev.a, prev.z);
  }
  return tf.concat([tf.reshape(loss, [1]), ...parts]) as tf.Tensor1D;
}

/** Mean loss and the outputs after the output activation, as [loss, outputs…] (no dropout). */
export function fastPredict(stack: DenseStack, params: LayerParams[], x: T, y: T, opts: FastOptions, w?: T | null): tf.Tensor1D {
  const { z } = forward(stack, params, x, opts);
  const act = stack.layers[stack.layers.length - 1].activation;
  const { loss } = lossOnly(stack, z, y, opts, w);
  return tf.concat([tf.reshape(loss, [1]), tf.reshape(activate(z, act, opts), [-1])]) as tf.Tensor1D;
}

function lossOnly(stack: DenseStack, z: T, y: T, opts: FastOptions, w?: T | null): { loss: tf.Scalar } {
  // The gradient ops are cheap next to the matmuls they skip; reuse one definition of each loss.
  return { loss: lossAndOutputGradient(stack, z, y, opts, w).loss };
}
