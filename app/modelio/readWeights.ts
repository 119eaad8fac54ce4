/**
 * `readInitialWeights`: Dense weights from any format we export (weights.json, weights.npz, TF.js
 * model.json, Keras .h5 / .keras) and from the same formats written by Keras or TF.js themselves.
 * The runner uses it for an experiment's `initialWeights: { path }`.
 *
 * Every size a file states is checked against MODEL_LIMITS (and the bytes really there) before an
 * array is allocated; shards are found only by the rule in safeFile.ts; HDF5 is read in memory.
 */
import { basename, dirname } from 'node:path';
import type { Dataset, Group } from 'h5wasm';
import type { Activation } from '../model/spec';
import { activationFromName } from '../model/activationNames';
import { asImportError, ModelImportError, printable } from './errors';
import { datasetFloat32, isDataset, isExternalLink, isGroup, readH5Bytes, stringAttr, stringListAttr } from './h5';
import { parseModelJson } from './json';
import { formatBytes, MODEL_LIMITS } from './limits';
import { companionPath, readRegularFile, type Companions } from './safeFile';
import { isZip, readZip } from './zip';

export interface LoadedLayerWeights {
  name: string;
  fanIn: number;
  units: number;
  kernel: Float32Array; // row-major [fanIn][units]
  bias: Float32Array | null;
  /** Known when the file records it (json, tfjs, Keras); absent for npz. */
  activation?: Activation;
}

interface Array2 {
  shape: number[];
  data: Float32Array;
}
interface RawLayer {
  name: string;
  kernel?: Array2;
  bias?: Array2;
  activation?: Activation;
}

export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

function fail(file: string, message: string): never {
  throw new ModelImportError(file, message);
}

/** Counts parameters as arrays are found, refusing the one that would pass the limit — before it is allocated. */
class ParameterBudget {
  private used = 0;
  constructor(private readonly file: string) {}

  /** Element count of `shape` (validated: non-negative integers), charged to the budget. */
  take(shape: unknown, where: string): number {
    if (!Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(this.file, `${where}: shape ${printable(JSON.stringify(shape)?.slice(0, 80) ?? String(shape))} is not a list of sizes`);
    }
    let count = 1;
    for (const d of shape as number[]) count = Math.min(count * d, Number.MAX_SAFE_INTEGER);
    this.used += count;
    if (this.used > MODEL_LIMITS.parameters) {
      fail(this.file, `${where}: ${count} values bring the model to ${this.used} parameters, more than the limit of ${MODEL_LIMITS.parameters}`);
    }
    return count;
  }
}

/** Checks shapes (kernel 2-D, bias matches, layers chain) and builds the result. */
function finish(file: string, raw: RawLayer[]): LoadedLayerWeights[] {
  const layers = raw.filter((r) => r.kernel || r.bias);
  if (layers.length === 0) fail(file, 'no Dense weights found');
  let prevUnits: number | undefined;
  return layers.map((r, i) => {
    const where = `layer ${i} ("${printable(r.name)}")`;
    if (!r.kernel) fail(file, `${where}: has a bias but no kernel`);
    if (r.kernel.shape.length !== 2) fail(file, `${where}: kernel must be 2-D (inputs, units), found shape (${r.kernel.shape.join(', ')})`);
    const [fanIn, units] = r.kernel.shape;
    if (r.bias && (r.bias.shape.length !== 1 || r.bias.shape[0] !== units))
      fail(file, `${where}: bias shape (${r.bias.shape.join(', ')}) does not match ${units} units`);
    if (prevUnits !== undefined && fanIn !== prevUnits)
      fail(file, `${where}: kernel has ${fanIn} inputs but the previous layer has ${prevUnits} units`);
    prevUnits = units;
    return { name: r.name, fanIn, units, kernel: r.kernel.data, bias: r.bias?.data ?? null, ...(r.activation ? { activation: r.activation } : {}) };
  });
}

function checkLayerCount(file: string, n: number, what: string): void {
  if (n > MODEL_LIMITS.layers) fail(file, `${what} lists ${n} layers, more than the limit of ${MODEL_LIMITS.layers}`);
}

// ---------- weights.json (inline weights) ----------

