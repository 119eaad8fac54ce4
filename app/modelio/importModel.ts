/**
 * "Start from model…": an existing Keras / TF.js / Curvature model file → the Dense stack for the
 * layer editor plus its weights as the shared start point. Accepts Keras 3 `.keras`, legacy Keras
 * HDF5 (`model.save` and `save_weights`, told apart by content, never by extension), TF.js layers
 * `model.json` + shards and Curvature's weights.json / weights.npz.
 *
 * Only a chain of Dense layers can be trained here, so the layer list is checked strictly: separate
 * activation layers fold into the Dense before them, InputLayer / Dropout / Flatten-of-flat-input
 * pass, and everything else is collected into one error naming every unsupported layer.
 *
 * A model file is hostile input (docs/safety.md): bytes come only through safeFile.ts (regular
 * files, shards by plain name in the model's folder), zip.ts, json.ts and h5.ts (in memory), with
 * every size checked against limits.ts before it is allocated. Callers in a host (Electron main,
 * the browser-mode server) never call this directly: the trainer's helper process does.
 */
import { dirname } from 'node:path';
import { LEAKY_RELU_ALPHA } from '../engine/engine';
import type { Activation, LayerSpec, Loss } from '../model/spec';
import { activationFromName } from '../model/activationNames';
import { asImportError, ModelImportError, printable } from './errors';
import { readH5Bytes, stringAttr } from './h5';
import { parseModelJson } from './json';
import { MODEL_LIMITS } from './limits';
import { isHdf5, KERAS_MEMBERS, weightsFromBytes, type LoadedLayerWeights } from './readWeights';
import { readRegularFile, type Companions } from './safeFile';
import { isZip, readZip, zipMemberNames } from './zip';

export { ModelImportError } from './errors';
export type { Companions } from './safeFile';

export type ImportFormat = 'keras3' | 'keras-h5' | 'keras-h5-weights' | 'keras3-weights' | 'tfjs' | 'curvature-json' | 'curvature-npz';

export const IMPORT_FORMAT_LABELS: Record<ImportFormat, string> = {
  keras3: 'Keras 3 .keras archive',
  'keras-h5': 'Keras HDF5 model',
  'keras-h5-weights': 'Keras HDF5 weights (save_weights)',
  'keras3-weights': 'Keras 3 weights (.weights.h5)',
  tfjs: 'TF.js layers model',
  'curvature-json': 'Curvature weights.json',
  'curvature-npz': 'Curvature weights.npz',
};

export interface ImportedModel {
  file: string;
  format: ImportFormat;
  /** The layers, named as in the file; for weights-only files, the caller's layers checked against the file. */
  layers: LayerSpec[];
  inputDim: number;
  /** Per Dense layer, in order (kernel row-major [fanIn][units]). */
  weights: LoadedLayerWeights[];
  /** The loss of the file's training config, when it maps to one Curvature has. */
  loss?: Loss;
  /** Things the user should know (a loss that could not be used, renamed layers…). */
  notes: string[];
}

export interface ImportOptions {
  /**
   * The layer stack to use with a weights-only file (no layer config inside), e.g. from `--layers`.
   * Required for those files; ignored when the file describes its layers.
   */
  layers?: readonly LayerSpec[];
  /** Where the files a TF.js model.json names are found: its own folder (default) or the files uploaded with it. */
  companions?: Companions;
}

// ---------- the Keras / TF.js layer list ----------

interface KerasLayer {
  class_name?: unknown;
  name?: unknown;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

interface Described {
  layers: LayerSpec[];
  inputDim?: number;
  loss?: Loss;
  notes: string[];
}

const LAYER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Keras activations come as a string, or in Keras 3 sometimes as a serialised function object. */
function activationText(value: unknown): string {
  if (value === undefined || value === null) return 'linear';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    const o = value as { config?: unknown; class_name?: unknown };
    if (typeof o.config === 'string') return o.config;
    if (typeof o.class_name === 'string') return o.class_name;
  }
  return String(value);
}

/** `[null, 100]` → [100]; anything else (missing) → undefined. */
function shapeOf(config: Record<string, unknown> | undefined): number[] | undefined {
  const s = config?.batch_input_shape ?? config?.batch_shape ?? config?.batchInputShape;
  if (!Array.isArray(s)) return undefined;
  return s.slice(1).map((d) => (typeof d === 'number' ? d : NaN));
}

