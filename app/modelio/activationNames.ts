/** Our activation names (tfjs spelling) -> the names Keras and its loaders use. */
import type { Activation } from '../model/spec';

const KERAS_ACTIVATION: Record<Activation, string> = {
  linear: 'linear',
  relu: 'relu',
  leakyRelu: 'leaky_relu',
  elu: 'elu',
  selu: 'selu',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  softplus: 'softplus',
  softmax: 'softmax',
  gelu: 'gelu',
};

export function kerasActivationName(a: Activation): string {
  return KERAS_ACTIVATION[a];
}

/** Reverse mapping for reading files back; accepts both spellings. Unknown names give undefined. */
export function activationFromName(name: string): Activation | undefined {
  for (const [ours, keras] of Object.entries(KERAS_ACTIVATION) as [Activation, string][]) {
    if (name === ours || name === keras) return ours;
  }
  if (name === 'leakyReLU' || name === 'LeakyReLU') return 'leakyRelu';
  return undefined;
}
