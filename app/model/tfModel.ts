/**
 * Trained Dense weights -> a tfjs `tf.Sequential` that computes exactly what training computed.
 * Exports serialise this model (TF.js) and tests use it as the reference forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation, DenseWeights } from './spec';

import { LEAKY_RELU_ALPHA } from '../engine/engine';
import { tfjsDenseActivation } from './activationNames';

export { LEAKY_RELU_ALPHA };

/** Throws unless each layer's shapes chain from inputDim and its arrays have the declared lengths. */
export function checkLayerShapes(layers: readonly DenseWeights[], inputDim: number): void {
  if (layers.length === 0) throw new Error('model has no layers');
  let fanIn = inputDim;
  const seen = new Set<string>();
  layers.forEach((l, i) => {
    const where = `layer ${i} ("${l.name}")`;
    if (seen.has(l.name)) throw new Error(`${where}: duplicate layer name`);
    seen.add(l.name);
    if (l.fanIn !== fanIn) throw new Error(`${where}: fanIn ${l.fanIn} but the previous layer gives ${fanIn}`);
    if (l.kernel.length !== l.fanIn * l.units)
      throw new Error(`${where}: kernel has ${l.kernel.length} values, expected ${l.fanIn}×${l.units}`);
    if (l.bias && l.bias.length !== l.units)
      throw new Error(`${where}: bias has ${l.bias.length} values, expected ${l.units}`);
    fanIn = l.units;
  });
}

/** Name of the extra LeakyReLU layer tfjs needs after a Dense layer named `denseName`. */
export function leakyReluLayerName(denseName: string): string {
  return `${denseName}_leaky_re_lu`;
}

/** A tf.Sequential holding exactly these weights (kernel [fanIn][units] row-major, as Keras). */
export function buildLayersModel(layers: readonly DenseWeights[], inputDim: number): tf.Sequential {
  checkLayerShapes(layers, inputDim);
  const model = tf.sequential({ name: 'sequential' });
  layers.forEach((l, i) => {
    const dense = tf.layers.dense({
      name: l.name,
      units: l.units,
      useBias: l.bias !== null,
      activation: tfjsDenseActivation(l.activation),
      ...(i === 0 ? { inputShape: [inputDim] } : {}),
    });
    model.add(dense);
    const values: tf.Tensor[] = [tf.tensor2d(l.kernel, [l.fanIn, l.units], 'float32')];
    if (l.bias) values.push(tf.tensor1d(l.bias, 'float32'));
    dense.setWeights(values);
    tf.dispose(values);
    if (l.activation === 'leakyRelu') {
      model.add(tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name: leakyReluLayerName(l.name) }));
    }
  });
  return model;
}

/** Runs the model on a row-major [rows][inputDim] matrix and returns row-major outputs. */
export function predictRows(model: tf.LayersModel, x: Float32Array, rows: number, inputDim: number): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor2d(x, [rows, inputDim])) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}
