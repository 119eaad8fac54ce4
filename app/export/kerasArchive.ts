/**
 * Keras 3 `.keras` archive: a zip of metadata.json, config.json and model.weights.h5, all STORED,
 * written the way Keras' saving_lib writes them (see test/fixtures/keras/README.md).
 * Weights live at /layers/<dense, dense_1, …>/vars/{0,1}; group names follow Keras' class-name
 * tracking, not layer names, which go into the `@name` attribute.
 */
import { zipSync, type Zippable } from 'fflate';
import type { File as H5File } from 'h5wasm/node';
import type { DenseWeights } from '../model/spec';
import { buildH5Bytes } from '../modelio/h5';
import { KERAS3_VERSION, MODEL_NAME, keras3ModelConfig } from './kerasConfig';
import { pythonJson } from './pythonJson';
import type { ExportFile } from './files';

export const KERAS_ARCHIVE_FILE = 'model.keras';

/** Keras' tracking name for the i-th Dense layer of a Sequential: dense, dense_1, dense_2, … */
export function keras3LayerGroup(index: number): string {
  return index === 0 ? 'dense' : `dense_${index}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** `date_saved` as Keras writes it: local time, "YYYY-MM-DD@HH:MM:SS". */
export function kerasDateSaved(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}@${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export async function keras3WeightsH5(layers: readonly DenseWeights[], scratchPath: string): Promise<Uint8Array> {
  return buildH5Bytes(scratchPath, (root: H5File) => {
    const layersGroup = root.create_group('layers');
    layers.forEach((l, i) => {
      const vars = layersGroup.create_group(keras3LayerGroup(i)).create_group('vars');
      vars.create_attribute('name', l.name, [], 'S');
      vars.create_dataset({ name: '0', data: l.kernel, shape: [l.fanIn, l.units], dtype: '<f' });
      if (l.bias) vars.create_dataset({ name: '1', data: l.bias, shape: [l.units], dtype: '<f' });
    });
    root.create_group('vars').create_attribute('name', MODEL_NAME, [], 'S');
  });
}

const JSON_MTIME = new Date(1980, 0, 1, 0, 0, 0);
/** Unix, mode 0600: what Python's zipfile records for members written with `ZipFile.open(name, 'w')`. */
const MEMBER_ATTRS = { os: 3, attrs: 0o600 << 16, level: 0 } as const;

export async function kerasArchiveFile(
  layers: readonly DenseWeights[],
  inputDim: number,
  scratchPath: string,
  now: Date = new Date(),
): Promise<ExportFile> {
  const enc = new TextEncoder();
  const weights = await keras3WeightsH5(layers, scratchPath);
  const metadata = pythonJson({ keras_version: KERAS3_VERSION, date_saved: kerasDateSaved(now) });
  const config = pythonJson(keras3ModelConfig(layers, inputDim));
  // Object key order is the member order Keras uses: metadata, config, weights.
  const members: Zippable = {
    'metadata.json': [enc.encode(metadata), { ...MEMBER_ATTRS, mtime: JSON_MTIME }],
    'config.json': [enc.encode(config), { ...MEMBER_ATTRS, mtime: JSON_MTIME }],
    'model.weights.h5': [weights, { ...MEMBER_ATTRS, mtime: now }],
  };
  return { name: KERAS_ARCHIVE_FILE, bytes: zipSync(members) };
}
