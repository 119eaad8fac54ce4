/** Keras model configs for a Dense stack, in the exact JSON shapes Keras writes (see test/fixtures/keras/README.md). */
import type { DenseWeights } from '../model/spec';
import { kerasActivationName } from '../model/activationNames';
import type { PyJson } from './pythonJson';
import { LEAKY_RELU_ALPHA, leakyReluLayerName } from '../model/tfModel';

/** The version whose legacy HDF5 layout we reproduce (tf.keras 2.12, h5py 3). */
export const LEGACY_KERAS_VERSION = '2.12.0';
/** The Keras 3 version whose `.keras` layout we reproduce (with `vars/@name`, Keras ≥ 3.6). */
export const KERAS3_VERSION = '3.14.1';
export const MODEL_NAME = 'sequential';

/** tf.keras 2.12 `model_config` for `model.save('x.h5')`. LeakyReLU is a separate layer so Keras 2 can load it too. */
export function legacyModelConfig(layers: readonly DenseWeights[], inputDim: number): { config: PyJson; layerNames: string[] } {
  const inputName = `${layers[0].name}_input`;
  const out: PyJson[] = [
    {
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, inputDim], dtype: 'float32', sparse: false, ragged: false, name: inputName },
    },
  ];
  const layerNames: string[] = [];
  layers.forEach((l, i) => {
    const leaky = l.activation === 'leakyRelu';
    out.push({
      class_name: 'Dense',
      config: {
        name: l.name,
        trainable: true,
        dtype: 'float32',
        ...(i === 0 ? { batch_input_shape: [null, inputDim] } : {}),
        units: l.units,
        activation: leaky ? 'linear' : kerasActivationName(l.activation),
        use_bias: l.bias !== null,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
        bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
      },
    });
    layerNames.push(l.name);
    if (leaky) {
      const name = leakyReluLayerName(l.name);
      out.push({ class_name: 'LeakyReLU', config: { name, trainable: true, dtype: 'float32', alpha: LEAKY_RELU_ALPHA } });
      layerNames.push(name);
    }
  });
  return { config: { class_name: 'Sequential', config: { name: MODEL_NAME, layers: out } }, layerNames };
}

const float32Policy: PyJson = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null,
};

function initializer(className: string, config: { [k: string]: PyJson }): PyJson {
  return { module: 'keras.initializers', class_name: className, config, registered_name: null };
}

/** Keras 3 `config.json` of a Sequential of Dense layers (Keras 3's leaky_relu slope defaults to 0.2, as tfjs). */
export function keras3ModelConfig(layers: readonly DenseWeights[], inputDim: number): PyJson {
  const layerConfigs: PyJson[] = [
    {
      module: 'keras.layers',
      class_name: 'InputLayer',
      config: {
        batch_shape: [null, inputDim],
        dtype: 'float32',
        sparse: false,
        ragged: false,
        name: 'input_layer',
        optional: false,
      },
      registered_name: null,
    },
    ...layers.map(
      (l): PyJson => ({
        module: 'keras.layers',
        class_name: 'Dense',
        config: {
          name: l.name,
          trainable: true,
          dtype: float32Policy,
          units: l.units,
          activation: kerasActivationName(l.activation),
          use_bias: l.bias !== null,
          kernel_initializer: initializer('GlorotUniform', { seed: null }),
          bias_initializer: initializer('Zeros', {}),
          kernel_regularizer: null,
          bias_regularizer: null,
          kernel_constraint: null,
          bias_constraint: null,
        },
        registered_name: null,
        build_config: { input_shape: [null, l.fanIn] },
      }),
    ),
  ];
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: MODEL_NAME,
      trainable: true,
      dtype: float32Policy,
      layers: layerConfigs,
      build_input_shape: [null, inputDim],
    },
    registered_name: null,
    build_config: { input_shape: [null, inputDim] },
    compile_config: {},
  };
}
