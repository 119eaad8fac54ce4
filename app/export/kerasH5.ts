/**
 * Legacy full-model Keras HDF5 (`model.save('x.h5')`), laid out as tf.keras 2.12 + h5py 3 write it:
 * root @backend/@keras_version (vlen UTF-8) and @model_config (vlen ASCII); /model_weights with
 * @layer_names, per-layer @weight_names (vlen ASCII lists, float64[0] when weightless) and
 * `<layer>/<layer>/kernel:0`, `bias:0` float32 datasets. Keras 2 and Keras 3 (legacy loader) both read it.
 */
import type { File as H5File, Group } from 'h5wasm/node';
import type { DenseWeights } from '../model/spec';
import { buildH5Bytes } from '../modelio/h5';
import { LEGACY_KERAS_VERSION, legacyModelConfig } from './kerasConfig';
import { pythonJson } from './pythonJson';
import type { ExportFile } from './files';

export const KERAS_H5_FILE = 'model.h5';

/**
 * h5wasm dtypes: 'S' = vlen UTF-8, 'A' = vlen ASCII (h5py 3 writes str as vlen). The one byte-level
 * difference from h5py: h5wasm marks vlen UTF-8 strings space-padded where h5py says null-terminated;
 * padding has no meaning for variable-length strings and every reader treats them alike.
 */
const UTF8 = 'S';
const ASCII = 'A';

function setString(obj: Group, name: string, value: string, dtype: string): void {
  obj.create_attribute(name, value, [], dtype);
}

function setNames(obj: Group, name: string, names: string[]): void {
  if (names.length === 0) obj.create_attribute(name, new Float64Array(0), [0], '<d');
  else obj.create_attribute(name, names, [names.length], ASCII);
}

/** Writes the /model_weights-style tree of Dense weights into `group` (also the root of a weights-only file). */
export function writeLegacyWeightsTree(group: Group, layers: readonly DenseWeights[], layerNames: string[]): void {
  const byName = new Map(layers.map((l) => [l.name, l]));
  setString(group, 'backend', 'tensorflow', ASCII);
  setString(group, 'keras_version', LEGACY_KERAS_VERSION, ASCII);
  setNames(group, 'layer_names', layerNames);
  for (const name of layerNames) {
    const layerGroup = group.create_group(name);
    const l = byName.get(name);
    if (!l) {
      setNames(layerGroup, 'weight_names', []);
      continue;
    }
    const inner = layerGroup.create_group(name);
    inner.create_dataset({ name: 'kernel:0', data: l.kernel, shape: [l.fanIn, l.units], dtype: '<f' });
    const weightNames = [`${name}/kernel:0`];
    if (l.bias) {
      inner.create_dataset({ name: 'bias:0', data: l.bias, shape: [l.units], dtype: '<f' });
      weightNames.push(`${name}/bias:0`);
    }
    setNames(layerGroup, 'weight_names', weightNames);
  }
  // tf.keras 2.11+ writes this empty group for the model's own (top-level) variables; it is not a layer.
  setNames(group.create_group('top_level_model_weights'), 'weight_names', []);
}

export async function kerasH5File(
  layers: readonly DenseWeights[],
  inputDim: number,
  scratchPath: string,
): Promise<ExportFile> {
  const { config, layerNames } = legacyModelConfig(layers, inputDim);
  const bytes = await buildH5Bytes(scratchPath, (root: H5File) => {
    setString(root, 'backend', 'tensorflow', UTF8);
    setString(root, 'keras_version', LEGACY_KERAS_VERSION, UTF8);
    setString(root, 'model_config', pythonJson(config), ASCII);
    writeLegacyWeightsTree(root.create_group('model_weights'), layers, layerNames);
  });
  return { name: KERAS_H5_FILE, bytes };
}