/** Inbound layer names of a functional-model layer (Keras 2 nested lists or Keras 3 keras_history). */
function inboundNames(nodes: unknown): string[] {
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') names.push(v[0]);
      else v.forEach(walk);
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.keras_history) && typeof o.keras_history[0] === 'string') names.push(o.keras_history[0]);
      else Object.values(o).forEach(walk);
    }
  };
  walk(nodes);
  return names;
}

function lossFromKeras(value: unknown, notes: string[]): Loss | undefined {
  if (value === undefined || value === null) return undefined;
  const name = activationText(value);
  const key = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  if (key === 'mse' || key === 'mean_squared_error') return 'mse';
  if (key === 'binary_crossentropy') return 'binary-crossentropy';
  if (key === 'categorical_crossentropy' || key === 'sparse_categorical_crossentropy') return 'softmax-crossentropy';
  notes.push(`The file was compiled with loss "${printable(name, 80)}", which Curvature does not have; the loss follows from the task instead.`);
  return undefined;
}

/** The layer list of a model config, unwrapped from `model_config`; subclassed models are refused here. */
function layerListOf(file: string, config: unknown, trainingConfig: unknown): { list: KerasLayer[]; functional: boolean; trainingConfig: unknown } {
  let c = config as Record<string, unknown> | undefined;
  if (c && typeof c === 'object' && 'model_config' in c) {
    trainingConfig ??= c.training_config;
    c = c.model_config as Record<string, unknown>;
  }
  if (!c || typeof c !== 'object') throw new ModelImportError(file, 'the model config is not a JSON object');
  const cls = printable(String(c.class_name ?? ''), 80);
  let list: unknown;
  if (cls === 'Sequential') {
    const inner = c.config as unknown;
    list = Array.isArray(inner) ? inner : (inner as { layers?: unknown })?.layers;
  } else if (cls === 'Model' || cls === 'Functional') {
    list = (c.config as { layers?: unknown })?.layers;
  } else {
    const registered = typeof c.registered_name === 'string' ? ` (registered as "${printable(c.registered_name, 80)}")` : '';
    throw new ModelImportError(
      file,
      `the model is a subclassed Keras model "${cls}"${registered}: its layers and how they connect are written in Python ` +
        `code, not in the file, so Curvature cannot rebuild it. Save a Sequential or functional model of Dense layers, ` +
        `or use its weights with a matching layer stack (--layers, or the layer editor) as a weights-only file.`,
      true,
    );
  }
  if (!Array.isArray(list)) throw new ModelImportError(file, `the ${cls} config has no layer list`);
  if (list.length > MODEL_LIMITS.layers) throw new ModelImportError(file, `the ${cls} config lists ${list.length} layers, more than the limit of ${MODEL_LIMITS.layers}`);
  return { list: list.map((l) => (l && typeof l === 'object' ? l : {}) as KerasLayer), functional: cls !== 'Sequential', trainingConfig };
}

/** Where describing a layer list stands: the Dense stack so far and the layers refused. */
interface Walk {
  layers: LayerSpec[];
  unsupported: string[];
  inputShape?: number[];
}

function refuse(walk: Walk, name: string, klass: string, why = ''): void {
  walk.unsupported.push(`"${printable(name, 80)}" (${printable(klass, 80)}${why ? `: ${why}` : ''})`);
}

/** The activation a separate activation layer applies, or undefined after refusing it. */
function activationLayer(walk: Walk, name: string, klass: string, config: Record<string, unknown>): Activation | undefined {
  if (klass === 'Activation') {
    const act = activationText(config.activation);
    const activation = activationFromName(act);
    if (!activation) refuse(walk, name, klass, `activation "${printable(act, 80)}" is not available`);
    return activation;
  }
  if (klass === 'Softmax') {
    const axis = config.axis ?? -1;
    if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) return void refuse(walk, name, klass, `softmax over axis ${printable(JSON.stringify(axis), 80)}`);
    return 'softmax';
  }
  if (klass === 'ReLU') {
    const plain = (config.max_value ?? null) === null && Number(config.negative_slope ?? 0) === 0 && Number(config.threshold ?? 0) === 0;
    if (!plain) return void refuse(walk, name, klass, 'max_value, negative_slope or threshold set');
    return 'relu';
  }
  // LeakyReLU: Keras 2 calls the slope alpha, Keras 3 negative_slope; both default to 0.3, tfjs' alpha also 0.3.
  const slope = Number(config.negative_slope ?? config.alpha ?? 0.3);
  if (Math.fround(slope) !== Math.fround(LEAKY_RELU_ALPHA)) {
    return void refuse(walk, name, klass, `slope (alpha) ${slope}; Curvature's leakyRelu has slope ${LEAKY_RELU_ALPHA}, so this model would compute something else`);
  }
  return 'leakyRelu';
}