function readInlineJson(file: string, value: { layers?: unknown }): LoadedLayerWeights[] {
  if (!Array.isArray(value.layers)) fail(file, 'field "layers" must be an array');
  checkLayerCount(file, value.layers.length, 'field "layers"');
  const budget = new ParameterBudget(file);
  const raw = value.layers.map((entry: unknown, i: number): RawLayer => {
    const where = `field layers.${i}`;
    const l = (entry && typeof entry === 'object' ? entry : {}) as Record<string, unknown>;
    if (!Array.isArray(l.W) || l.W.length === 0 || !l.W.every((row) => Array.isArray(row)))
      fail(file, `${where}.W must be a non-empty array of rows`);
    const W = l.W as unknown[][];
    const units = W[0].length;
    budget.take([W.length, units], `${where}.W`);
    const kernel = new Float32Array(W.length * units);
    W.forEach((row, r) => {
      if (row.length !== units) fail(file, `${where}.W.${r} has ${row.length} values, expected ${units}`);
      row.forEach((v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(file, `${where}.W.${r}.${c} is not a finite number`);
        kernel[r * units + c] = v;
      });
    });
    let bias: Array2 | undefined;
    if (l.b !== undefined && l.b !== null) {
      if (!Array.isArray(l.b) || !l.b.every((v) => typeof v === 'number' && Number.isFinite(v)))
        fail(file, `${where}.b must be an array of finite numbers`);
      budget.take([l.b.length], `${where}.b`);
      bias = { shape: [l.b.length], data: Float32Array.from(l.b as number[]) };
    }
    const activation = typeof l.activation === 'string' ? activationFromName(l.activation) : undefined;
    return { name: typeof l.name === 'string' ? l.name : i === 0 ? 'dense' : `dense_${i}`, kernel: { shape: [W.length, units], data: kernel }, bias, activation };
  });
  return finish(file, raw);
}

// ---------- Keras layer lists (activations) ----------

interface KerasLayerJson {
  class_name?: unknown;
  config?: { name?: unknown; activation?: unknown; alpha?: number; negative_slope?: number };
}

/** Activation per Dense layer from a Keras/TF.js layer list; a following activation layer overrides the Dense's own. */
function activationsFromLayerList(layers: KerasLayerJson[]): Map<string, Activation> {
  const out = new Map<string, Activation>();
  let lastDense: string | undefined;
  for (const l of layers) {
    const cls = typeof l?.class_name === 'string' ? l.class_name : '';
    const name = typeof l?.config?.name === 'string' ? l.config.name : undefined;
    const act = typeof l?.config?.activation === 'string' ? l.config.activation : undefined;
    if ((cls === 'Dense' || cls === 'QDense') && name) {
      lastDense = name;
      const a = activationFromName(act ?? 'linear');
      if (a) out.set(name, a);
    } else if (lastDense && (cls === 'LeakyReLU' || cls === 'Activation' || cls === 'Softmax' || cls === 'ReLU' || cls === 'ELU')) {
      const a = cls === 'LeakyReLU' ? 'leakyRelu' : cls === 'Softmax' ? 'softmax' : cls === 'ReLU' ? 'relu' : cls === 'ELU' ? 'elu' : activationFromName(act ?? '');
      if (a) out.set(lastDense, a);
    }
  }
  return out;
}

function layerListOf(config: unknown, depth = 0): KerasLayerJson[] {
  const c = config as { config?: unknown; model_config?: unknown } | undefined;
  if (!c || typeof c !== 'object' || depth > 4) return [];
  if (c.model_config) return layerListOf(c.model_config, depth + 1);
  if (Array.isArray(c.config)) return c.config as KerasLayerJson[];
  const inner = c.config as { layers?: unknown } | undefined;
  return Array.isArray(inner?.layers) ? (inner.layers as KerasLayerJson[]) : [];
}

// ---------- TF.js layers model.json ----------

interface ManifestWeight {
  name: string;
  shape: number[];
  count: number;
}

/** The manifest, validated, with every shape charged to the budget before a shard is opened. */
function validManifest(file: string, manifest: unknown): { paths: string[]; weights: ManifestWeight[] }[] {
  if (!Array.isArray(manifest)) fail(file, 'field weightsManifest must be an array');
  checkLayerCount(file, manifest.length, 'weightsManifest');
  const budget = new ParameterBudget(file);
  return manifest.map((g: unknown, gi: number) => {
    const group = (g && typeof g === 'object' ? g : {}) as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(group.paths) || group.paths.length > MODEL_LIMITS.layers) fail(file, `weightsManifest.${gi}.paths must be a list of at most ${MODEL_LIMITS.layers} shard names`);
    if (!Array.isArray(group.weights) || group.weights.length > 2 * MODEL_LIMITS.layers) fail(file, `weightsManifest.${gi}.weights must be a list of at most ${2 * MODEL_LIMITS.layers} weights`);
    const weights = group.weights.map((w: unknown, wi: number): ManifestWeight => {
      const entry = (w && typeof w === 'object' ? w : {}) as { name?: unknown; shape?: unknown; dtype?: unknown };
      const where = `weightsManifest.${gi}.weights.${wi}`;
      if (typeof entry.name !== 'string' || entry.name.length > 1000) fail(file, `${where}.name must be a string`);
      if (entry.dtype !== 'float32') fail(file, `weight "${printable(entry.name)}": dtype ${printable(String(entry.dtype))} is not supported (float32 only)`);
      const count = budget.take(entry.shape, `weight "${printable(entry.name)}"`);
      return { name: entry.name, shape: entry.shape as number[], count };
    });
    return { paths: group.paths as string[], weights };
  });
}

