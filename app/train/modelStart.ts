/**
 * `model.from`: the experiment starts from an existing model file. Its weights become the shared
 * start point x0, after checking the file against the layer stack and the prepared data, so that a
 * mismatch is a clear error naming the layer, both sizes and what to change — before anything trains.
 */
import path from 'node:path';
import type { PreparedData } from '../data/types';
import { importModel, type ImportedModel } from '../modelio/importModel';
import { resolveModel, type ResolvedModel } from '../model/layers';
import type { ModelSpec } from '../model/spec';
import { fromLayerArrays } from '../model/params';
import { ConfigError } from '../util/configError';

/**
 * `model.from` resolved against the experiment's folder. Whether it may lead outside that folder is
 * decided before (app/cli/experimentPaths: the same check as `data`, lifted by
 * --allow-outside-paths; hosts pass only files the user chose), never here.
 */
export function modelFromPath(from: string, baseDir: string): string {
  if (from.includes('\0')) throw new ConfigError('model.from: the path contains a NUL byte');
  return path.resolve(baseDir, from);
}

function list(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** Input width and output units of the file's model against the data, after one-hot encoding and column roles. */
export function checkModelAgainstData(imported: Pick<ImportedModel, 'file' | 'layers' | 'inputDim'>, data: Pick<PreparedData, 'inputDim' | 'outputDim' | 'task' | 'preprocessing'>): void {
  const file = path.basename(imported.file);
  const first = imported.layers[0];
  if (imported.inputDim !== data.inputDim) {
    const more = data.inputDim > imported.inputDim;
    throw new ConfigError(
      `model.from ${file}: layer "${first.name}" expects ${imported.inputDim} inputs but the data gives ${data.inputDim} ` +
        `(after one-hot encoding and column roles: ${list(data.preprocessing.inputNames)}). In the Data view, ` +
        (more
          ? `set ${data.inputDim - imported.inputDim} more column${data.inputDim - imported.inputDim === 1 ? '' : 's'} to "ignore" (each category of a one-hot column counts as one input).`
          : `mark ${imported.inputDim - data.inputDim} more column${imported.inputDim - data.inputDim === 1 ? '' : 's'} as features, or choose the dataset the model was trained on.`) +
        ' Nothing was trained.',
    );
  }
  const last = imported.layers[imported.layers.length - 1];
  if (last.units !== data.outputDim) {
    const target = data.preprocessing.target;
    const classes = data.preprocessing.classLabels;
    const found =
      data.task === 'multiclass'
        ? `${data.outputDim} (multiclass target "${target}" with ${data.outputDim} classes, one-hot)`
        : data.task === 'binary'
          ? `1 (binary target "${target}": one sigmoid output)`
          : `${data.outputDim} (regression target "${target}")`;
    const fix =
      data.task === 'binary' && last.units === 2
        ? 'set the task to "multiclass" so that the two classes get one output each'
        : `choose a target with ${last.units === 1 ? 'one output (regression or binary)' : `${last.units} classes`}` +
          (classes ? ` (this one has ${classes.length}: ${list(classes, 5)})` : '');
    throw new ConfigError(
      `model.from ${file}: output layer "${last.name}" has ${last.units} units but the data needs ${found}. In the Data view, ${fix}. Nothing was trained.`,
    );
  }
}

/**
 * The resolved model and start point for an experiment with `model.from`. The experiment's layers
 * (as the editor holds them) must have the file's shapes; activations and names come from the experiment.
 */
export async function modelFromFile(spec: ModelSpec & { from: string }, data: PreparedData, baseDir: string): Promise<{ model: ResolvedModel; x0: Float64Array; imported: ImportedModel }> {
  const file = modelFromPath(spec.from, baseDir);
  const imported = await importModel(file, { layers: spec.layers });
  checkModelAgainstData(imported, data);
  if (spec.layers.length !== imported.weights.length) {
    throw new ConfigError(
      `model.layers: ${spec.layers.length} layers, but ${path.basename(file)} holds ${imported.weights.length}; ` +
        'remove model.from to train the edited layers from fresh weights. Nothing was trained.',
    );
  }
  // The file's output layer is the output: never append one.
  const model = resolveModel({ ...spec, output: 'last' }, data.inputDim, data.task, data.outputDim);
  const x0 = fromLayerArrays(
    model,
    imported.weights.map((w) => ({ kernel: w.kernel, kernelShape: [w.fanIn, w.units], bias: w.bias })),
    `model.from ${path.basename(file)}`,
  );
  return { model, x0, imported };
}
