/**
 * h5wasm access for Node and Electron. Files are opened from bytes in h5wasm's own in-memory file
 * system (the ES module build, whose FS is MEMFS — never the NODERAWFS build that reaches host
 * paths), so nothing an HDF5 file names can be read: external storage and external links find no
 * file. They are also recognised and refused by name: every path HDF5 tries to open besides the
 * file itself is recorded. HDF5's own error stack goes to a file in that FS (its stderr, fd 2, is
 * reopened there), is read after each call for the error, and never reaches the terminal.
 */
import type { Dataset, File as H5File, Group } from 'h5wasm';
import { ModelImportError, printable } from './errors';
import { readRegularFile } from './safeFile';

type H5wasm = (typeof import('h5wasm'))['default'];
interface Stream {
  fd: number;
}
interface MemFs {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
  open: (path: string, flags: string) => Stream;
  close(stream: Stream): void;
  ftruncate(fd: number, length: number): void;
  llseek(stream: Stream, offset: number, whence: number): number;
  streams: (Stream | null)[];
}
const DIAGNOSTICS = '/hdf5-diagnostics';
let loading: Promise<{ h5: H5wasm; fs: MemFs; diagnostics: Stream }> | undefined;
let counter = 0;

/** Loads the wasm once. Emscripten mistakes Electron (which defines `navigator`) for a browser, so hide it while loading. */
export function loadH5wasm(): Promise<{ h5: H5wasm; fs: MemFs; diagnostics: Stream }> {
  loading ??= (async () => {
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true });
    try {
      const h5 = (await import('h5wasm')).default;
      const fs = ((await h5.ready) as unknown as { FS: MemFs }).FS;
      // HDF5 prints its error stack on stderr: make fd 2 a file in memory (the lowest free fd is reused).
      if (fs.streams[2]) fs.close(fs.streams[2]);
      const diagnostics = fs.open(DIAGNOSTICS, 'w+');
      return { h5, fs, diagnostics };
    } finally {
      if (nav?.configurable) Object.defineProperty(globalThis, 'navigator', nav);
    }
  })();
  return loading;
}

/** Runs `body` (synchronous h5wasm calls) with every file open other than `own` recorded, and collects HDF5's error stack. */
function guarded<T>(fs: MemFs, diagnostics: Stream, own: string, body: () => T): { value: T; foreign: string[]; diagnostics: string } {
  const foreign: string[] = [];
  const open = fs.open;
  fs.open = (p: string, flags: string) => {
    if (typeof p === 'string' && p !== own && p !== DIAGNOSTICS) foreign.push(p);
    return open.call(fs, p, flags);
  };
  try {
    return { value: body(), foreign, diagnostics: takeDiagnostics(fs, diagnostics) };
  } finally {
    fs.open = open;
  }
}

function takeDiagnostics(fs: MemFs, stream: Stream): string {
  const text = new TextDecoder().decode(fs.readFile(DIAGNOSTICS));
  fs.ftruncate(stream.fd, 0);
  fs.llseek(stream, 0, 0);
  return text;
}

/** The innermost HDF5 error ("unable to open external raw data file") from its captured error stack. */
function lastHdf5Error(diagnostics: string): string | undefined {
  const lines = [...diagnostics.matchAll(/#\d+: .* in (\w+)\(\): (.*)/g)];
  return lines.length ? lines[lines.length - 1][2].trim() : undefined;
}

/** Builds an HDF5 file in memory (h5py's default 'earliest' format) and returns its bytes. */
export async function buildH5Bytes(_scratchName: string, build: (root: H5File) => void): Promise<Uint8Array> {
  const { h5, fs } = await loadH5wasm();
  const name = `/curvature-out-${++counter}.h5`;
  try {
    const file = new h5.File(name, 'w', { libver: ['earliest', 'latest'] });
    try {
      build(file);
    } finally {
      file.close();
    }
    return fs.readFile(name).slice();
  } finally {
    try {
      fs.unlink(name);
    } catch {
      /* never created */
    }
  }
}

/**
 * Opens HDF5 `bytes` for reading in memory, runs `read` and always closes it. `reportAs` names
 * the file in errors. A file that makes HDF5 reach for any other file (external storage, external
 * link) is refused, whatever `read` returned.
 */
export async function readH5Bytes<T>(reportAs: string, bytes: Uint8Array, read: (root: H5File) => T, what = 'the HDF5 file'): Promise<T> {
  const { h5, fs, diagnostics: log } = await loadH5wasm();
  const name = `/curvature-in-${++counter}.h5`;
  fs.writeFile(name, bytes);
  takeDiagnostics(fs, log);
  try {
    const { value, foreign, diagnostics } = guarded(fs, log, name, () => {
      const file = new h5.File(name, 'r');
      if (!file.file_id || file.file_id < 0n) throw new ModelImportError(reportAs, `${what} is not a readable HDF5 file`);
      try {
        return read(file);
      } finally {
        file.close();
      }
    });
    if (foreign.length > 0) {
      throw new ModelImportError(
        reportAs,
        `${what} refers to another file "${printable(foreign[0])}" (external storage or an external link); Curvature reads only the file itself`,
      );
    }
    const error = lastHdf5Error(diagnostics);
    if (error) throw new ModelImportError(reportAs, `${what}: unreadable HDF5 data (${printable(error)})`);
    return value;
  } catch (e) {
    if (e instanceof ModelImportError) throw e;
    throw new ModelImportError(reportAs, `${what} is unreadable as HDF5 (${printable((e as Error).message?.split('\n')[0] ?? String(e))})`);
  } finally {
    fs.unlink(name);
  }
}

export function isGroup(x: unknown): x is Group {
  return !!x && typeof (x as Group).keys === 'function' && typeof (x as Group).create_group === 'function';
}

export function isDataset(x: unknown): x is Dataset {
  return !!x && typeof (x as Dataset).shape !== 'undefined' && typeof (x as Dataset).slice === 'function';
}

/** True for an h5wasm external link object (returned by `get`, never followed). */
export function isExternalLink(x: unknown): boolean {
  return !!x && (x as { constructor?: { name?: string } }).constructor?.name === 'ExternalLink';
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

/** Reads an HDF5 file from disk (a regular file within the size budget) and opens it in memory. */
export async function readH5<T>(path: string, read: (root: H5File) => T): Promise<T> {
  return readH5Bytes(path, await readRegularFile(path, path, 'the HDF5 file'), read);
}