async function readTfjsModel(file: string, json: { modelTopology?: unknown; weightsManifest?: unknown }, companions: Companions): Promise<LoadedLayerWeights[]> {
  const groups = validManifest(file, json.weightsManifest);
  const activations = activationsFromLayerList(layerListOf(json.modelTopology));
  const byLayer = new Map<string, RawLayer>();
  let shardBytes = 0;
  for (const [g, group] of groups.entries()) {
    const needed = group.weights.reduce((n, w) => n + w.count * 4, 0);
    const chunks: Uint8Array[] = [];
    for (const [k, name] of group.paths.entries()) {
      const shard = companionPath(file, companions, name, `weightsManifest.${g}.paths.${k}`);
      const chunk = await readRegularFile(shard, file, `shard "${printable(name)}"`, MODEL_LIMITS.fileBytes - shardBytes, true).catch((e: unknown) => {
        if (e instanceof ModelImportError && /more than the limit/.test(e.message)) {
          fail(file, `shard "${printable(String(name))}" brings the shards past the limit of ${formatBytes(MODEL_LIMITS.fileBytes)}`);
        }
        throw e;
      });
      shardBytes += chunk.length;
      chunks.push(chunk);
    }
    const total = chunks.reduce((n, c) => n + c.length, 0);
    if (total < needed) fail(file, `weightsManifest.${g}: the shards hold ${total} bytes but the weights need ${needed}`);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      bytes.set(c, o);
      o += c.length;
    }
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const w of group.weights) {
      const data = new Float32Array(w.count);
      for (let i = 0; i < w.count; i++) data[i] = view.getFloat32(offset + i * 4, true);
      offset += w.count * 4;
      const slash = w.name.lastIndexOf('/');
      const layer = w.name.slice(0, slash);
      const kind = w.name.slice(slash + 1);
      const entry = byLayer.get(layer) ?? { name: layer, activation: activations.get(layer) };
      byLayer.set(layer, entry);
      if (entry[kind as 'kernel' | 'bias']) fail(file, `weight "${printable(w.name)}" appears twice`);
      if (kind === 'kernel') entry.kernel = { shape: w.shape, data };
      else if (kind === 'bias') entry.bias = { shape: w.shape, data };
      else fail(file, `weight "${printable(w.name)}": only Dense kernel/bias weights are supported`);
    }
  }
  return finish(file, [...byLayer.values()]);
}

// ---------- .npz ----------

/** Parses a little-endian float32/float64 C-order `.npy`; header sizes are checked against the member's real length. */
function parseNpy(file: string, member: string, bytes: Uint8Array, budget: ParameterBudget): Array2 {
  const where = `member "${printable(member)}"`;
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 12 || !magic.every((b, i) => bytes[i] === b)) fail(file, `${where}: not a .npy array`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) fail(file, `${where}: the header claims ${headerLen} bytes but the member has ${bytes.length}`);
  const header = new TextDecoder().decode(bytes.subarray(start, start + Math.min(headerLen, 4096)));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail(file, `${where}: unreadable .npy header`);
  if (fortran === 'True') fail(file, `${where}: Fortran-order arrays are not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = budget.take(shape, where);
  const dataStart = start + headerLen;
  const size = descr === '<f4' ? 4 : descr === '<f8' ? 8 : fail(file, `${where}: dtype ${printable(descr)} is not supported (float32/float64 little-endian)`);
  if (dataStart + count * size > bytes.length) fail(file, `${where}: the header claims ${count * size} bytes of data but the member holds ${bytes.length - dataStart}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    data[i] = size === 4 ? view.getFloat32(dataStart + i * 4, true) : view.getFloat64(dataStart + i * 8, true);
  }
  return { shape, data };
}

