/**
 * The one table of activation names: ours (tfjs spelling), the name Keras files use, and the
 * tfjs-layers activation identifier (none for leakyRelu, which tfjs and Keras write as a separate
 * LeakyReLU layer after a linear Dense).
 */
import type { Activation } from './spec';

type TfjsActivation = 'linear' | 'relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'softplus' | 'softmax' | 'gelu';

const NAMES: Record<Activation, { keras: string; tfjs: TfjsActivation | null }> = {
  linear: { keras: 'linear', tfjs: 'linear' },
  relu: { keras: 'relu', tfjs: 'relu' },
  leakyRelu: { keras: 'leaky_relu', tfjs: null },
  elu: { keras: 'elu', tfjs: 'elu' },
  selu: { keras: 'selu', tfjs: 'selu' },
  tanh: { keras: 'tanh', tfjs: 'tanh' },
  sigmoid: { keras: 'sigmoid', tfjs: 'sigmoid' },
  softplus: { keras: 'softplus', tfjs: 'softplus' },
  softmax: { keras: 'softmax', tfjs: 'softmax' },
  // tfjs-layers 'gelu' is the exact erf form (not the tanh approximation, which is 'gelu_new').
  gelu: { keras: 'gelu', tfjs: 'gelu' },
};

export function kerasActivationName(a: Activation): string {
  return NAMES[a].keras;
}

/** The Dense layer's own tfjs activation: linear for leakyRelu, whose LeakyReLU layer follows it. */
export function tfjsDenseActivation(a: Activation): TfjsActivation {
  return NAMES[a].tfjs ?? 'linear';
}

/** Reverse mapping for reading files back; accepts both spellings. Unknown names give undefined. */
export function activationFromName(name: string): Activation | undefined {
  for (const [ours, names] of Object.entries(NAMES) as [Activation, (typeof NAMES)[Activation]][]) {
    if (name === ours || name === names.keras) return ours;
  }
  if (name === 'leakyReLU' || name === 'LeakyReLU') return 'leakyRelu';
  return undefined;
}