/** One entry of the layer list: appended to the Dense stack, folded into its last layer, passed, or refused. */
function describeLayer(walk: Walk, klass: string, name: string, config: Record<string, unknown>): void {
  const last = walk.layers[walk.layers.length - 1];
  switch (klass) {
    case 'InputLayer':
      return;
    case 'QDense':
      return refuse(walk, name, klass, 'quantised Dense');
    case 'Dense': {
      const act = activationText(config.activation);
      const activation = activationFromName(act);
      if (!activation) return refuse(walk, name, klass, `activation "${printable(act, 80)}" is not available`);
      const units = Number(config.units);
      if (!Number.isInteger(units) || units < 1) return refuse(walk, name, klass, `units ${printable(String(config.units), 40)}`);
      walk.layers.push({ name, units, activation, useBias: config.use_bias !== false, dropout: 0 });
      return;
    }
    case 'Dropout': {
      const rate = Number(config.rate ?? 0);
      if (!last) return refuse(walk, name, klass, 'dropout on the inputs');
      if (!(rate >= 0 && rate <= 0.95)) return refuse(walk, name, klass, `rate ${rate} is outside 0…0.95`);
      if (last.dropout > 0) return refuse(walk, name, klass, `"${printable(last.name ?? '', 80)}" already has dropout`);
      last.dropout = rate;
      return;
    }
    case 'Flatten': {
      const flat = walk.layers.length > 0 || (walk.inputShape !== undefined && walk.inputShape.length === 1);
      if (flat) return;
      const shape = walk.inputShape ? `(${walk.inputShape.join(', ')})` : 'of unknown shape';
      return refuse(walk, name, klass, `flattens a ${shape} input; Curvature trains on flat rows, so give the model a flat input`);
    }
    case 'Activation':
    case 'Softmax':
    case 'ReLU':
    case 'LeakyReLU': {
      const activation = activationLayer(walk, name, klass, config);
      if (!activation) return;
      if (!last) return refuse(walk, name, klass, 'an activation on the inputs, before any Dense layer');
      if (last.activation !== 'linear') return refuse(walk, name, klass, `follows "${printable(last.name ?? '', 80)}", which already applies ${last.activation}`);
      if (last.dropout > 0) return refuse(walk, name, klass, `follows a Dropout after "${printable(last.name ?? '', 80)}"`);
      last.activation = activation;
      return;
    }
    default:
      return refuse(walk, name, klass);
  }
}

/** Layer names Curvature can export (letters, digits, _); others are renamed with a note. */
function safeLayerNames(layers: LayerSpec[], notes: string[]): void {
  for (const l of layers) {
    if (!LAYER_NAME.test(l.name!)) {
      const safe = l.name!.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]/, 'L$&').slice(0, 200);
      notes.push(`Layer "${printable(l.name!, 80)}" is exported as "${safe}" (layer names are letters, digits and _).`);
      l.name = safe;
    }
  }
}

/**
 * The layer list of a Keras model config (`model_config`, `config.json`, TF.js `modelTopology`) as a
 * Dense stack, or a ModelImportError listing every layer that is not supported.
 */
export function describeKerasConfig(file: string, config: unknown, trainingConfig?: unknown): Described {
  const { list, functional, trainingConfig: training } = layerListOf(file, config, trainingConfig);
  const walk: Walk = { layers: [], unsupported: [] };
  let previous: string | undefined;
  list.forEach((l, i) => {
    const klass = String(l.class_name ?? '?');
    const config = (l.config && typeof l.config === 'object' ? l.config : {}) as Record<string, unknown>;
    const name = String(config.name ?? l.name ?? `layer ${i}`);
    if (functional) {
      const inbound = inboundNames(l.inbound_nodes);
      const expected = previous === undefined ? [] : [previous];
      if (inbound.length !== expected.length || inbound.some((n, k) => n !== expected[k])) {
        const from = inbound.length ? inbound.slice(0, 8).map((n) => `"${printable(n, 80)}"`).join(', ') : 'no layer';
        refuse(walk, name, klass, `takes its input from ${from}, not a single chain`);
      }
    }
    previous = name;
    walk.inputShape ??= shapeOf(config);
    describeLayer(walk, klass, name, config);
  });
  const { layers, unsupported, inputShape } = walk;
  if (unsupported.length > 0) {
    throw new ModelImportError(
      file,
      `${unsupported.length} layer${unsupported.length === 1 ? ' is' : 's are'} not supported — Curvature trains chains of Dense layers ` +
        `(with Activation, Softmax, ReLU, LeakyReLU(0.2), Dropout, InputLayer, Flatten of a flat input): ${unsupported.slice(0, 20).join('; ')}` +
        (unsupported.length > 20 ? `; … (${unsupported.length} in all)` : ''),
    );
  }
  if (layers.length === 0) throw new ModelImportError(file, 'the model has no Dense layer');
  if (inputShape && inputShape.length !== 1) {
    throw new ModelImportError(file, `the model's input has shape (${inputShape.join(', ')}); Curvature trains on flat rows of features`);
  }
  const notes: string[] = [];
  safeLayerNames(layers, notes);
  const tc = training as { loss?: unknown } | undefined;
  return { layers, inputDim: inputShape?.[0], loss: lossFromKeras(tc?.loss, notes), notes };
}

