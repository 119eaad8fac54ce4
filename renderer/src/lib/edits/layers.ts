/** Layer-stack edits: templates, adding, removing and moving hidden layers; the output layer stays last. */
import { layerSpecSchema, type LayerSpec, type Task } from '../../../../app/ui';
import { outputLayerFor, TEMPLATES } from '../model-math';

export function applyTemplate(layers: LayerSpec[], id: string): LayerSpec[] {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) return layers;
  return [...t.hidden.map((h) => layerSpecSchema.parse(h)), layers[layers.length - 1]];
}

/** A new hidden layer before the output, shaped like the one before it. */
export function addHiddenLayer(layers: LayerSpec[]): void {
  const prev = layers.length > 1 ? layers[layers.length - 2] : undefined;
  layers.splice(layers.length - 1, 0, layerSpecSchema.parse({ units: prev?.units ?? 32, activation: prev?.activation ?? 'tanh' }));
}

export function removeLayer(layers: LayerSpec[], index: number): void {
  if (index < layers.length - 1) layers.splice(index, 1);
}

export function moveLayer(layers: LayerSpec[], index: number, delta: -1 | 1): void {
  const to = index + delta;
  if (to < 0 || to >= layers.length - 1 || index >= layers.length - 1) return;
  const [l] = layers.splice(index, 1);
  layers.splice(to, 0, l);
}

/** Output units and activation follow the task; the user may still edit them afterwards. */
export function fitOutputLayer(layers: LayerSpec[], task: Task, classes: number | null, targets = 1): void {
  const out = outputLayerFor(task, classes, targets);
  const last = layers[layers.length - 1];
  last.units = out.units;
  last.activation = out.activation;
}
