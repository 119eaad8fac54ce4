/**
 * `readInitialWeights`: Dense weights from any format we export (weights.json, weights.npz, TF.js
 * model.json, Keras .h5 / .keras) and from the same formats written by Keras or TF.js themselves.
 * The runner uses it for an experiment's `initialWeights: { path }`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Group } from 'h5wasm/node';
import type { Activation } from '../model/spec';
import { activationFromName } from './activationNames';
import { datasetFloat32, isDataset, isGroup, readH5, stringAttr, stringListAttr } from './h5';

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

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

/** Checks shapes (kernel 2-D, bias matches, layers chain) and builds the result. */
function finish(file: string, raw: RawLayer[]): LoadedLayerWeights[] {
  const layers = raw.filter((r) => r.kernel || r.bias);
  if (layers.length === 0) fail(file, 'no Dense weights found');
  let prevUnits: number | undefined;
  return layers.map((r, i) => {
    const where = `layer ${i} ("${r.name}")`;
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

// ---------- weights.json (inline weights) ----------

function readInlineJson(file: string, value: { layers?: unknown }): LoadedLayerWeights[] {
  if (!Array.isArray(value.layers)) fail(file, 'field "layers" must be an array');
  const raw = value.layers.map((l: Record<string, unknown>, i: number): RawLayer => {
    const where = `field layers.${i}`;
    if (!Array.isArray(l.W) || l.W.length === 0 || !l.W.every((row) => Array.isArray(row)))
      fail(file, `${where}.W must be a non-empty array of rows`);
    const W = l.W as unknown[][];
    const units = W[0].length;
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
      bias = { shape: [l.b.length], data: Float32Array.from(l.b as number[]) };
    }
    const activation = typeof l.activation === 'string' ? activationFromName(l.activation) : undefined;
    return { name: typeof l.name === 'string' ? l.name : i === 0 ? 'dense' : `dense_${i}`, kernel: { shape: [W.length, units], data: kernel }, bias, activation };
  });
  return finish(file, raw);
}

// ---------- TF.js layers model.json ----------

interface KerasLayerJson {
  class_name?: string;
  config?: { name?: string; activation?: string; alpha?: number; negative_slope?: number };
}

/** Activation per Dense layer from a Keras/TF.js layer list; a following activation layer overrides the Dense's own. */
function activationsFromLayerList(layers: KerasLayerJson[]): Map<string, Activation> {
  const out = new Map<string, Activation>();
  let lastDense: string | undefined;
  for (const l of layers) {
    const cls = l.class_name ?? '';
    const name = l.config?.name;
    if ((cls === 'Dense' || cls === 'QDense') && name) {
      lastDense = name;
      const a = activationFromName(l.config?.activation ?? 'linear');
      if (a) out.set(name, a);
    } else if (lastDense && (cls === 'LeakyReLU' || cls === 'Activation' || cls === 'Softmax' || cls === 'ReLU' || cls === 'ELU')) {
      const a =
        cls === 'LeakyReLU' ? 'leakyRelu' : cls === 'Softmax' ? 'softmax' : cls === 'ReLU' ? 'relu' : cls === 'ELU' ? 'elu' : activationFromName(l.config?.activation ?? '');
      if (a) out.set(lastDense, a);
    }
  }
  return out;
}

function layerListOf(config: unknown): KerasLayerJson[] {
  const c = config as { config?: unknown; model_config?: unknown } | undefined;
  if (!c) return [];
  if (c.model_config) return layerListOf(c.model_config);
  if (Array.isArray(c.config)) return c.config as KerasLayerJson[];
  const inner = c.config as { layers?: unknown } | undefined;
  return Array.isArray(inner?.layers) ? (inner.layers as KerasLayerJson[]) : [];
}

interface TfjsManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string }[];
}

