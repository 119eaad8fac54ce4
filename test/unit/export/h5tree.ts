/** Test-side HDF5 inspection with h5wasm: every path with its attributes' types and datasets' shapes. */
import type { File as H5File, Group } from 'h5wasm/node';
import { isDataset, isGroup, readH5 } from '../../../app/modelio/h5';

export interface AttrInfo {
  /** h5wasm type class: 1 float, 3 string, 0 int. */
  type: number;
  vlen: boolean;
  cset?: number;
  /** 0 NULLTERM, 1 NULLPAD, 2 SPACEPAD. */
  strpad?: number;
  size: number;
  shape: number[];
}
export interface NodeInfo {
  kind: 'group' | 'dataset';
  attrs: Record<string, AttrInfo>;
  shape?: number[];
  dtype?: string;
}

function attrInfo(holder: Group): Record<string, AttrInfo> {
  const out: Record<string, AttrInfo> = {};
  for (const [name, a] of Object.entries(holder.attrs)) {
    const m = a.metadata;
    out[name] = { type: m.type, vlen: m.vlen, cset: m.cset, strpad: m.strpad, size: m.vlen ? 4 : m.size, shape: m.shape ?? [] };
  }
  return out;
}

export async function h5Tree(path: string): Promise<Map<string, NodeInfo>> {
  return readH5(path, (root: H5File) => {
    const out = new Map<string, NodeInfo>();
    const walk = (g: Group, prefix: string) => {
      out.set(prefix || '/', { kind: 'group', attrs: attrInfo(g) });
      for (const k of g.keys()) {
        const child = g.get(k);
        const p = `${prefix}/${k}`;
        if (isGroup(child)) walk(child, p);
        else if (isDataset(child)) {
          out.set(p, { kind: 'dataset', attrs: attrInfo(child as unknown as Group), shape: child.shape ?? [], dtype: String(child.dtype) });
        }
      }
    };
    walk(root, '');
    return out;
  });
}

/** Reads attribute values (JSON-compatible) at a path. */
export async function h5Attrs(path: string, objPath: string): Promise<Record<string, unknown>> {
  return readH5(path, (root) => {
    const obj = objPath === '/' ? root : root.get(objPath.replace(/^\//, ''));
    if (!obj) throw new Error(`${objPath} not in ${path}`);
    const out: Record<string, unknown> = {};
    for (const [k, a] of Object.entries((obj as Group).attrs)) out[k] = a.json_value;
    return out;
  });
}

export async function h5Float32(path: string, objPath: string): Promise<Float32Array> {
  return readH5(path, (root) => {
    const ds = root.get(objPath.replace(/^\//, ''));
    if (!isDataset(ds)) throw new Error(`${objPath} is not a dataset in ${path}`);
    const v = ds.value;
    if (!(v instanceof Float32Array)) throw new Error(`${objPath} is not float32`);
    return v;
  });
}

/** Superblock version byte (offset 8 after the 8-byte signature): 0 is h5py's default 'earliest'. */
export function superblockVersion(bytes: Uint8Array): number {
  const sig = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => bytes[i] === b)) throw new Error('not HDF5');
  return bytes[8];
}
