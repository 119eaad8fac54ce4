/**
 * Hostile model files for the safety tests and the fuzz test: a small valid TF.js model whose
 * manifest can name any shard, a secret file whose floats must never come back, and zips whose
 * central directory says what an attacker wants (overlapping entries, false sizes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'fflate';

export const HOSTILE = fileURLToPath(new URL('../../fixtures/hostile', import.meta.url));

/** Six float32 values no model file here holds: their bytes in any output mean a read outside. */
export const SECRET_FLOATS = [1234.5, -987.25, 4242.125, 31337.5, -2718.25, 1618.75];

export function secretBytes(): Buffer {
  return Buffer.from(new Float32Array(SECRET_FLOATS).buffer);
}

/** True when `haystack` holds the secret's first three floats in a row (as bytes or as printed numbers). */
export function containsSecret(haystack: Buffer | string): boolean {
  if (typeof haystack === 'string') return SECRET_FLOATS.slice(0, 3).every((v) => haystack.includes(String(v)));
  return haystack.includes(secretBytes().subarray(0, 12));
}

/** A TF.js layers model.json: Dense(2 → 2), its weights in the shards `paths` names. */
export function tfjsModelJson(paths: unknown, overrides: { weights?: unknown; layers?: unknown[] } = {}): string {
  return JSON.stringify({
    format: 'layers-model',
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 's', layers: overrides.layers ?? [{ class_name: 'Dense', config: { name: 'd', units: 2, activation: 'linear', batch_input_shape: [null, 2] } }] },
    },
    weightsManifest: [
      {
        paths,
        weights: overrides.weights ?? [
          { name: 'd/kernel', shape: [2, 2], dtype: 'float32' },
          { name: 'd/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ],
  });
}

/** A folder `case/` with model.json naming `paths`, a good shard `w.bin` beside it and the secret one level up. */
export function tfjsCase(root: string, name: string, paths: unknown, overrides?: Parameters<typeof tfjsModelJson>[1]): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(root, 'secret.bin'), secretBytes());
  fs.writeFileSync(path.join(dir, 'w.bin'), Buffer.from(new Float32Array([0.5, -0.5, 0.25, 1, 0, 0.1]).buffer));
  const model = path.join(dir, 'model.json');
  fs.writeFileSync(model, tfjsModelJson(paths, overrides));
  return model;
}

interface ZipEntry {
  name: string;
  /** Offset of the local record it points at (entries may share one: overlapping). */
  local: number;
  compressed: number;
  declared: number;
}

/**
 * A zip with one deflated local record of `inflated` zero bytes and central entries `names`, every
 * one pointing at that record (the overlapping-entries zip bomb: N names, one small stream).
 * `declaredSize` overrides the inflated size the directory states.
 */
export function overlappingZip(names: string[], inflated: number, declaredSize = inflated): Uint8Array {
  const data = deflateSync(new Uint8Array(inflated));
  const localName = Buffer.from(names[0]);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declaredSize >>> 0, 22);
  local.writeUInt16LE(localName.length, 26);
  const entries: ZipEntry[] = names.map((name) => ({ name, local: 0, compressed: data.length, declared: declaredSize }));
  return buildZip([Buffer.concat([local, localName, Buffer.from(data)])], entries);
}

function buildZip(locals: Buffer[], entries: ZipEntry[]): Uint8Array {
  const body = Buffer.concat(locals);
  const central = entries.map((e) => {
    const name = Buffer.from(e.name);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(e.compressed, 20);
    c.writeUInt32LE(e.declared >>> 0, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(e.local, 42);
    return Buffer.concat([c, name]);
  });
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(body.length, 16);
  return new Uint8Array(Buffer.concat([body, dir, end]));
}