async function readTfjsModel(file: string, json: { modelTopology?: unknown; weightsManifest?: unknown }): Promise<LoadedLayerWeights[]> {
  if (!Array.isArray(json.weightsManifest)) fail(file, 'field weightsManifest must be an array');
  const activations = activationsFromLayerList(layerListOf(json.modelTopology));
  const byLayer = new Map<string, RawLayer>();
  for (const [g, group] of (json.weightsManifest as TfjsManifestGroup[]).entries()) {
    const chunks: Uint8Array[] = [];
    for (const p of group.paths) {
      const shard = join(dirname(file), p);
      try {
        chunks.push(new Uint8Array(await readFile(shard)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          // The usual cause: model.json was chosen without its weight files. Name the file, not a host path.
          const all = (json.weightsManifest as TfjsManifestGroup[]).flatMap((m) => m.paths);
          fail(file, `weight file "${p}" is missing; it must sit beside ${basename(file)}. Choose ${basename(file)} together with ${all.map((n) => `"${n}"`).join(', ')} (select them all, or drop them together)`);
        }
        fail(file, `weightsManifest.${g}: cannot read shard "${p}" (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    }
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) {
      bytes.set(c, o);
      o += c.length;
    }
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32') fail(file, `weight ${w.name}: dtype ${w.dtype} is not supported (float32 only)`);
      const count = w.shape.reduce((a, b) => a * b, 1);
      if (offset + count * 4 > bytes.length) fail(file, `weight ${w.name}: shard data ends early`);
      const data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + i * 4, true);
      offset += count * 4;
      const slash = w.name.lastIndexOf('/');
      const layer = w.name.slice(0, slash);
      const kind = w.name.slice(slash + 1);
      const entry = byLayer.get(layer) ?? { name: layer, activation: activations.get(layer) };
      byLayer.set(layer, entry);
      if (kind === 'kernel') entry.kernel = { shape: w.shape, data };
      else if (kind === 'bias') entry.bias = { shape: w.shape, data };
      else fail(file, `weight ${w.name}: only Dense kernel/bias weights are supported`);
    }
  }
  return finish(file, [...byLayer.values()]);
}

// ---------- .npz ----------

/** Parses a little-endian float32/float64 C-order `.npy`. */
function parseNpy(file: string, member: string, bytes: Uint8Array): Array2 {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (!magic.every((b, i) => bytes[i] === b)) fail(file, `${member}: not a .npy array`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) fail(file, `${member}: unreadable .npy header`);
  if (fortran === 'True') fail(file, `${member}: Fortran-order arrays are not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  const size = descr === '<f4' ? 4 : descr === '<f8' ? 8 : fail(file, `${member}: dtype ${descr} is not supported (float32/float64 little-endian)`);
  if (dataStart + count * size > bytes.length) fail(file, `${member}: data ends early`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    data[i] = size === 4 ? view.getFloat32(dataStart + i * 4, true) : view.getFloat64(dataStart + i * 8, true);
  }
  return { shape, data };
}

function readNpz(file: string, members: Record<string, Uint8Array>): LoadedLayerWeights[] {
  const byLayer = new Map<string, RawLayer>();
  for (const [member, bytes] of Object.entries(members)) {
    const key = member.replace(/\.npy$/, '');
    const slash = key.lastIndexOf('/');
    const kind = key.slice(slash + 1);
    if (slash < 0 || (kind !== 'kernel' && kind !== 'bias')) fail(file, `array "${key}": expected names "<layer>/kernel" and "<layer>/bias"`);
    const layer = key.slice(0, slash);
    const entry = byLayer.get(layer) ?? { name: layer };
    byLayer.set(layer, entry);
    entry[kind] = parseNpy(file, member, bytes);
  }
  return finish(file, [...byLayer.values()]);
}

// ---------- Keras HDF5 ----------

function readLegacyTree(file: string, tree: Group, activations: Map<string, Activation>): RawLayer[] {
  const layerNames = stringListAttr(tree, 'layer_names');
  if (!layerNames) fail(file, 'no layer_names attribute: not a Keras weights file');
  return layerNames.map((name) => {
    const g = tree.get(name);
    if (!isGroup(g)) fail(file, `layer "${name}" is listed in layer_names but has no group`);
    const weightNames = stringListAttr(g, 'weight_names') ?? [];
    const raw: RawLayer = { name, activation: activations.get(name) };
    for (const wn of weightNames) {
      const ds = g.get(wn);
      if (!isDataset(ds)) fail(file, `dataset ${name}/${wn} listed in weight_names is missing`);
      const arr = datasetFloat32(ds, `${file}: ${name}/${wn}`);
      const kind = /kernel/.test(wn) ? 'kernel' : /bias/.test(wn) ? 'bias' : arr.shape.length === 2 ? 'kernel' : 'bias';
      raw[kind] = arr;
    }
    return raw;
  });
}

function naturalGroupOrder(a: string, b: string): number {
  const [, ba, na] = /^(.*?)(?:_(\d+))?$/.exec(a)!;
  const [, bb, nb] = /^(.*?)(?:_(\d+))?$/.exec(b)!;
  return ba === bb ? Number(na ?? 0) - Number(nb ?? 0) : ba < bb ? -1 : 1;
}

function readKeras3Tree(file: string, root: Group, activations: Activation[] | undefined): RawLayer[] {
  const layers = root.get('layers');
  if (!isGroup(layers)) fail(file, 'no /layers group: not a Keras 3 weights file');
  const raws: RawLayer[] = [];
  for (const key of layers.keys().sort(naturalGroupOrder)) {
    const vars = (layers.get(key) as Group | null)?.get('vars');
    if (!isGroup(vars)) continue;
    const raw: RawLayer = { name: stringAttr(vars, 'name') ?? key };
    const k = vars.get('0');
    const b = vars.get('1');
    if (isDataset(k)) raw.kernel = datasetFloat32(k, `${file}: layers/${key}/vars/0`);
    if (isDataset(b)) raw.bias = datasetFloat32(b, `${file}: layers/${key}/vars/1`);
    if (raw.kernel) raws.push(raw);
  }
  raws.forEach((r, i) => (r.activation = activations?.[i]));
  return raws;
}

async function readHdf5(file: string, keras3Activations?: Activation[]): Promise<LoadedLayerWeights[]> {
  const raw = await readH5(file, (root) => {
    const modelWeights = root.get('model_weights');
    const config = stringAttr(root, 'model_config');
    let activations = new Map<string, Activation>();
    if (config) {
      try {
        activations = activationsFromLayerList(layerListOf(JSON.parse(config)));
      } catch {
        fail(file, 'attribute model_config is not valid JSON');
      }
    }
    if (isGroup(modelWeights)) return readLegacyTree(file, modelWeights, activations);
    if (root.attrs['layer_names']) return readLegacyTree(file, root, activations);
    if (isGroup(root.get('layers'))) return readKeras3Tree(file, root, keras3Activations);
    return fail(file, 'HDF5 file holds no Keras weights (no /model_weights, layer_names or /layers)');
  });
  return finish(file, raw);
}

async function readKerasArchive(file: string, members: Record<string, Uint8Array>): Promise<LoadedLayerWeights[]> {
  let activations: Activation[] | undefined;
  if (members['config.json']) {
    try {
      const layers = layerListOf(JSON.parse(new TextDecoder().decode(members['config.json'])));
      const dense = layers.filter((l) => l.class_name === 'Dense');
      activations = dense.map((l) => activationFromName(l.config?.activation ?? 'linear') ?? 'linear');
    } catch {
      fail(file, 'config.json is not valid JSON');
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'curvature-keras-'));
  try {
    const h5 = join(dir, 'model.weights.h5');
    await writeFile(h5, members['model.weights.h5']);
    return await readHdf5(h5, activations).catch((e: Error) => fail(file, e.message.replace(h5, 'model.weights.h5')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------- entry ----------

export async function readInitialWeights(path: string): Promise<LoadedLayerWeights[]> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    return fail(path, `cannot read weights file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (HDF5_MAGIC.every((b, i) => bytes[i] === b)) return readHdf5(path);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    let members: Record<string, Uint8Array>;
    try {
      members = unzipSync(bytes);
    } catch (e) {
      return fail(path, `corrupt zip archive: ${(e as Error).message}`);
    }
    if (members['model.weights.h5']) return readKerasArchive(path, members);
    return readNpz(path, members);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return fail(path, 'unknown weights format (expected .json, .npz, TF.js model.json, Keras .h5 or .keras)');
  }
  if (!json || typeof json !== 'object') fail(path, 'weights JSON must be an object');
  if ('weightsManifest' in json) return readTfjsModel(path, json as { weightsManifest: unknown });
  return readInlineJson(path, json as { layers?: unknown });
}
