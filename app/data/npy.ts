/**
 * NumPy .npy (format versions 1–3; little-endian numeric dtypes; C order; 1-D or 2-D) and .npz
 * archives (zip of .npy members, stored or deflated) holding X/x and optionally y.
 */
import { crc32 } from 'node:zlib';
import { unzipSync } from 'fflate';
import { type RawTable, TableBuilder } from './table';
import { DataError } from './types';

export interface NpyArray {
  /** 1 or 2 entries. */
  shape: number[];
  dtype: string;
  /** Values in C (row-major) order. */
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Reader = (bytes: Uint8Array, count: number) => ArrayLike<number>;

/** Aligned copy of the data bytes so typed-array views are legal whatever the header length. */
const aligned = (bytes: Uint8Array, n: number) => bytes.slice(0, n).buffer;

const READERS: Record<string, { size: number; read: Reader }> = {
  f4: { size: 4, read: (b, n) => new Float32Array(aligned(b, n * 4)) },
  f8: { size: 8, read: (b, n) => new Float64Array(aligned(b, n * 8)) },
  i1: { size: 1, read: (b, n) => new Int8Array(aligned(b, n)) },
  i2: { size: 2, read: (b, n) => new Int16Array(aligned(b, n * 2)) },
  i4: { size: 4, read: (b, n) => new Int32Array(aligned(b, n * 4)) },
  i8: { size: 8, read: (b, n) => Float64Array.from(new BigInt64Array(aligned(b, n * 8)), Number) },
  u1: { size: 1, read: (b, n) => new Uint8Array(aligned(b, n)) },
  u2: { size: 2, read: (b, n) => new Uint16Array(aligned(b, n * 2)) },
  u4: { size: 4, read: (b, n) => new Uint32Array(aligned(b, n * 4)) },
  u8: { size: 8, read: (b, n) => Float64Array.from(new BigUint64Array(aligned(b, n * 8)), Number) },
  b1: { size: 1, read: (b, n) => new Uint8Array(aligned(b, n)) },
};

/** Parses the bytes of one .npy file; `file` names it in errors (e.g. "data.npz:X.npy"). */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new DataError('not a .npy file (missing the \\x93NUMPY magic string)', { file, field: 'header' });
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataError(`unsupported .npy format version ${major}.${bytes[7]}`, { file, field: 'header' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new DataError('truncated .npy header', { file, field: 'header' });
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) throw new DataError('truncated .npy header', { file, field: 'header' });
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(`bad .npy header (needs descr, fortran_order and shape): ${header.trim().slice(0, 200)}`, {
      file,
      field: 'header',
    });
  }
  if (fortran === 'True') {
    throw new DataError('Fortran-ordered arrays are not supported; save with np.ascontiguousarray(a)', {
      file,
      field: 'fortran_order',
    });
  }
  const shapeParts = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (shapeParts.some((s) => !/^\d+$/.test(s))) throw new DataError(`bad shape (${shapeText})`, { file, field: 'shape' });
  const shape = shapeParts.map(Number);
  if (shape.length < 1 || shape.length > 2) {
    throw new DataError(`expected a 1-D or 2-D array, found shape (${shapeText.trim()})`, { file, field: 'shape' });
  }

  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  const key = m ? `${m[2]}${m[3]}` : '';
  const reader = READERS[key];
  if (!m || !reader) {
    throw new DataError(`unsupported dtype '${descr}' (supported: float32/64, int8–64, uint8–64, bool)`, { file, field: 'descr' });
  }
  if (m[1] === '>' && reader.size > 1) {
    throw new DataError(`big-endian dtype '${descr}' is not supported; save with a.astype('<${key}')`, { file, field: 'descr' });
  }

  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * reader.size;
  const have = bytes.length - dataStart;
  if (have < need) {
    throw new DataError(`truncated data: shape (${shape.join(', ')}) needs ${need} bytes, file has ${have}`, { file });
  }
  const values = reader.read(bytes.subarray(dataStart), count);
  const data = values instanceof Float64Array ? values : Float64Array.from(values);
  return { shape, dtype: descr, data };
}

const columnsOf = (a: NpyArray) => (a.shape.length === 2 ? a.shape[1] : 1);