function readNpz(file: string, members: Record<string, Uint8Array>): LoadedLayerWeights[] {
  const byLayer = new Map<string, RawLayer>();
  const budget = new ParameterBudget(file);
  const arrays = Object.keys(members).length;
  if (arrays > 2 * MODEL_LIMITS.layers) fail(file, `the archive holds ${arrays} arrays, more than the limit of ${2 * MODEL_LIMITS.layers} (a kernel and a bias for each of ${MODEL_LIMITS.layers} layers)`);
  for (const [member, bytes] of Object.entries(members)) {
    const key = member.replace(/\.npy$/, '');
    const slash = key.lastIndexOf('/');
    const kind = key.slice(slash + 1);
    if (slash < 0 || (kind !== 'kernel' && kind !== 'bias')) fail(file, `array "${printable(key)}": expected names "<layer>/kernel" and "<layer>/bias"`);
    const layer = key.slice(0, slash);
    const entry = byLayer.get(layer) ?? { name: layer };
    byLayer.set(layer, entry);
    entry[kind] = parseNpy(file, member, bytes, budget);
  }
  return finish(file, [...byLayer.values()]);
}

// ---------- Keras HDF5 ----------

interface H5Context {
  file: string;
  /** Bytes of the HDF5 file: a dataset stored without filters cannot hold more. */
  length: number;
  budget: ParameterBudget;
  /** Prefix for messages about a member of an archive ("model.weights.h5: "). */
  prefix: string;
}

/** A float dataset's values, after its shape and type passed the budget; external links are refused. */
function readDataset(ctx: H5Context, ds: unknown, where: string): Array2 {
  if (isExternalLink(ds)) fail(ctx.file, `${ctx.prefix}dataset ${where} is an external link to another file; Curvature reads only the file itself`);
  if (!isDataset(ds)) fail(ctx.file, `${ctx.prefix}dataset ${where} is missing`);
  const d = ds as Dataset;
  const meta = d.metadata;
  if (meta.type !== 1 || (meta.size !== 4 && meta.size !== 8)) fail(ctx.file, `${ctx.prefix}dataset ${where}: expected float32 or float64 values`);
  const count = ctx.budget.take(d.shape ?? [], `${ctx.prefix}dataset ${where}`);
  if (count * meta.size > ctx.length && d.filters.length === 0) {
    fail(ctx.file, `${ctx.prefix}dataset ${where}: its shape (${(d.shape ?? []).join(', ')}) needs ${count * meta.size} bytes but the file has ${ctx.length}`);
  }
  return datasetFloat32(d, `${ctx.prefix}${where}`);
}

function readLegacyTree(ctx: H5Context, tree: Group, activations: Map<string, Activation>): RawLayer[] {
  const layerNames = stringListAttr(tree, 'layer_names');
  if (!layerNames) fail(ctx.file, `${ctx.prefix}no layer_names attribute: not a Keras weights file`);
  checkLayerCount(ctx.file, layerNames.length, `${ctx.prefix}attribute layer_names`);
  const seen = new Set<string>();
  return layerNames.map((name) => {
    if (seen.has(name)) fail(ctx.file, `${ctx.prefix}layer "${printable(name)}" is listed twice in layer_names`);
    seen.add(name);
    const g = tree.get(name);
    if (!isGroup(g)) fail(ctx.file, `${ctx.prefix}layer "${printable(name)}" is listed in layer_names but has no group`);
    const weightNames = stringListAttr(g, 'weight_names') ?? [];
    if (weightNames.length > 2) fail(ctx.file, `${ctx.prefix}layer "${printable(name)}" lists ${weightNames.length} weights; a Dense layer has a kernel and a bias`);
    const raw: RawLayer = { name, activation: activations.get(name) };
    for (const wn of weightNames) {
      const arr = readDataset(ctx, g.get(wn), `${printable(name)}/${printable(wn)}`);
      const kind = /kernel/.test(wn) ? 'kernel' : /bias/.test(wn) ? 'bias' : arr.shape.length === 2 ? 'kernel' : 'bias';
      raw[kind] = arr;
    }
    return raw;
  });
}

function naturalGroupOrder(a: string, b: string): number {
  const [, ba, na] = /^(.*?)(?:_(\d+))?$/s.exec(a)!;
  const [, bb, nb] = /^(.*?)(?:_(\d+))?$/s.exec(b)!;
  return ba === bb ? Number(na ?? 0) - Number(nb ?? 0) : ba < bb ? -1 : 1;
}

