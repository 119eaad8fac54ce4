/** Resolves a model spec against the data: names, shapes, parameter offsets, loss. */
import { ConfigError } from '../util/configError';
import type { Task } from '../data/types';
import type { Activation, LayerSpec, Loss, ModelSpec } from './spec';

export interface ResolvedLayer {
  name: string;
  fanIn: number;
  units: number;
  activation: Activation;
  useBias: boolean;
  /** Training-time dropout rate after this layer's activation (0 = none). */
  dropout: number;
  /** Offset of the kernel (fanIn × units, row-major) in the flat parameter vector. */
  kernelOffset: number;
  /** Offset of the bias, or -1 without bias. */
  biasOffset: number;
}

export interface ResolvedModel {
  inputDim: number;
  layers: ResolvedLayer[];
  loss: Loss;
  /** δ of the huber loss (engine units). */
  huberDelta?: number;
  l2: number;
  parameterCount: number;
}

/** Keras' default names: dense, dense_1, dense_2, … unless the spec names a layer. */
export function resolveModel(spec: ModelSpec, inputDim: number, task: Task, outputDim?: number): ResolvedModel {
  if (!Number.isInteger(inputDim) || inputDim < 1) throw new ConfigError(`model: input dimension must be ≥ 1 (got ${inputDim})`);
  const loss = spec.loss === 'auto' ? lossForTask(task) : spec.loss;
  const specLayers = withOutputLayer(spec, task, outputDim);
  const last = specLayers[specLayers.length - 1];
  if (outputDim !== undefined && last.units !== outputDim) {
    throw new ConfigError(
      `model.layers.${specLayers.length - 1}: the output layer has ${last.units} units but the ${task} target needs ${outputDim}`,
    );
  }
  const names = new Set<string>();
  let offset = 0;
  let fanIn = inputDim;
  const layers = specLayers.map((l, i) => {
    const name = l.name ?? (i === 0 ? 'dense' : `dense_${i}`);
    if (names.has(name)) throw new ConfigError(`model.layers.${i}: duplicate layer name "${name}"`);
    names.add(name);
    const kernelOffset = offset;
    offset += fanIn * l.units;
    const biasOffset = l.useBias ? offset : -1;
    if (l.useBias) offset += l.units;
    if (i === specLayers.length - 1 && l.dropout > 0) {
      throw new ConfigError(`model.layers.${i}: dropout on the output layer is not supported; put it on a hidden layer`);
    }
    const layer: ResolvedLayer = { name, fanIn, units: l.units, activation: l.activation, useBias: l.useBias, dropout: l.dropout, kernelOffset, biasOffset };
    fanIn = l.units;
    return layer;
  });
  return { inputDim, layers, loss, ...(loss === 'huber' && { huberDelta: spec.huberDelta ?? 1 }), l2: spec.l2, parameterCount: offset };
}

/** The layers with the output layer the task needs appended, when spec.output is 'auto'. */
export function withOutputLayer(spec: ModelSpec, task: Task, outputDim?: number): ModelSpec['layers'] {
  if (spec.output === 'last' || outputDim === undefined) return spec.layers;
  const want = outputLayerFor(task, outputDim);
  const last = spec.layers[spec.layers.length - 1];
  // A regression output may use any activation (the seed's Dense(1, sigmoid) is one).
  const fits = last.units === want.units && (task === 'regression' || last.activation === want.activation);
  if (fits) return spec.layers;
  // A linear last layer of the right width holds the logits: it takes the task's activation.
  if (last.units === want.units && last.activation === 'linear') return [...spec.layers.slice(0, -1), { ...last, activation: want.activation }];
  return [...spec.layers, { units: want.units, activation: want.activation, useBias: true, dropout: 0 }];
}

export function hasDropout(model: ResolvedModel): boolean {
  return model.layers.some((l) => l.dropout > 0);
}

export function lossForTask(task: Task): Loss {
  return task === 'regression' ? 'mse' : task === 'binary' ? 'binary-crossentropy' : 'softmax-crossentropy';
}

/** Units and activation the output layer should have for a task (used by templates and the CLI). */
export function outputLayerFor(task: Task, classes: number): { units: number; activation: Activation } {
  // Regression: one linear output per target (classes counts the targets there).
  if (task === 'regression') return { units: Math.max(1, classes), activation: 'linear' };
  if (task === 'binary') return { units: 1, activation: 'sigmoid' };
  return { units: classes, activation: 'softmax' };
}

/** Weights and biases of a Dense stack on `inputDim` inputs. */
export function stackParameterCount(inputDim: number, layers: readonly Pick<LayerSpec, 'units' | 'useBias'>[]): number {
  let fanIn = inputDim;
  let n = 0;
  for (const l of layers) {
    n += fanIn * l.units + (l.useBias ? l.units : 0);
    fanIn = l.units;
  }
  return n;
}

export function parameterCountOf(spec: ModelSpec, inputDim: number, task?: Task, outputDim?: number): number {
  return stackParameterCount(inputDim, task ? withOutputLayer(spec, task, outputDim) : spec.layers);
}