/**
 * Table from an X array (columns x0…x{d-1}) and an optional y (column `y`; a one-hot (n, K)
 * y becomes its class index).
 */
export function tableFromArrays(x: NpyArray, y: NpyArray | undefined, file: string, format: 'npy' | 'npz'): RawTable {
  const n = x.shape[0];
  const d = columnsOf(x);
  let yValues: Float64Array | undefined;
  if (y !== undefined) {
    if (y.shape[0] !== n) {
      throw new DataError(`X has ${n} rows but y has ${y.shape[0]}`, { file, field: 'y' });
    }
    yValues = targetColumn(y, file);
  }
  const names = Array.from({ length: d }, (_, j) => `x${j}`);
  if (yValues) names.push('y');
  const b = new TableBuilder(file, format, names);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j];
      b.push(j, Number.isFinite(v) ? v : null);
    }
    if (yValues) {
      const v = yValues[i];
      b.push(d, Number.isFinite(v) ? v : null);
    }
  }
  return b.finish();
}

function targetColumn(y: NpyArray, file: string): Float64Array {
  const k = columnsOf(y);
  if (k === 1) return y.data;
  const n = y.shape[0];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let hot = -1;
    for (let c = 0; c < k; c++) {
      const v = y.data[i * k + c];
      if (v === 1 && hot === -1) hot = c;
      else if (v !== 0) {
        throw new DataError(`y has shape (${n}, ${k}) but row ${i + 1} is not one-hot; expected 1-D labels or one-hot rows`, {
          file,
          row: i + 1,
          field: 'y',
        });
      }
    }
    if (hot === -1) throw new DataError(`y row ${i + 1} is all zeros; expected one-hot rows`, { file, row: i + 1, field: 'y' });
    out[i] = hot;
  }
  return out;
}

/** Members of an .npz archive; fflate's messages are wrapped so they name the file. */
export function readNpz(bytes: Uint8Array, file: string): { x: NpyArray; y?: NpyArray } {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (e) {
    throw new DataError(`not a valid .npz (zip) archive: ${(e as Error).message}`, { file });
  }
  const names = Object.keys(members);
  const find = (...candidates: string[]) => candidates.find((c) => c in members);
  // fflate does not check CRCs: a flipped bit in a stored member would be trained on silently.
  const expected = centralDirectoryCrcs(bytes, file);
  for (const name of names) {
    const want = expected.get(name);
    if (want === undefined) continue;
    const got = crc32(members[name]) >>> 0;
    if (got !== want) {
      throw new DataError(`corrupt member ${name}: its CRC-32 is ${hex32(got)} but the archive records ${hex32(want)}`, { file, field: name });
    }
  }
  const xName = find('X.npy', 'x.npy', 'X', 'x');
  if (xName === undefined) {
    throw new DataError(`archive has no X or x array; found: ${names.join(', ') || 'nothing'}`, { file });
  }
  const yName = find('y.npy', 'Y.npy', 'y', 'Y');
  return {
    x: parseNpy(members[xName], `${file}:${xName}`),
    y: yName !== undefined ? parseNpy(members[yName], `${file}:${yName}`) : undefined,
  };
}

const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Member name → CRC-32 as recorded in the zip's central directory (zip64 included, as NumPy writes
 * for large arrays). The central directory is authoritative even when local headers defer their CRC
 * to a data descriptor.
 */
export function centralDirectoryCrcs(bytes: Uint8Array, file: string): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string) => new DataError(`not a valid .npz (zip) archive: ${what}`, { file });
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end-of-central-directory record');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(view.getBigUint64(eocd - 12, true));
    if (z64 + 56 > bytes.length || view.getUint32(z64, true) !== 0x06064b50) throw bad('broken zip64 end-of-central-directory record');
    count = Number(view.getBigUint64(z64 + 32, true));
    offset = Number(view.getBigUint64(z64 + 48, true));
  }
  const crcs = new Map<string, number>();
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw bad(`central directory entry ${k + 1} is damaged`);
    const flags = view.getUint16(p + 8, true);
    const crc = view.getUint32(p + 16, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    if (p + 46 + nameLength > bytes.length) throw bad(`central directory entry ${k + 1} is damaged`);
    const name = new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(bytes.subarray(p + 46, p + 46 + nameLength));
    crcs.set(name, crc);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return crcs;
}