function readKeras3Tree(ctx: H5Context, root: Group, activations: Activation[] | undefined): RawLayer[] {
  const layers = root.get('layers');
  if (!isGroup(layers)) fail(ctx.file, `${ctx.prefix}no /layers group: not a Keras 3 weights file`);
  const keys = layers.keys();
  checkLayerCount(ctx.file, keys.length, `${ctx.prefix}group /layers`);
  const raws: RawLayer[] = [];
  for (const key of keys.sort(naturalGroupOrder)) {
    const layer = layers.get(key);
    const vars = isGroup(layer) ? layer.get('vars') : null;
    if (!isGroup(vars)) continue;
    const raw: RawLayer = { name: stringAttr(vars, 'name') ?? key };
    const k = vars.get('0');
    const b = vars.get('1');
    if (k) raw.kernel = readDataset(ctx, k, `layers/${printable(key)}/vars/0`);
    if (b) raw.bias = readDataset(ctx, b, `layers/${printable(key)}/vars/1`);
    if (raw.kernel) raws.push(raw);
  }
  raws.forEach((r, i) => (r.activation = activations?.[i]));
  return raws;
}

async function readHdf5(file: string, bytes: Uint8Array, keras3Activations?: Activation[], member?: string): Promise<LoadedLayerWeights[]> {
  const ctx: H5Context = { file, length: bytes.length, budget: new ParameterBudget(file), prefix: member ? `${member}: ` : '' };
  const raw = await readH5Bytes(
    file,
    bytes,
    (root) => {
      const modelWeights = root.get('model_weights');
      const config = stringAttr(root, 'model_config');
      let activations = new Map<string, Activation>();
      if (config) activations = activationsFromLayerList(layerListOf(parseModelJson(file, config, 'attribute model_config')));
      if (isGroup(modelWeights)) return readLegacyTree(ctx, modelWeights, activations);
      if (root.attrs['layer_names']) return readLegacyTree(ctx, root, activations);
      if (isGroup(root.get('layers'))) return readKeras3Tree(ctx, root, keras3Activations);
      return fail(file, `${ctx.prefix}HDF5 file holds no Keras weights (no /model_weights, layer_names or /layers)`);
    },
    member ? `member ${member}` : 'the HDF5 file',
  );
  return finish(file, raw);
}

/** The zip members a .keras archive is read from (nothing else in it is inflated). */
export const KERAS_MEMBERS = ['config.json', 'metadata.json', 'model.weights.h5'];

async function readKerasArchive(file: string, members: Record<string, Uint8Array>): Promise<LoadedLayerWeights[]> {
  let activations: Activation[] | undefined;
  if (members['config.json']) {
    const layers = layerListOf(parseModelJson(file, members['config.json'], 'member config.json'));
    const dense = layers.filter((l) => l?.class_name === 'Dense');
    activations = dense.map((l) => activationFromName(typeof l.config?.activation === 'string' ? l.config.activation : 'linear') ?? 'linear');
  }
  return readHdf5(file, members['model.weights.h5'], activations, 'model.weights.h5');
}

// ---------- entry ----------

export interface ReadWeightsOptions {
  /** Where TF.js shards are found; default: the model file's own folder. */
  companions?: Companions;
}

/** Weights from the bytes of a model file already read; `file` names it in messages and locates its shards. */
export async function weightsFromBytes(file: string, bytes: Uint8Array, options: ReadWeightsOptions = {}): Promise<LoadedLayerWeights[]> {
  if (isHdf5(bytes)) return readHdf5(file, bytes);
  if (isZip(bytes)) {
    const members = readZip(file, bytes, (n) => KERAS_MEMBERS.includes(n) || n.endsWith('.npy'), (n) => n.endsWith('.json'));
    if (members['model.weights.h5']) return readKerasArchive(file, members);
    return readNpz(file, members);
  }
  let json: unknown;
  try {
    json = parseModelJson(file, bytes, 'the file');
  } catch (e) {
    if (e instanceof ModelImportError && / is not valid JSON/.test(e.message)) {
      fail(file, 'unknown weights format (expected .json, .npz, TF.js model.json, Keras .h5 or .keras)');
    }
    throw e;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail(file, 'weights JSON must be an object');
  if ('weightsManifest' in json) return readTfjsModel(file, json as { weightsManifest: unknown }, options.companions ?? { folder: dirname(file) });
  return readInlineJson(file, json as { layers?: unknown });
}

/** Reads a weights file (a regular file within the size budget); every failure is a ModelImportError naming the file. */
export async function readInitialWeights(path: string, options: ReadWeightsOptions = {}): Promise<LoadedLayerWeights[]> {
  try {
    const bytes = await readRegularFile(path, path, 'the weights file');
    return await weightsFromBytes(path, bytes, options);
  } catch (e) {
    throw asImportError(basename(path), e);
  }
}
