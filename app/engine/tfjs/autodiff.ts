/**
 * The original tfjs path: the loss written with tfjs ops, its gradient by tf.valueAndGrad.
 * Correct on every backend, but the gradient of matMul uses transposed BatchMatMul and tanh uses
 * the Tanh kernel — both scalar loops on the WebAssembly backend. Kept as `path: 'autodiff'` so the
 * bench measures the fast path against it in the same run, and as a second opinion in tests.
 */
import * as tf from '@tensorflow/tfjs';
import { LEAKY_RELU_ALPHA, type Activation, type DenseStack, type Loss } from '../engine';

export function applyActivation(z: tf.Tensor2D, a: Activation): tf.Tensor2D {
  switch (a) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'leakyRelu':
      return tf.leakyRelu(z, LEAKY_RELU_ALPHA);
    case 'elu':
      return tf.elu(z);
    case 'selu':
      return tf.selu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'softplus':
      return tf.softplus(z);
    case 'softmax':
      return tf.softmax(z);
    case 'gelu': // exact form, as tfjs-layers' 'gelu' and Keras (approximate=False)
      return tf.mul(z, tf.mul(0.5, tf.add(1, tf.erf(tf.div(z, Math.SQRT2))))) as tf.Tensor2D;
  }
}

/** Keras' backend epsilon, for losses on probabilities. */
export const PROBABILITY_EPS = 1e-7;

/** Sample weights (rows × 1, mean 1) and the huber δ a loss may use. */
export interface LossOptions {
  w?: tf.Tensor2D | null;
  huberDelta?: number;
}

/** Huber per element: ½q² + δ(|d| − q), q = min(|d|, δ). */
export function huberTerms(d: tf.Tensor, delta: number): tf.Tensor {
  const ad = tf.abs(d);
  const q = tf.minimum(ad, delta);
  return tf.add(tf.mul(tf.square(q), 0.5), tf.mul(tf.sub(ad, q), delta));
}

/** Mean loss of the output layer's pre-activation z against targets y. Uses logits when it can. */
export function lossFromLogits(z: tf.Tensor2D, y: tf.Tensor2D, loss: Loss, outAct: Activation, options: LossOptions = {}): tf.Scalar {
  const EPS = PROBABILITY_EPS;
  const w = options.w ?? null;
  // A weighted mean: weights of mean 1 times each row's terms.
  const mean = (t: tf.Tensor): tf.Scalar => tf.mean(w ? tf.mul(t, w) : t) as tf.Scalar;
  if (loss === 'mse') return mean(tf.squaredDifference(applyActivation(z, outAct), y));
  if (loss === 'mae') return mean(tf.abs(tf.sub(applyActivation(z, outAct), y)));
  if (loss === 'huber') return mean(huberTerms(tf.sub(applyActivation(z, outAct), y), options.huberDelta ?? 1));
  if (loss === 'binary-crossentropy') {
    if (outAct === 'sigmoid') {
      // max(z,0) − z·y + log(1 + e^−|z|): stable for any z.
      return mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))));
    }
    const p = tf.clipByValue(applyActivation(z, outAct), EPS, 1 - EPS);
    return tf.neg(mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
  }
  if (outAct === 'softmax') return tf.neg(mean(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1, true))) as tf.Scalar;
  const p = tf.clipByValue(applyActivation(z, outAct), EPS, 1);
  return tf.neg(mean(tf.sum(tf.mul(y, tf.log(p)), 1, true))) as tf.Scalar;
}

/**
 * The last layer's pre-activation for inputs x under the flat parameters θ. With `dropoutSeed`,
 * hidden layers that ask for it apply inverted dropout with seed dropoutSeed + layer index.
 */
export function logits(stack: DenseStack, theta: tf.Tensor1D, x: tf.Tensor2D, dropoutSeed?: number): tf.Tensor2D {
  let h = x;
  stack.layers.forEach((l, i) => {
    const W = tf.reshape(tf.slice(theta, l.kernelOffset, l.fanIn * l.units), [l.fanIn, l.units]) as tf.Tensor2D;
    let z: tf.Tensor2D = tf.matMul(h, W);
    if (l.biasOffset >= 0) z = tf.add(z, tf.slice(theta, l.biasOffset, l.units)) as tf.Tensor2D;
    if (i === stack.layers.length - 1) {
      h = z;
      return;
    }
    h = applyActivation(z, l.activation);
    if (dropoutSeed !== undefined && l.dropout > 0) h = tf.dropout(h, l.dropout, undefined, dropoutSeed + i) as tf.Tensor2D;
  });
  return h;
}

/** [f, ∇f…] as one 1-D tensor, by autodiff. Call inside tf.tidy. */
export function autodiffValueAndGradient(
  stack: DenseStack,
  theta: tf.Tensor1D,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  dropoutSeed?: number,
  w?: tf.Tensor2D | null,
): tf.Tensor1D {
  const outAct = stack.layers[stack.layers.length - 1].activation;
  const options = { w, huberDelta: stack.huberDelta };
  const vg = tf.valueAndGrad((t: tf.Tensor) => lossFromLogits(logits(stack, t as tf.Tensor1D, x, dropoutSeed), y, stack.loss, outAct, options));
  const { value, grad } = vg(theta);
  return tf.concat([tf.reshape(value, [1]), grad as tf.Tensor1D]);
}
