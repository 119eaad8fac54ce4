/** Data + model + initial weights of an experiment: what every run and the gradient check share. */
import type { Experiment } from '../schema/experiment';
import type { PreparedData, TargetScaling } from '../data/types';
import { prepareData } from '../data/prepare';
import { withScaledTarget } from '../data/targetScaling';
import { resolveModel, type ResolvedModel } from '../model/layers';
import { glorotUniform } from '../model/params';
import { targetScalingBlocker, unfoldTargetScaling } from '../model/outputScaling';
import { loadInitialWeights } from './initialWeights';

export interface Problem {
  /** Prepared data; for a scaled regression target, its y are in training (standardised) units. */
  data: PreparedData;
  model: ResolvedModel;
  /** The shared start point: from the experiment's initial weights, or Glorot-uniform from its seed. */
  x0: Float64Array;
  /** Set when the regression target is standardised for training (see data/targetScaling). */
  targetScaling?: TargetScaling;
}

export async function buildProblem(experiment: Experiment, baseDir: string): Promise<Problem> {
  let data = await prepareData(experiment.data, { baseDir });
  const model = resolveModel(experiment.model, data.inputDim, data.task, data.outputDim);
  if (data.task === 'regression' && experiment.data.preprocessing.scaleTarget) {
    const blocker = targetScalingBlocker(model);
    if (blocker) data = { ...data, notes: [...data.notes, `target "${data.preprocessing.target}" not standardised: ${blocker}`] };
    else data = withScaledTarget(data);
  }
  const targetScaling = data.preprocessing.targetScaling;
  // Weights from a file predict original units; training works on the standardised target.
  const x0 = experiment.initialWeights
    ? unfoldTargetScaling(model, await loadInitialWeights(experiment.initialWeights, model, baseDir), targetScaling)
    : glorotUniform(model, experiment.seed);
  return { data, model, x0, targetScaling };
}
