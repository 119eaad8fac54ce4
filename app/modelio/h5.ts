/**
 * h5wasm access for Node and Electron. h5wasm's Node build (NODERAWFS) reads and writes host paths
 * directly, so HDF5 bytes are produced through a scratch file and read back.
 */
import { readFile, rm } from 'node:fs/promises';
import type { Dataset, File as H5File, Group } from 'h5wasm/node';

type H5wasm = (typeof import('h5wasm/node'))['default'];
let loading: Promise<H5wasm> | undefined;

/** Loads the wasm once. Emscripten mistakes Electron (which defines `navigator`) for a browser, so hide it while loading. */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= (async () => {
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    try {
      const mod = (await import('h5wasm/node')).default;
      await mod.ready;
      return mod;
    } finally {
      if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', nav);
    }
  })();
  return loading;
}

/** Builds an HDF5 file at `scratchPath` (h5py's default 'earliest' format) and returns its bytes; the scratch file is removed. */
export async function buildH5Bytes(scratchPath: string, build: (root: H5File) => void): Promise<Uint8Array> {
  const h5 = await loadH5wasm();
  try {
    const file = new h5.File(scratchPath, 'w', { libver: ['earliest', 'latest'] });
    try {
      build(file);
    } finally {
      file.close();
    }
    return new Uint8Array(await readFile(scratchPath));
  } finally {
    await rm(scratchPath, { force: true });
  }
}

/** Opens an HDF5 file for reading, runs `read`, and always closes it. */
export async function readH5<T>(path: string, read: (root: H5File) => T): Promise<T> {
  const h5 = await loadH5wasm();
  const file = new h5.File(path, 'r');
  if (!file.file_id || file.file_id < 0n) throw new Error(`${path}: not a readable HDF5 file`);
  try {
    return read(file);
  } finally {
    file.close();
  }
}

export function isGroup(x: unknown): x is Group {
  return !!x && typeof (x as Group).keys === 'function' && typeof (x as Group).create_group === 'function';
}

export function isDataset(x: unknown): x is Dataset {
  return !!x && typeof (x as Dataset).shape !== 'undefined' && typeof (x as Dataset).slice === 'function';
}

/** Float32 data of a dataset (converted from float64 if someone wrote doubles). */
export function datasetFloat32(ds: Dataset, where: string): { shape: number[]; data: Float32Array } {
  const v = ds.value;
  const shape = ds.shape ?? [];
  if (v instanceof Float32Array) return { shape, data: v };
  if (v instanceof Float64Array) return { shape, data: Float32Array.from(v) };
  throw new Error(`${where}: expected a float dataset, found dtype ${String(ds.dtype)}`);
}

/** A string-list attribute (vlen or fixed-length) as string[]; float64[0] means "no names" in Keras files. */
export function stringListAttr(holder: { attrs: Record<string, { value: unknown }> }, name: string): string[] | undefined {
  const a = holder.attrs[name];
  if (!a) return undefined;
  const v = a.value;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(String);
  if (ArrayBuffer.isView(v) && (v as Float64Array).length === 0) return [];
  return undefined;
}

export function stringAttr(holder: { attrs: Record<string, { value: unknown }> }, name: string): string | undefined {
  const v = holder.attrs[name]?.value;
  return typeof v === 'string' ? v : undefined;
}
