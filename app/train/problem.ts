/** Data + model + initial weights of an experiment: what every run and the gradient check share. */
import type { Experiment } from '../schema/experiment';
import type { PreparedData } from '../data/types';
import { prepareData } from '../data/prepare';
import { resolveModel, type ResolvedModel } from '../model/layers';
import { glorotUniform } from '../model/params';
import { loadInitialWeights } from './initialWeights';

export interface Problem {
  data: PreparedData;
  model: ResolvedModel;
  /** The shared start point: from the experiment's initial weights, or Glorot-uniform from its seed. */
  x0: Float64Array;
}

export async function buildProblem(experiment: Experiment, baseDir: string): Promise<Problem> {
  const data = await prepareData(experiment.data, { baseDir });
  const model = resolveModel(experiment.model, data.inputDim, data.task, data.outputDim);
  const x0 = experiment.initialWeights
    ? await loadInitialWeights(experiment.initialWeights, model, baseDir)
    : glorotUniform(model, experiment.seed);
  return { data, model, x0 };
}

/**
 * The start point of repeat r: repeat 0 is the problem's x0 (the file's weights when given); every
 * other repeat draws Glorot-uniform weights from `seed + r`. File weights are never perturbed:
 * noise of an arbitrary size would make a start that is neither the user's nor a standard one.
 */
export function repeatStart(experiment: Experiment, problem: Problem, repeat: number): Float64Array {
  return repeat === 0 ? Float64Array.from(problem.x0) : glorotUniform(problem.model, experiment.seed + repeat);
}