// ---------- matching layers and weights ----------

/** Checks the described layers against the arrays in the file (count, shapes, bias) and joins them. */
function joinLayersAndWeights(file: string, layers: readonly LayerSpec[], weights: LoadedLayerWeights[], inputDim: number | undefined, source: string): number {
  if (weights.length !== layers.length) {
    throw new ModelImportError(
      file,
      `${source} has ${layers.length} Dense layer${layers.length === 1 ? '' : 's'} (${layers.map((l) => l.units).join(', ')} units) ` +
        `but the file holds weights for ${weights.length} (${weights.map((w) => `${w.fanIn}×${w.units}`).join(', ')})`,
    );
  }
  const fanIn0 = weights[0].fanIn;
  if (inputDim !== undefined && inputDim !== fanIn0) {
    throw new ModelImportError(file, `the model's input has ${inputDim} features but layer "${layers[0].name}" has a ${fanIn0}×${weights[0].units} kernel`);
  }
  layers.forEach((l, i) => {
    const w = weights[i];
    const where = `layer ${i} ("${l.name ?? w.name}")`;
    if (w.units !== l.units) throw new ModelImportError(file, `${where}: ${source} says ${l.units} units but its kernel is ${w.fanIn}×${w.units}`);
    if (l.useBias && !w.bias) throw new ModelImportError(file, `${where}: ${source} has a bias but the file holds none (use nobias / useBias: false)`);
    if (!l.useBias && w.bias) throw new ModelImportError(file, `${where}: the file holds a bias but ${source} says useBias: false`);
  });
  return fanIn0;
}

// ---------- file formats ----------

interface Sniffed {
  format: ImportFormat;
  described?: Described;
}

async function sniffHdf5(file: string, bytes: Uint8Array): Promise<Sniffed> {
  const meta = await readH5Bytes(file, bytes, (root) => ({
    modelConfig: stringAttr(root, 'model_config'),
    trainingConfig: stringAttr(root, 'training_config'),
    legacy: root.attrs['layer_names'] !== undefined || root.get('model_weights') !== null,
    keras3: root.get('layers') !== null,
  }));
  if (meta.modelConfig) {
    const config = parseModelJson(file, meta.modelConfig, 'attribute model_config');
    const training = meta.trainingConfig ? parseModelJson(file, meta.trainingConfig, 'attribute training_config') : undefined;
    return { format: 'keras-h5', described: describeKerasConfig(file, config, training) };
  }
  if (meta.legacy) return { format: 'keras-h5-weights' };
  if (meta.keras3) return { format: 'keras3-weights' };
  throw new ModelImportError(file, 'this HDF5 file holds no Keras model or weights (no model_config, layer_names or /layers)');
}

function sniffZip(file: string, bytes: Uint8Array, options: ImportOptions): Sniffed {
  const names = zipMemberNames(file, bytes);
  if (names.includes('model.weights.h5')) {
    if (!names.includes('config.json')) return { format: 'keras3-weights' };
    const members = readZip(file, bytes, (n) => n === 'config.json', () => true);
    const config = parseModelJson(file, members['config.json'], 'member config.json') as { compile_config?: { loss?: unknown } } | null;
    try {
      return { format: 'keras3', described: describeKerasConfig(file, config, config?.compile_config ?? undefined) };
    } catch (e) {
      // A subclassed model's weights are usable with layers the user states (as for save_weights files).
      if (e instanceof ModelImportError && e.subclassed && options.layers?.length) return { format: 'keras3' };
      throw e;
    }
  }
  if (names.some((n) => n.endsWith('.npy'))) return { format: 'curvature-npz' };
  throw new ModelImportError(file, `a zip that is neither a Keras .keras archive (${KERAS_MEMBERS.join(', ')}) nor a weights.npz`);
}

