import { unzipSync } from 'fflate';
import { parse as parseNpy } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { npyBytes, npzFile, shortestFloat32, weightsJson, weightsJsonFile } from '../../../app/export/numpy';
import { rng } from './helpers';
import { inlineWeightsSchema } from '../../../app/schema/experiment';
import { EVERY_ACTIVATION, makeLayers } from './helpers';

function arrayBufferOf(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

describe('NumPy exports', () => {
  const layers = makeLayers(EVERY_ACTIVATION.inputDim, EVERY_ACTIVATION.plan, 5);

  it('weights.npz: every array reads back with npyjs (not our parser) identical, float32, Keras shapes', () => {
    const members = unzipSync(npzFile(layers).bytes);
    const expectedNames = layers.flatMap((l) => [`${l.name}/kernel.npy`, ...(l.bias ? [`${l.name}/bias.npy`] : [])]);
    expect(Object.keys(members)).toEqual(expectedNames);
    for (const l of layers) {
      const k = parseNpy(arrayBufferOf(members[`${l.name}/kernel.npy`]));
      expect(k.dtype).toBe('f4');
      expect(k.fortranOrder).toBe(false);
      expect(k.shape).toEqual([l.fanIn, l.units]);
      expect(k.data).toEqual(l.kernel);
      if (l.bias) {
        const b = parseNpy(arrayBufferOf(members[`${l.name}/bias.npy`]));
        expect(b.shape).toEqual([l.units]);
        expect(b.data).toEqual(l.bias);
      } else {
        expect(members[`${l.name}/bias.npy`]).toBeUndefined();
      }
    }
  });

  it('.npy headers follow format 1.0 exactly as numpy writes them (64-byte aligned data)', () => {
    const bytes = npyBytes(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const headerLen = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLen) % 64).toBe(0);
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLen))).toBe(dict + ' '.repeat(headerLen - dict.length - 1) + '\n');
    expect(new TextDecoder().decode(npyBytes(new Float32Array(3), [3]).subarray(10, 128))).toContain("'shape': (3,), }");
    expect(() => npyBytes(new Float32Array(5), [2, 3])).toThrow(/needs 6 values, got 5/);
  });

  it('weights.json is the inline-weights shape the experiment schema accepts, with exact float32 values', () => {
    const text = new TextDecoder().decode(weightsJsonFile(layers).bytes);
    const parsed = JSON.parse(text);
    expect(inlineWeightsSchema.safeParse(parsed).success).toBe(true);
    expect(parsed).toEqual(weightsJson(layers));
    parsed.layers.forEach((l: { name: string; activation: string; W: number[][]; b?: number[] }, i: number) => {
      expect(l.name).toBe(layers[i].name);
      expect(l.activation).toBe(layers[i].activation);
      expect(l.W).toHaveLength(layers[i].fanIn);
      expect(Float32Array.from(l.W.flat())).toEqual(layers[i].kernel);
      if (layers[i].bias) expect(Float32Array.from(l.b!)).toEqual(layers[i].bias);
      else expect(l.b).toBeUndefined();
    });
  });

  it('shortestFloat32 prints short decimals that round back to the identical float32', () => {
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
    expect(shortestFloat32(Math.fround(-1.5e-8))).toBe(-1.5e-8);
    const r = rng(3);
    for (let i = 0; i < 5000; i++) {
      const f = Math.fround((r() - 0.5) * 10 ** Math.floor(r() * 12 - 6));
      const s = shortestFloat32(f);
      expect(Math.fround(s)).toBe(f);
      expect(String(s).replace(/^-?0\.0*|e.*$|\.|-/g, '').length).toBeLessThanOrEqual(9);
    }
  });
});
