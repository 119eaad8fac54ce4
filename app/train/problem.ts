/** Data + model + initial weights of an experiment: what every run and the gradient check share. */
import path from 'node:path';
import type { Experiment } from '../schema/experiment';
import type { PreparedData } from '../data/types';
import { prepareData } from '../data/prepare';
import { resolveModel, type ResolvedModel } from '../model/layers';
import { glorotUniform } from '../model/params';
import { loadInitialWeights } from './initialWeights';
import { modelFromFile } from './modelStart';
import { ConfigError } from '../util/configError';

export interface Problem {
  data: PreparedData;
  model: ResolvedModel;
  /** The shared start point: from the experiment's initial weights, or Glorot-uniform from its seed. */
  x0: Float64Array;
}

export async function buildProblem(experiment: Experiment, baseDir: string): Promise<Problem> {
  const data = await prepareData(experiment.data, { baseDir });
  const from = experiment.model.from;
  if (from !== undefined) {
    if (experiment.initialWeights) throw new ConfigError('initialWeights and model.from both name a start point; keep one');
    const { model, x0, imported } = await modelFromFile({ ...experiment.model, from }, data, baseDir);
    // Shown wherever the notes go: the race header, the CLI's stderr, the --json report.
    const notes = [`start: weights from ${path.basename(imported.file)}`, ...imported.notes, ...data.notes];
    return { data: { ...data, notes }, model, x0 };
  }
  const model = resolveModel(experiment.model, data.inputDim, data.task, data.outputDim);
  const x0 = experiment.initialWeights
    ? await loadInitialWeights(experiment.initialWeights, model, baseDir)
    : glorotUniform(model, experiment.seed);
  return { data, model, x0 };
}