function sniffJson(file: string, bytes: Uint8Array): Sniffed {
  const json = parseModelJson(file, bytes, 'the file (not HDF5, not a zip)') as Record<string, unknown> | null;
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new ModelImportError(file, 'the JSON is not an object');
  if ('weightsManifest' in json) {
    if (json.format === 'graph-model') throw new ModelImportError(file, 'a TF.js graph model has no layers to train; convert the Keras model as a layers model');
    if (!json.modelTopology) throw new ModelImportError(file, 'TF.js model.json without modelTopology');
    return { format: 'tfjs', described: describeKerasConfig(file, json.modelTopology) };
  }
  if (Array.isArray(json.layers)) {
    if (json.layers.length > MODEL_LIMITS.layers) throw new ModelImportError(file, `field layers lists ${json.layers.length} layers, more than the limit of ${MODEL_LIMITS.layers}`);
    // Curvature's weights.json records name, activation, W and b per layer.
    const layers = (json.layers as unknown[]).map((entry, i): LayerSpec => {
      const l = (entry && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
      const activation = typeof l.activation === 'string' ? activationFromName(l.activation) : undefined;
      if (!activation) throw new ModelImportError(file, `layers.${i}.activation "${printable(String(l.activation), 80)}" is not an activation Curvature has`);
      const W = Array.isArray(l.W) ? (l.W as unknown[][]) : [];
      const name = typeof l.name === 'string' ? l.name : undefined;
      return { ...(name ? { name } : {}), units: Array.isArray(W[0]) ? W[0].length : 0, activation, useBias: l.b !== undefined && l.b !== null, dropout: 0 };
    });
    return { format: 'curvature-json', described: { layers, notes: [] } };
  }
  throw new ModelImportError(file, 'unknown model format: expected a Keras .keras or .h5 file, a TF.js model.json, or weights.json / weights.npz');
}

async function sniff(file: string, bytes: Uint8Array, options: ImportOptions): Promise<Sniffed> {
  if (isHdf5(bytes)) return sniffHdf5(file, bytes);
  if (isZip(bytes)) return sniffZip(file, bytes, options);
  return sniffJson(file, bytes);
}

/** Opens a model file: its layers (from the file, or `options.layers` for weights-only files) and weights. */
export async function importModel(file: string, options: ImportOptions = {}): Promise<ImportedModel> {
  try {
    const bytes = await readRegularFile(file, file, 'the model file');
    const { format, described } = await sniff(file, bytes, options);
    const weights = await weightsFromBytes(file, bytes, { companions: options.companions ?? { folder: dirname(file) } });
    return joined(file, format, described, weights, options);
  } catch (e) {
    throw asImportError(file, e);
  }
}

function joined(file: string, format: ImportFormat, described: Described | undefined, weights: LoadedLayerWeights[], options: ImportOptions): ImportedModel {
  if (described) {
    const inputDim = joinLayersAndWeights(file, described.layers, weights, described.inputDim, 'the model config');
    return { file, format, layers: described.layers, inputDim, weights, ...(described.loss ? { loss: described.loss } : {}), notes: described.notes };
  }
  const shapes = weights.map((w) => `${w.fanIn}×${w.units}${w.bias ? '+bias' : ''}`).join(', ');
  if (!options.layers || options.layers.length === 0) {
    throw new ModelImportError(
      file,
      `${IMPORT_FORMAT_LABELS[format]} holds weights only, no layer config, so the activations are unknown. ` +
        `Give the matching layers (--layers, or set them in the layer editor): ${weights.length} Dense layers with kernels ${shapes}` +
        ` — e.g. --layers ${weights.map((w) => `${w.units}:ACTIVATION${w.bias ? '' : ':nobias'}`).join(',')}. Nothing was trained.`,
    );
  }
  const layers = options.layers.map((l, i) => ({ ...l, name: l.name ?? weightName(weights[i]?.name, i) }));
  try {
    const inputDim = joinLayersAndWeights(file, layers, weights, undefined, 'the given layer stack');
    return { file, format, layers, inputDim, weights, notes: [] };
  } catch (e) {
    throw new ModelImportError(file, `${(e as Error).message.replace(/^[^:]*: /, '')}. The file holds kernels ${shapes}; nothing was trained.`);
  }
}

/** A weights-only file's own layer name when it is a valid layer name, else Keras' default. */
function weightName(name: string | undefined, i: number): string {
  return name && LAYER_NAME.test(name) ? name : i === 0 ? 'dense' : `dense_${i}`;
}
